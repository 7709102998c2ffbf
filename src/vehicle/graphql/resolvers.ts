import { recordOdometerReading, registerVehicle, transferVehicle } from '../vehicle-service.js';
import { normaliseVin } from '../vin.js';
import { toGlobalId } from '../../shared/ids.js';
import { loadPage } from '../../auth/loaders.js';
import { checkPageSize, pageToConnection } from '../../graphql/connection.js';
import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { VEHICLE_NODE } from '../vehicle.js';
import { telemetryResolvers } from './telemetry-resolvers.js';

export const vehicleResolvers: Resolvers = {
  Query: {
    vehicle: (_, { vin }, ctx) => ctx.access.vehicle(normaliseVin(vin)),
  },
  Mutation: {
    registerVehicle: (_, { input }, ctx) => registerVehicle(ctx, input),
    recordOdometerReading: (_, { input }, ctx) => recordOdometerReading(ctx, input),
    transferVehicle: (_, { input }, ctx) => transferVehicle(ctx, input),
    ...telemetryResolvers.Mutation,
  },
  Vehicle: {
    id: (v) => toGlobalId(VEHICLE_NODE, v.vin),
    sellingDealer: (v, _, ctx) => ctx.access.dealer(v.sellingDealerId),
    servicingDealer: (v, _, ctx) => ctx.access.dealer(v.servicingDealerId),
    owner: (v, _, ctx) => ctx.access.customer(v.ownerId),
    odometer: (v) => ({ vin: v.vin, km: v.odometerKm, readAt: v.odometerReadAt, source: 'latest', recordedAt: v.odometerReadAt }),
    odometerHistory: async (v, { first, after }, ctx) => {
      const size = checkPageSize(first);
      return pageToConnection(await loadPage(ctx.loaders, 'Vehicle.odometerHistory', v.vin, { size, after }, () => ctx.repos.odometer.history(v.vin, size, after)));
    },
    ...telemetryResolvers.Vehicle,
  },
  Ownership: {
    customer: (o, _, ctx) => ctx.access.customer(o.customerId),
  },
};
