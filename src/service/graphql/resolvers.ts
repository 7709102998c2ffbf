import { dealerForecast } from '../forecast-service.js';
import { describeItem, serviceItemName } from '../maintenance-catalogue.js';
import { predictionViews } from '../prediction-view.js';
import { recordServiceVisit } from '../service-visit-service.js';
import { serviceVisitGlobalKey, SERVICE_VISIT_NODE } from '../service-visit.js';
import { toGlobalId } from '../../shared/ids.js';
import { loadPage } from '../../auth/loaders.js';
import { checkPageSize, pageToConnection } from '../../graphql/connection.js';
import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

export const serviceResolvers: Resolvers = {
  Mutation: {
    recordServiceVisit: (_, { input }, ctx) => recordServiceVisit(ctx, input),
  },
  ServiceVisit: {
    id: (v) => toGlobalId(SERVICE_VISIT_NODE, serviceVisitGlobalKey(v)),
    vehicle: (v, _, ctx) => ctx.access.vehicle(v.vin),
    dealer: (v, _, ctx) => ctx.access.dealer(v.dealerId),
    totalAmount: (v) => v.total,
  },
  PerformedServiceItem: {
    name: (i) => serviceItemName(i.code),
  },
  Vehicle: {
    nextService: (v) => predictionViews(v)[0] ?? null,
    servicePlan: (v) => predictionViews(v),
    mileageRate: (v) => v.servicePlan?.rate ?? null,
    serviceHistory: async (v, { first, after }, ctx) => {
      const size = checkPageSize(first);
      const page = await loadPage(ctx.loaders, 'Vehicle.serviceHistory', v.vin, { size, after }, () => ctx.repos.visits.ofVehicle(v.vin, size, after));
      ctx.access.remember({ vehicles: [v] });
      return pageToConnection(page, await ctx.access.visibleVehicleItems(page.items));
    },
  },
  Customer: {
    serviceHistory: async (c, { first, after }, ctx) => {
      const size = checkPageSize(first);
      const page = await loadPage(ctx.loaders, 'Customer.serviceHistory', c.id, { size, after }, () => ctx.repos.visits.ofCustomer(c.id, size, after));
      ctx.access.remember({ customers: [c] });
      return pageToConnection(page, await ctx.access.visibleVehicleItems(page.items));
    },
  },
  Dealer: {
    serviceForecast: (d, { days }, ctx) => dealerForecast(ctx, d.id, days ?? 30),
  },
  MileageEstimate: {
    // Rounded: three decimals describe a month's share of a year's driving well enough.
    seasonalFactors: (r) => r.seasonal?.map((factor) => Math.round(factor * 1000) / 1000) ?? null,
  },
  ForecastDay: {
    vehicles: async (day, _, ctx) => (await Promise.all(day.vehicles.map((v) => ctx.access.vehicle(v.vin)))).filter((v) => v !== null),
  },
  ReminderItem: {
    item: (i) => describeItem(i.code),
  },
};
