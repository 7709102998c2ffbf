import { defineModule } from '../graphql/domain-module.js';
import { visibleOfferDefinition } from './catalogue-service.js';
import { offersResolvers } from './graphql/resolvers.js';
import { OFFER_DEFINITION_NODE, OFFER_NODE } from './offer-records.js';
import { MAX_LISTED_OFFERS, visibleOffer } from './offer-service.js';

export default defineModule({
  name: 'offers',
  resolvers: offersResolvers,
  nodeTypes: [
    { key: OFFER_NODE, load: visibleOffer },
    { key: OFFER_DEFINITION_NODE, load: visibleOfferDefinition },
  ],
  // `nextBestOffers` (≤ 10), responses (≤ 8), reasons (one per rule) and the rule lists (≤ 20 values) stay under the default list size.
  listBounds: { 'Customer.offers': MAX_LISTED_OFFERS },
});
