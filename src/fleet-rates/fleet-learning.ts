import { isDeepStrictEqual } from 'node:util';
import { MODEL_LINES, POWERTRAINS } from '../catalogue/model-lines.js';
import { cohortKey, type CohortRate, type FleetRates, type SohTrendDistribution } from './fleet-rates.js';
import type { FleetCar } from './fleet-reader.js';

/**
 * How the fleet's rates are learned: pure functions, no I/O (the run is `fleet-rates-job.ts`).
 *
 * A car teaches its cohort its annual mileage only when the rate stored in its plan is its
 * own: `source` HISTORY and `quality` ≥ {@link MIN_OWN_QUALITY}, i.e. its readings outweigh
 * the prior it was combined with. The learned rates come back into plans only as that
 * prior, and only cars with little history lean on it (quality < 0.5 by the same measure),
 * so the cars the cohorts are learned from are the ones the cohorts barely move: no
 * feedback loop, and a cohort does not learn its own previous value back.
 *
 * Per cohort — `LINE#POWERTRAIN#COUNTRY` and `LINE#POWERTRAIN#*` — the rate is the median
 * of the cars' rates and the spread is robust: 1.4826 × the median absolute deviation of
 * the log rates (σ of a log-normal, unmoved by a few taxis or garage queens), floored at
 * {@link MIN_LOG_SPREAD}. Battery trends of hybrids and EVs give the cohort's distribution
 * of state-of-health loss per year.
 */

/** A car's own readings must carry at least this share of its rate for the car to teach its cohort. */
export const MIN_OWN_QUALITY = 0.5;
/** No cohort is this uniform: a spread below it would make the prior overconfident. */
export const MIN_LOG_SPREAD = 0.1;
/** Robust σ from a MAD, for a normal distribution. */
const MAD_TO_SIGMA = 1.4826;
/** Only these have a traction battery whose health is tracked. */
const BATTERY_POWERTRAINS = new Set<string>(['HYBRID', 'ELECTRIC']);
const ALL_COUNTRIES = '*';

/** The q-quantile (0–1) of sorted values, linear between order statistics (the median of an even count is the mean of the middle two). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const ascending = (values: readonly number[]) => [...values].sort((a, b) => a - b);
export const median = (values: readonly number[]) => quantile(ascending(values), 0.5);
const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/**
 * σ of ln(rate) between cars: 1.4826 × MAD of the logs, at least {@link MIN_LOG_SPREAD}.
 *
 * @example
 * robustLogSpread([8_000, 10_000, 12_500]) // 0.331 (the logs lie ±0.223 around ln 10,000)
 */
export function robustLogSpread(rates: readonly number[]): number {
  const logs = rates.map(Math.log);
  const centre = median(logs);
  return Math.max(MIN_LOG_SPREAD, round(MAD_TO_SIGMA * median(logs.map((l) => Math.abs(l - centre))), 3));
}

/** p0 … p100 in steps of 5 (21 values) of battery trends, with p10 / p50 / p90 named. */
export function sohDistribution(trends: readonly number[]): SohTrendDistribution {
  const sorted = ascending(trends);
  const quantiles = Array.from({ length: 21 }, (_, i) => round(quantile(sorted, i / 20), 2));
  return { cars: sorted.length, p10: quantiles[2]!, p50: quantiles[10]!, p90: quantiles[18]!, quantiles };
}

/** The car's own annual rate if it may teach its cohort (see the module comment), else null. */
export function ownRate(car: FleetCar): number | null {
  const rate = car.rate;
  if (!rate || rate.source !== 'HISTORY' || !(rate.quality >= MIN_OWN_QUALITY)) return null;
  // A car that has not moved (0 km/year) has no log rate: it cannot inform a log-normal prior.
  return Number.isFinite(rate.kmPerYear) && rate.kmPerYear > 0 ? rate.kmPerYear : null;
}

/** The car's battery trend (%/year) if it is a hybrid or EV with one, else null. */
export function batteryTrend(car: FleetCar): number | null {
  const trend = car.sohTrendPctPerYear;
  return BATTERY_POWERTRAINS.has(car.powertrain) && typeof trend === 'number' && Number.isFinite(trend) ? trend : null;
}

/** A known cohort of a known line and powertrain (a malformed item must not invent one). */
const isKnownKind = (car: FleetCar) => (MODEL_LINES as readonly string[]).includes(car.modelLine) && (POWERTRAINS as readonly string[]).includes(car.powertrain);

/**
 * The samples of a run, added page by page: only two numbers per car are kept, per
 * country cohort (the all-countries cohorts are their union), so a million cars fit in a
 * Lambda's memory.
 */
export class FleetSamples {
  private readonly rates = new Map<string, number[]>();
  private readonly trends = new Map<string, number[]>();
  /** Cars that taught a rate, and cars that taught a battery trend. */
  rateCars = 0;
  trendCars = 0;

  constructor(private readonly dealerCountries: Readonly<Record<string, string>>) {}

  add(car: FleetCar): void {
    if (!isKnownKind(car)) return;
    const rate = ownRate(car);
    const trend = batteryTrend(car);
    if (rate === null && trend === null) return;
    // A car whose dealer has no known country teaches only the all-countries cohort.
    const key = cohortKey(car.modelLine, car.powertrain, this.dealerCountries[car.servicingDealerId] ?? ALL_COUNTRIES);
    if (rate !== null) {
      push(this.rates, key, rate);
      this.rateCars++;
    }
    if (trend !== null) {
      push(this.trends, key, trend);
      this.trendCars++;
    }
  }

  /**
   * The cohorts with at least `minCars` cars with their own rate — the only ones
   * `cohortFor` serves (the small ones would only weigh on the item) — and how many were
   * left out. A battery distribution only where `minCars` cars have a trend:
   * quantiles of fewer are noise (`sohTrendFor` then falls back to all countries).
   */
  cohorts(minCars: number): { cohorts: Record<string, CohortRate>; leftOut: number } {
    const byCohort = (samples: Map<string, number[]>) => {
      const all = new Map(samples);
      for (const [key, values] of samples) {
        if (key.endsWith(`#${ALL_COUNTRIES}`)) continue;
        const wide = key.replace(/#[^#]*$/, `#${ALL_COUNTRIES}`);
        all.set(wide, [...(all.get(wide) ?? []), ...values]);
      }
      return all;
    };
    const rates = byCohort(this.rates);
    const trends = byCohort(this.trends);
    const cohorts: Record<string, CohortRate> = {};
    let leftOut = 0;
    for (const key of [...rates.keys()].sort()) {
      const values = rates.get(key)!;
      if (values.length < minCars) {
        leftOut++;
        continue;
      }
      const trend = trends.get(key) ?? [];
      cohorts[key] = {
        cohort: key,
        cars: values.length,
        kmPerYear: Math.round(median(values)),
        logSpread: robustLogSpread(values),
        ...(trend.length >= minCars ? { sohTrend: sohDistribution(trend) } : {}),
      };
    }
    return { cohorts, leftOut };
  }
}

function push(samples: Map<string, number[]>, key: string, value: number): void {
  const values = samples.get(key);
  if (values) values.push(value);
  else samples.set(key, [value]);
}

/**
 * The fleet's rates from a set of cars (the run adds them page by page to
 * {@link FleetSamples}; this is the same in one call, for tests and tools).
 */
export function learnFleetRates(cars: Iterable<FleetCar>, dealerCountries: Record<string, string>, computedAt: string, minCars: number): Omit<FleetRates, 'version'> {
  const samples = new FleetSamples(dealerCountries);
  for (const car of cars) samples.add(car);
  return { computedAt, minCars, cohorts: samples.cohorts(minCars).cohorts, dealerCountries };
}

/** Whether two runs learned the same thing (their version and time aside): an unchanged run saves nothing. */
export function sameRates(a: Omit<FleetRates, 'version'>, b: Omit<FleetRates, 'version'> | null): boolean {
  return b !== null && a.minCars === b.minCars && isDeepStrictEqual(a.cohorts, b.cohorts) && isDeepStrictEqual(a.dealerCountries, b.dealerCountries);
}
