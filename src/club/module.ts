import { defineModule } from '../graphql/domain-module.js';
import { clubResolvers } from './graphql/resolvers.js';
import { MAX_EXPIRY_DAYS_LISTED, MAX_LISTED_LOTS } from './membership-service.js';

export default defineModule({
  name: 'club',
  resolvers: clubResolvers,
  listBounds: { 'ClubMembership.lots': MAX_LISTED_LOTS, 'ClubMembership.expiringSoon': MAX_EXPIRY_DAYS_LISTED },
});
