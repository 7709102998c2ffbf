import { defineModule } from '../graphql/domain-module.js';
import { MAX_VEHICLES_PER_DAY } from './forecast.js';
import { MAX_FORECAST_DAYS } from './forecast-service.js';
import { serviceResolvers } from './graphql/resolvers.js';
import { MAX_ITEMS, MAX_LINES } from './service-visit-validation.js';
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
  listBounds: {
    'ServiceForecast.days': MAX_FORECAST_DAYS,
    'ForecastDay.vehicles': MAX_VEHICLES_PER_DAY,
    'ServiceVisit.items': MAX_ITEMS,
    'PerformedServiceItem.parts': MAX_LINES,
    'PerformedServiceItem.labour': MAX_LINES,
  },
});
