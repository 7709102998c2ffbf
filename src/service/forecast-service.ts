import { servicePolicy } from '../auth/policies.js';
import { InvalidInputError } from '../shared/errors.js';
import type { ServiceContext } from '../shared/service-context.js';
import { addDays } from './calendar.js';
import { buildForecast, FORECAST_LOOKAHEAD_DAYS, FORECAST_LOOKBACK_DAYS, type ForecastView } from './forecast.js';

export const MAX_FORECAST_DAYS = 90;

/**
 * A dealer's forecast from one partition of the ByParent index (its serviced cars by their
 * first likely due date) plus a count of the overdue ones: other dealers' cars are never
 * read. The index is keyed on the likely date but a car falls due anywhere in its window,
 * so the range read reaches beyond the period on both sides (`FORECAST_LOOKBACK_DAYS`,
 * `FORECAST_LOOKAHEAD_DAYS`); cars with no probability in the period drop out.
 */
export async function dealerForecast(ctx: ServiceContext, dealerId: string, days: number): Promise<ForecastView | null> {
  if (!servicePolicy.canSeeForecast(ctx.principal, dealerId)) return null;
  if (!Number.isInteger(days) || days < 1 || days > MAX_FORECAST_DAYS) throw new InvalidInputError(`\`days\` must be between 1 and ${MAX_FORECAST_DAYS}.`, 'days');
  const today = ctx.clock().toISOString().slice(0, 10);
  const to = addDays(today, days - 1);
  const [vehicles, overdue] = await Promise.all([
    ctx.repos.vehicles.dueAtDealer(dealerId, addDays(today, -FORECAST_LOOKBACK_DAYS), addDays(to, FORECAST_LOOKAHEAD_DAYS)),
    ctx.repos.vehicles.overdueAtDealer(dealerId, today),
  ]);
  const forecast = buildForecast(vehicles, today, days, overdue);
  // The listed cars are loaded already: later field resolvers (Vehicle.*) need no second read.
  for (const day of forecast.days) for (const vehicle of day.vehicles) ctx.loaders.vehicle.prime(vehicle.vin, vehicle);
  return forecast;
}
