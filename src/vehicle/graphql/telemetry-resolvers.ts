import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { sohTrendFor } from '../../fleet-rates/fleet-rates.js';
import { cohortPercentile } from '../battery-health.js';
import { recordVehicleTelemetry } from '../telemetry-service.js';

/** Connected-car telemetry and the battery health it feeds (merged into the vehicle domain's resolvers). */
export const telemetryResolvers: Resolvers = {
  Mutation: {
    recordVehicleTelemetry: (_, { input }, ctx) => recordVehicleTelemetry(ctx, input),
  },
  Vehicle: {
    batteryHealth: async (v, _, ctx) => {
      const health = v.batteryHealth;
      if (!health || v.powertrain === 'PETROL') return null;
      // The cohort the planner compares the trend with: line × powertrain × the servicing dealer's country (the fleet's rates are cached in-process).
      const fleet = health.trendPctPerYear === null ? null : await ctx.repos.fleetRates.current();
      const distribution = sohTrendFor(fleet, v.modelLine, v.powertrain, fleet?.dealerCountries[v.servicingDealerId]);
      return { ...health, cohortPercentile: cohortPercentile(health.trendPctPerYear, distribution?.quantiles) };
    },
  },
};
