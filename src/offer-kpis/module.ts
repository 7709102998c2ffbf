import { defineModule } from '../graphql/domain-module.js';
import { offerKpiResolvers } from './graphql/resolvers.js';
import { MAX_REPORTED_OFFERS } from './offer-kpis.js';

/**
 * The offers' KPIs: a domain of its own because it reads the offers' statistics and the
 * value KPIs, and neither of those domains should know the other's report.
 */
export default defineModule({
  name: 'offer-kpis',
  resolvers: offerKpiResolvers,
  listBounds: { 'OfferKpis.offers': MAX_REPORTED_OFFERS },
});
