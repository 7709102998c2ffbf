import { defineModule } from '../graphql/domain-module.js';
import { clubResolvers } from './graphql/resolvers.js';
import { MAX_LISTED_LOTS } from './membership-service.js';

export default defineModule({
  name: 'club',
  resolvers: clubResolvers,
  // `expiringSoon` holds at most 13 days (lots expire at month ends), under the default list size.
  listBounds: { 'ClubMembership.lots': MAX_LISTED_LOTS },
});
