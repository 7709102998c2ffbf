import type { ModelLine, Powertrain } from '../catalogue/model-lines.js';

/**
 * What the fleet itself drives: per cohort (model line × powertrain × country) the median
 * annual mileage of the cars with their own history and how much cars differ from it,
 * plus the spread of battery state-of-health trends. Learned nightly from the cars'
 * stored estimates (`fleet-rates-job.ts`), versioned, and used as the prior of every car
 * with too little history of its own — instead of a hard-coded table per model line.
 */
export interface SohTrendDistribution {
  cars: number;
  /** %/year (negative = losing capacity). */
  p10: number;
  p50: number;
  p90: number;
  /** 21 quantiles, p0 … p100 in steps of 5: a car's percentile within its cohort. */
  quantiles: number[];
}

export interface CohortRate {
  /** `LINE#POWERTRAIN#COUNTRY`, or `LINE#POWERTRAIN#*` for all countries, or `LINE#POWERTRAIN#DEFAULT` (the table). */
  cohort: string;
  /** Cars with a rate from their own readings that contributed (0 for the table default). */
  cars: number;
  /** Median of their annual mileage. */
  kmPerYear: number;
  /** Robust σ of ln(km per year) between cars (1.4826 × MAD of the logs). */
  logSpread: number;
  sohTrend?: SohTrendDistribution;
}

export interface FleetRates {
  version: number;
  computedAt: string;
  /** Cars a cohort needs before it is used (else the next wider cohort is). */
  minCars: number;
  cohorts: Record<string, CohortRate>;
  /** Servicing dealer id → country (ISO 3166-1 alpha-2): where a car lives, for its cohort. */
  dealerCountries: Record<string, string>;
}

/** Cohorts smaller than this are not trusted: the next wider one (or the table) is used. */
export const MIN_COHORT_CARS = 20;

/**
 * The table used only while the fleet has too few cars of a kind: plausible medians
 * (sports cars less, SUVs and EVs more). 37 % off on average for a given car, hence the
 * wide default spread.
 */
export const DEFAULT_KM_PER_YEAR: Record<ModelLine, number> = {
  NINE_ELEVEN: 8_000,
  SEVEN_EIGHTEEN: 7_000,
  TAYCAN: 15_000,
  PANAMERA: 16_000,
  MACAN: 15_000,
  CAYENNE: 17_000,
};

/** σ of ln(rate) between cars when nothing is learned yet: wide on purpose (≈ ×/÷ 1.65 for one σ). */
export const DEFAULT_LOG_SPREAD = 0.5;

export const cohortKey = (modelLine: ModelLine, powertrain: Powertrain, country: string) => `${modelLine}#${powertrain}#${country}`;

/**
 * The cohort a car's prior comes from: its own (line × powertrain × country) when that has
 * enough cars, else the line × powertrain across countries, else the table default.
 *
 * @example
 * cohortFor(null, 'MACAN', 'PETROL', 'DE') // { cohort: 'MACAN#PETROL#DEFAULT', cars: 0, kmPerYear: 15000, logSpread: 0.5 }
 */
export function cohortFor(fleet: FleetRates | null | undefined, modelLine: ModelLine, powertrain: Powertrain, country?: string): CohortRate {
  const min = fleet?.minCars ?? MIN_COHORT_CARS;
  const candidates = [country ? cohortKey(modelLine, powertrain, country) : null, cohortKey(modelLine, powertrain, '*')];
  for (const key of candidates) {
    const cohort = key ? fleet?.cohorts[key] : undefined;
    // Read back from a stored item: a spread or rate of 0 would make every plan's prior NaN.
    if (cohort && cohort.cars >= min) return { ...cohort, kmPerYear: Math.max(1, cohort.kmPerYear), logSpread: Math.max(0.1, cohort.logSpread) };
  }
  return { cohort: cohortKey(modelLine, powertrain, 'DEFAULT'), cars: 0, kmPerYear: DEFAULT_KM_PER_YEAR[modelLine], logSpread: DEFAULT_LOG_SPREAD };
}

/**
 * What a car's plan is computed with besides its own data: the fleet's rates (null before
 * the first run). No clock: a plan depends only on the data, so recomputing it is repeatable.
 */
export interface PlanContext {
  fleet: FleetRates | null;
}

/**
 * The battery-trend distribution a car is compared with: its own cohort's when that has one
 * (learned from at least `minCars` trends), else its line × powertrain across countries.
 * Separate from {@link cohortFor} because a cohort can have enough mileage rates for a
 * prior but too few battery trends for quantiles.
 *
 * @example
 * sohTrendFor(null, 'TAYCAN', 'ELECTRIC', 'DE') // undefined: nothing learned yet
 */
export function sohTrendFor(fleet: FleetRates | null | undefined, modelLine: ModelLine, powertrain: Powertrain, country?: string): SohTrendDistribution | undefined {
  const min = fleet?.minCars ?? MIN_COHORT_CARS;
  for (const key of [country ? cohortKey(modelLine, powertrain, country) : null, cohortKey(modelLine, powertrain, '*')]) {
    const trend = key ? fleet?.cohorts[key]?.sohTrend : undefined;
    if (trend && trend.cars >= min) return trend;
  }
  return undefined;
}
