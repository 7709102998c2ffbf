import { defineModule } from '../graphql/domain-module.js';
import { clubKpiResolvers } from './graphql/resolvers.js';

/**
 * The club's KPIs: a domain of its own because it reads the club (memberships) and the
 * events (seat counters), and the club may not import events.
 */
export default defineModule({
  name: 'club-kpis',
  resolvers: clubKpiResolvers,
});
