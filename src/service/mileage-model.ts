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
 * 2. **Rate.** A recency-weighted, trimmed mean of the rates (km per seasonal year) over
 *    consecutive intervals of at least {@link MIN_PAIR_DAYS}, each weighted by its length ×
 *    0.5^(age of its middle / {@link HALF_LIFE_DAYS}); intervals going backwards or more than 6× the
 *    weighted median are dropped (a typo, a reading on the wrong car). The previous
 *    estimator, Theil–Sen over all pairs, is as robust but cannot follow a change of habits:
 *    long pairs spanning old habits outnumber the recent ones quadratically.
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
  /**
   * The most the car drove above its pace within two weeks in the last year (a long trip),
   * seen only with readings at most 14 days apart (telemetry); 0 without them. A trip is a
   * jump, not noise: no log-normal spread covers it, so reminders allow for one explicitly.
   */
  burstKm: number;
}

export interface Reading {
  km: number;
  readAt: string;
}

const DAY_MS = 86_400_000;
/** Slopes over shorter spans are mostly noise (a weekend trip). */
export const MIN_PAIR_DAYS = 30;
/** Below this span of readings, a car that has not moved tells nothing of its future rate. */
const IDLE_EVIDENCE_DAYS = 90;
/** The least rate a car is believed to have, as a share of its cohort's: none is parked for good. */
const IDLE_FLOOR = 0.02;
/** An interval this many times the car's median rate is a data error, not driving (a month with a 3,000 km trip stays in). */
const OUTLIER_RATIO = 6;
/** A slope a year older weighs a quarter as much: habits drift. */
export const HALF_LIFE_DAYS = 180;
const HISTORY_WINDOW_DAYS = 3 * 365;
/** Points kept for Theil–Sen after thinning (pairs grow with the square). */
const MAX_POINTS = 60;
const MAX_KM_PER_YEAR = 150_000;
/** σ of ln(rate) a season adds to a projection shorter than a year when the car's pattern is unknown (calibrated on the simulated fleet). */
export const UNKNOWN_SEASON_SIGMA = 0.25;
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

/** Sorted readings of the last three years, thinned to at most {@link MAX_POINTS} spaced ≥ a week: daily telemetry would otherwise make every plan thousands of points. */
function thinReadings(sorted: readonly Reading[]): Reading[] {
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
 * its days, per calendar month and year, relative to the overall rate. A month's factor is
 * the median over the years it was observed in, and needs two years: a pattern must
 * repeat (a change of habits last spring is not a season). Shrunk towards 1 by the days
 * observed, normalised to mean 1.
 */
export function seasonalFactors(points: readonly Reading[]): number[] | undefined {
  if (points.length < 6) return undefined;
  const spanDays = (msOf(points.at(-1)!) - msOf(points[0]!)) / DAY_MS;
  if (spanDays < 365) return undefined;
  const cells = new Map<string, { km: number; days: number }>(); // `year-month`
  let totalKm = 0;
  let totalDays = 0;
  for (let i = 1; i < points.length; i++) {
    const t0 = msOf(points[i - 1]!);
    const t1 = msOf(points[i]!);
    const intervalDays = (t1 - t0) / DAY_MS;
    // An interval longer than two months says nothing about any one month.
    if (intervalDays <= 0 || intervalDays > 62) continue;
    const perDay = (points[i]!.km - points[i - 1]!.km) / intervalDays;
    for (let t = t0; t < t1; t += DAY_MS) {
      const share = Math.min(1, (t1 - t) / DAY_MS);
      const date = new Date(t);
      const key = `${date.getUTCFullYear()}-${date.getUTCMonth()}`;
      const cell = cells.get(key) ?? { km: 0, days: 0 };
      cell.km += perDay * share;
      cell.days += share;
      cells.set(key, cell);
      totalKm += perDay * share;
      totalDays += share;
    }
  }
  if (totalDays < 300 || totalKm <= 0) return undefined;
  const overall = totalKm / totalDays;
  const raw = Array.from({ length: 12 }, (_, month) => {
    const years = [...cells.entries()].filter(([key, cell]) => Number(key.split('-')[1]) === month && cell.days >= 15).map(([, cell]) => cell);
    if (years.length < 2) return 1;
    const factor = median(years.map((cell) => cell.km / cell.days / overall));
    const observed = years.reduce((sum, cell) => sum + cell.days, 0);
    return 1 + (factor - 1) * (observed / (observed + SEASON_SHRINK_DAYS));
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

interface Interval {
  /** km per seasonal year over the interval. */
  value: number;
  /** Its days × 0.5^(age of its middle / half-life): long and recent intervals count most. */
  weight: number;
  /** Days from its middle to the last reading. */
  ageDays: number;
}

/**
 * Consecutive intervals of at least {@link MIN_PAIR_DAYS}, newest first (shorter gaps are
 * merged: a weekend trip is not a rate), each with its rate and recency weight.
 */
function monthlyIntervals(points: readonly Reading[], seasonal: readonly number[] | undefined, latestMs: number): Interval[] {
  const intervals: Interval[] = [];
  let end = points.length - 1;
  for (let i = points.length - 2; i >= 0; i--) {
    const t0 = msOf(points[i]!);
    const t1 = msOf(points[end]!);
    const days = (t1 - t0) / DAY_MS;
    if (days < MIN_PAIR_DAYS) continue;
    const years = seasonalYears(t0, t1, seasonal);
    const ageDays = (latestMs - (t0 + t1) / 2) / DAY_MS;
    if (years > 0) intervals.push({ value: (points[end]!.km - points[i]!.km) / years, weight: days * 0.5 ** (ageDays / HALF_LIFE_DAYS), ageDays });
    end = i;
  }
  return intervals;
}

/**
 * @example
 * estimateRate(readings, cohortFor(fleet, 'MACAN', 'PETROL', 'DE'))
 * // { kmPerYear: 14200, source: 'HISTORY', logSigma: 0.06, … }
 */
export function estimateRate(readings: readonly Reading[], cohort: CohortRate): RateModel {
  const sorted = [...readings].sort((a, b) => a.readAt.localeCompare(b.readAt));
  const points = thinReadings(sorted);
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
    burstKm: 0,
  };
  if (!latest || points.length < 2) return priorOnly;

  const seasonal = seasonalFactors(points);
  const latestMs = msOf(latest);
  const intervals = monthlyIntervals(points, seasonal, msOf(latest));
  if (intervals.length === 0) return priorOnly;

  // Robust: an interval going backwards, or more than 6× the weighted median (a typo, a
  // reading on the wrong car), is left out; a change of habits, a trip and idle months stay in.
  const reference = weightedMedian(intervals);
  const kept = reference > 0 ? intervals.filter((i) => i.value >= 0 && i.value <= OUTLIER_RATIO * reference) : intervals;
  const weightSum = kept.reduce((sum, i) => sum + i.weight, 0);
  const driven = Math.min(MAX_KM_PER_YEAR, Math.max(0, kept.reduce((sum, i) => sum + i.weight * i.value, 0) / weightSum));
  // A car that has not moved is evidence, not certainty: a few idle weeks (in stock, waiting
  // for its owner) say nothing of how it will be driven — the prior alone — and a long idle
  // history is a garage queen, a small rate whose spread still allows it to wake up.
  const idleDays = (msOf(latest) - msOf(points[0]!)) / DAY_MS;
  if (driven <= 0 && idleDays < IDLE_EVIDENCE_DAYS) return priorOnly;
  const rate = Math.max(driven, IDLE_FLOOR * cohort.kmPerYear);

  // Month-to-month variability: the spread of the intervals' log rates around the rate.
  const logs = kept.filter((i) => i.value > 0).map((i) => Math.log(i.value / rate));
  const shortSigma = logs.length >= 4 ? Math.max(0.05, 1.4826 * median(logs.map(Math.abs))) : DEFAULT_SHORT_SIGMA;
  // Kish's effective number of intervals: recency weights leave fewer independent samples than intervals.
  const effective = weightSum ** 2 / kept.reduce((sum, i) => sum + i.weight ** 2, 0);
  const dataAgeDays = kept.reduce((sum, i) => sum + i.weight * i.ageDays, 0) / weightSum;
  // The own estimate's variance: month-to-month noise averaged over the effective intervals.
  const ownVariance = shortSigma ** 2 / effective + 0.02 ** 2;
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
    // From the readings as they came: thinning spaces a long history's points beyond the trip scale.
    burstKm: burstOf(sorted, rate),
  };
}

/** Readings this close show a trip as a jump (monthly ones smooth it into the month's rate). */
const BURST_MAX_GAP_DAYS = 14;

/** The largest distance above the car's pace between close readings (≤ 14 days apart) in the last year. */
function burstOf(points: readonly Reading[], kmPerYear: number): number {
  const latestMs = msOf(points.at(-1)!);
  let burst = 0;
  for (let i = 1; i < points.length; i++) {
    const t0 = msOf(points[i - 1]!);
    const t1 = msOf(points[i]!);
    const days = (t1 - t0) / DAY_MS;
    if (days > BURST_MAX_GAP_DAYS || latestMs - t1 > 365 * DAY_MS) continue;
    burst = Math.max(burst, points[i]!.km - points[i - 1]!.km - (kmPerYear / 365) * days);
  }
  return Math.round(burst);
}

/** σ of ln(average rate) over a projection of `horizonDays` from the last reading. */
export function projectionSigma(model: RateModel, horizonDays: number): number {
  const h = Math.max(1, horizonDays);
  const drift = DRIFT_PER_SQRT_YEAR ** 2 * ((h + model.dataAgeDays) / 365);
  const short = model.source === 'HISTORY' ? model.shortSigma ** 2 * Math.min(1, 30 / h) : 0;
  // Without learned factors the seasons are a risk of their own: a summer's rate projected
  // into winter. It fades as the projection approaches a year (a year holds every season).
  const season = model.seasonal ? 0 : UNKNOWN_SEASON_SIGMA ** 2 * Math.max(0, 1 - h / 365);
  return Math.sqrt(model.logSigma ** 2 + short + drift + season);
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
export const Z = { lateRisk: 2.3263, p10: 1.2816 } as const; // lateRisk: the 1 % quantile (REMINDER_LATE_RISK)

/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
