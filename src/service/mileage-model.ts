import type { CohortRate } from '../fleet-rates/fleet-rates.js';
import { addDays, dayToMs, daysBetween, toDay } from './calendar.js';

/**
 * How far a car will drive, and how sure we are: pure functions, no I/O.
 *
 * The estimator, in four steps:
 * 1. **Seasonal time.** With a year or more of readings, the car's own monthly pattern
 *    (a convertible in summer, a ski car in winter) becomes 12 factors of mean 1, shrunk
 *    towards 1 where few days of a month were observed. Time is then measured in
 *    "seasonal years" τ (a day of a factor-1.4 month counts 1.4 days), in which the
 *    odometer grows linearly if the pattern holds. Without a pattern, τ is calendar time.
 * 2. **Rate.** A recency-weighted Theil–Sen estimate: the weighted median of the slopes
 *    (km per seasonal year) between readings at least {@link MIN_PAIR_DAYS} apart, each
 *    weighted by 0.5^(age / {@link HALF_LIFE_DAYS}) — robust to outliers and sparse
 *    readings, and following a drift in habits.
 * 3. **Prior.** The car's cohort (model line × powertrain × country, learned by the fleet
 *    rates job) is a log-normal prior; the car's own rate is combined with it by
 *    precision (log space), so one reading gives the cohort's distribution and years of
 *    readings give the car's own.
 * 4. **Uncertainty.** The average rate over a projection of H days differs from the
 *    estimate in log space by σ(H)² = σ_est² + σ_short²·min(1, 30/H) + DRIFT²·(H + age)/365:
 *    estimation error, month-to-month variability that averages out over long spans, and
 *    habits that drift the further one looks from the data.
 */
export interface RateModel {
  /** Median annual rate, deseasonalised (km per seasonal year). */
  kmPerYear: number;
  /** σ of ln(rate) of the estimate itself (σ_est). */
  logSigma: number;
  /** σ of ln of a month's rate around the car's rate (σ_short). */
  shortSigma: number;
  source: 'HISTORY' | 'COHORT' | 'FLEET_DEFAULT';
  /** 0–1: how much of the estimate is the car's own (its share of the precision). */
  quality: number;
  cohort: string;
  /** 12 monthly factors (January first), mean 1; absent without a year of readings showing a pattern. */
  seasonal?: number[];
  /** The last reading: where projections start. */
  from: { km: number; day: string };
  /** Recency-weighted age of the data the rate rests on, in days before `from` (feeds the drift term). */
  dataAgeDays: number;
}

export interface Reading {
  km: number;
  readAt: string;
}

const DAY_MS = 86_400_000;
/** Slopes over shorter spans are mostly noise (a weekend trip). */
export const MIN_PAIR_DAYS = 30;
/** A slope a year older weighs a quarter as much: habits drift. */
export const HALF_LIFE_DAYS = 180;
const HISTORY_WINDOW_DAYS = 3 * 365;
/** Points kept for Theil–Sen after thinning (pairs grow with the square). */
const MAX_POINTS = 60;
const MAX_KM_PER_YEAR = 150_000;
/** σ_short when a car has too few slopes to measure its own (calibrated on the simulated fleet). */
const DEFAULT_SHORT_SIGMA = 0.3;
/** Drift of habits: σ of ln(rate) grows by this per √year of distance from the data (calibrated on the simulated fleet). */
export const DRIFT_PER_SQRT_YEAR = 0.2;
/** A month needs this many observed days before its factor counts fully. */
const SEASON_SHRINK_DAYS = 45;
/** Below this max/min ratio a pattern is noise and no factors are kept. */
const MIN_SEASONAL_CONTRAST = 1.15;

const median = (values: readonly number[]) => weightedMedian(values.map((value) => ({ value, weight: 1 })));

function weightedMedian(entries: readonly { value: number; weight: number }[]): number {
  const sorted = [...entries].sort((a, b) => a.value - b.value);
  const half = sorted.reduce((sum, e) => sum + e.weight, 0) / 2;
  let acc = 0;
  for (const entry of sorted) {
    acc += entry.weight;
    if (acc >= half) return entry.value;
  }
  return sorted.at(-1)?.value ?? 0;
}

const msOf = (r: Reading) => Date.parse(r.readAt);

/** Readings in order, the last three years, thinned to at most {@link MAX_POINTS} spaced ≥ a week (daily telemetry would make Theil–Sen quadratic in thousands). */
export function thinReadings(readings: readonly Reading[]): Reading[] {
  const sorted = [...readings].sort((a, b) => a.readAt.localeCompare(b.readAt));
  const latest = sorted.at(-1);
  if (!latest) return [];
  const horizon = msOf(latest) - HISTORY_WINDOW_DAYS * DAY_MS;
  const recent = sorted.filter((r) => msOf(r) >= horizon);
  const spanDays = (msOf(latest) - msOf(recent[0]!)) / DAY_MS;
  const spacing = Math.max(7, spanDays / MAX_POINTS) * DAY_MS;
  const kept: Reading[] = [latest];
  for (let i = recent.length - 2; i >= 0; i--) {
    if (msOf(kept[0]!) - msOf(recent[i]!) >= spacing) kept.unshift(recent[i]!);
  }
  return kept;
}

/** The month (0–11) of an instant in ms. */
const monthOf = (ms: number) => new Date(ms).getUTCMonth();

/**
 * The car's monthly pattern from its own readings: each interval's daily rate spread over
 * its days, averaged per calendar month, relative to the overall rate, shrunk towards 1.
 */
export function seasonalFactors(points: readonly Reading[]): number[] | undefined {
  if (points.length < 6) return undefined;
  const spanDays = (msOf(points.at(-1)!) - msOf(points[0]!)) / DAY_MS;
  if (spanDays < 365) return undefined;
  const km = new Array<number>(12).fill(0);
  const days = new Array<number>(12).fill(0);
  for (let i = 1; i < points.length; i++) {
    const t0 = msOf(points[i - 1]!);
    const t1 = msOf(points[i]!);
    const intervalDays = (t1 - t0) / DAY_MS;
    // An interval longer than two months says nothing about any one month.
    if (intervalDays <= 0 || intervalDays > 62) continue;
    const perDay = (points[i]!.km - points[i - 1]!.km) / intervalDays;
    for (let t = t0; t < t1; t += DAY_MS) {
      const share = Math.min(1, (t1 - t) / DAY_MS);
      km[monthOf(t)]! += perDay * share;
      days[monthOf(t)]! += share;
    }
  }
  const totalDays = days.reduce((a, b) => a + b, 0);
  if (totalDays < 300) return undefined;
  const overall = km.reduce((a, b) => a + b, 0) / totalDays;
  if (overall <= 0) return undefined;
  const raw = km.map((k, m) => {
    const observed = days[m]!;
    const factor = observed > 0 ? k / observed / overall : 1;
    const weight = observed / (observed + SEASON_SHRINK_DAYS);
    return 1 + (factor - 1) * weight;
  });
  const mean = raw.reduce((a, b) => a + b, 0) / 12;
  const factors = raw.map((f) => Math.max(0.05, f / mean));
  if (Math.max(...factors) / Math.min(...factors) < MIN_SEASONAL_CONTRAST) return undefined;
  return factors.map((f) => Math.round(f * 1000) / 1000);
}

/** Seasonal years between two instants (calendar years without factors). */
export function seasonalYears(fromMs: number, toMs: number, seasonal: readonly number[] | undefined): number {
  if (!seasonal) return (toMs - fromMs) / DAY_MS / 365;
  let sum = 0;
  for (let t = fromMs; t < toMs; t += DAY_MS) sum += seasonal[monthOf(t)]! * Math.min(1, (toMs - t) / DAY_MS);
  return sum / 365;
}

/**
 * @example
 * estimateRate(readings, cohortFor(fleet, 'MACAN', 'PETROL', 'DE'))
 * // { kmPerYear: 14200, source: 'HISTORY', logSigma: 0.06, … }
 */
export function estimateRate(readings: readonly Reading[], cohort: CohortRate): RateModel {
  const points = thinReadings(readings);
  const latest = points.at(-1);
  const from = latest ? { km: latest.km, day: toDay(latest.readAt) } : { km: 0, day: '1970-01-01' };
  const prior = { mu: Math.log(cohort.kmPerYear), variance: cohort.logSpread ** 2 };
  const priorOnly: RateModel = {
    kmPerYear: Math.round(cohort.kmPerYear),
    logSigma: cohort.logSpread,
    shortSigma: DEFAULT_SHORT_SIGMA,
    source: cohort.cars > 0 ? 'COHORT' : 'FLEET_DEFAULT',
    quality: 0,
    cohort: cohort.cohort,
    from,
    dataAgeDays: 0,
  };
  if (!latest || points.length < 2) return priorOnly;

  const seasonal = seasonalFactors(points);
  const latestMs = msOf(latest);
  const slopes: { value: number; weight: number; days: number }[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const t0 = msOf(points[i]!);
      const t1 = msOf(points[j]!);
      const days = (t1 - t0) / DAY_MS;
      if (days < MIN_PAIR_DAYS) continue;
      const years = seasonalYears(t0, t1, seasonal);
      if (years <= 0) continue;
      const age = (latestMs - t1) / DAY_MS;
      slopes.push({ value: (points[j]!.km - points[i]!.km) / years, weight: 0.5 ** (age / HALF_LIFE_DAYS), days });
    }
  }
  if (slopes.length === 0) return priorOnly;

  const rate = Math.min(MAX_KM_PER_YEAR, Math.max(0, weightedMedian(slopes)));
  // A car that has not moved: no log-normal to speak of. Its rate is 0 until it moves.
  if (rate <= 0) return { ...priorOnly, kmPerYear: 0, source: 'HISTORY', quality: 1, logSigma: 0, seasonal };

  // Month-to-month variability from consecutive intervals of about a month or more.
  const shortLogs: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const t0 = msOf(points[i - 1]!);
    const t1 = msOf(points[i]!);
    if ((t1 - t0) / DAY_MS < 25) continue;
    const perYear = (points[i]!.km - points[i - 1]!.km) / seasonalYears(t0, t1, seasonal);
    if (perYear > 0) shortLogs.push(Math.log(perYear / rate));
  }
  const shortSigma = shortLogs.length >= 4 ? Math.max(0.05, 1.4826 * median(shortLogs.map(Math.abs))) : DEFAULT_SHORT_SIGMA;

  const spanDays = (latestMs - msOf(points[0]!)) / DAY_MS;
  const weightSum = slopes.reduce((sum, s) => sum + s.weight, 0);
  const dataAgeDays = Math.min(spanDays, slopes.reduce((sum, s) => sum + s.weight * (s.days / 2), 0) / weightSum);
  // The own estimate's variance: month-to-month noise averaged over the span it rests on.
  const ownVariance = shortSigma ** 2 * Math.min(1, 30 / Math.max(spanDays, 30)) + 0.02 ** 2;
  const ownPrecision = 1 / ownVariance;
  const priorPrecision = 1 / prior.variance;
  const mu = (Math.log(rate) * ownPrecision + prior.mu * priorPrecision) / (ownPrecision + priorPrecision);
  return {
    kmPerYear: Math.round(Math.exp(mu)),
    logSigma: Math.sqrt(1 / (ownPrecision + priorPrecision)),
    shortSigma,
    source: 'HISTORY',
    quality: Math.round((ownPrecision / (ownPrecision + priorPrecision)) * 100) / 100,
    cohort: cohort.cohort,
    ...(seasonal ? { seasonal } : {}),
    from,
    dataAgeDays,
  };
}

/** σ of ln(average rate) over a projection of `horizonDays` from the last reading. */
export function projectionSigma(model: RateModel, horizonDays: number): number {
  const h = Math.max(1, horizonDays);
  const drift = DRIFT_PER_SQRT_YEAR ** 2 * ((h + model.dataAgeDays) / 365);
  const short = model.source === 'HISTORY' ? model.shortSigma ** 2 * Math.min(1, 30 / h) : 0;
  return Math.sqrt(model.logSigma ** 2 + short + drift);
}

/** The longest projection worth making: beyond ten years the calendar comes first anyway. */
const MAX_PROJECTION_DAYS = 3_650;

/**
 * The day the car will have driven `km` more than at its last reading, at the given annual
 * rate, following the seasonal pattern; null beyond ten years (or for a car that does not move).
 */
export function dayReaching(model: RateModel, km: number, kmPerYear: number): string | null {
  if (km <= 0) return model.from.day;
  if (kmPerYear <= 0) return null;
  const years = km / kmPerYear;
  if (!model.seasonal) {
    const days = Math.ceil(years * 365);
    return days > MAX_PROJECTION_DAYS ? null : addDays(model.from.day, days);
  }
  let t = dayToMs(model.from.day);
  let sum = 0;
  for (let d = 1; d <= MAX_PROJECTION_DAYS; d++, t += DAY_MS) {
    sum += model.seasonal[monthOf(t)]! / 365;
    if (sum >= years) return addDays(model.from.day, d);
  }
  return null;
}

/** The annual rate at which the car drives `km` by `day` (following its seasons); Infinity when the day is not after the last reading. */
export function rateToReachBy(model: RateModel, km: number, day: string): number {
  const years = seasonalYears(dayToMs(model.from.day), dayToMs(day), model.seasonal);
  return years > 0 ? km / years : Infinity;
}

/** Days from the last reading to a day. */
export const daysFromLastReading = (model: RateModel, day: string) => daysBetween(model.from.day, day);

/** Standard normal quantiles used for the due window and the reminder. */
export const Z = { p05: 1.6449, p10: 1.2816 } as const;

/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
