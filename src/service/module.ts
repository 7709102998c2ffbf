import { defineModule } from '../graphql/domain-module.js';
import { serviceResolvers } from './graphql/resolvers.js';
import { parseServiceVisitGlobalKey, SERVICE_VISIT_NODE } from './service-visit.js';

export default defineModule({
  name: 'service',
  resolvers: serviceResolvers,
  nodeTypes: [
    {
      key: SERVICE_VISIT_NODE,
      load: async (ctx, key) => {
        const ref = parseServiceVisitGlobalKey(key);
        const visit = ref ? await ctx.repos.visits.get(ref.vin, ref.performedAt, ref.id) : null;
        return visit && (await ctx.access.canSeeVehicleItem(visit)) ? visit : null;
      },
    },
  ],
});
