import { servicePolicy } from '../auth/policies.js';
import { InvalidInputError } from '../shared/errors.js';
import type { ServiceContext } from '../shared/service-context.js';
import { addDays } from './calendar.js';
import { buildForecast, type ForecastView } from './forecast.js';

export const MAX_FORECAST_DAYS = 90;

/**
 * A dealer's forecast from one partition of the ByParent index (its serviced cars by due
 * date) plus a count of the overdue ones: other dealers' cars are never read.
 */
export async function dealerForecast(ctx: ServiceContext, dealerId: string, days: number): Promise<ForecastView | null> {
  if (!servicePolicy.canSeeForecast(ctx.principal, dealerId)) return null;
  if (!Number.isInteger(days) || days < 1 || days > MAX_FORECAST_DAYS) throw new InvalidInputError(`\`days\` must be between 1 and ${MAX_FORECAST_DAYS}.`, 'days');
  const today = ctx.clock().toISOString().slice(0, 10);
  const [vehicles, overdue] = await Promise.all([ctx.repos.vehicles.dueAtDealer(dealerId, today, addDays(today, days - 1)), ctx.repos.vehicles.overdueAtDealer(dealerId, today)]);
  // The cars are loaded already: later field resolvers (Vehicle.*) need no second read.
  for (const vehicle of vehicles) ctx.loaders.vehicle.prime(vehicle.vin, vehicle);
  return buildForecast(vehicles, today, days, overdue);
}
