import type { BatteryHealth } from './vehicle.js';

/** One state-of-health reading: % of the battery's original capacity at an instant. */
export interface SohPoint {
  pct: number;
  readAt: string;
}

/** A trend needs readings at least this far apart: closer pairs' slopes are mostly measurement noise. */
export const MIN_TREND_SPAN_DAYS = 90;
const DAY_MS = 86_400_000;
const YEAR_DAYS = 365.25;

const round2 = (n: number) => Math.round(n * 100) / 100;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The battery's loss per year, in % of capacity (negative = losing): the median of the
 * slopes between every pair of readings at least {@link MIN_TREND_SPAN_DAYS} apart
 * (Theil–Sen over the pairs that carry information). A single odd reading (a cold cell, a
 * BMS recalibration) moves the median by little, unlike a least-squares line, and readings
 * of several platforms mix safely. Pairs closer than three months are left out: SoH
 * estimates jitter by ± 0.5 %, and 1 % over a month reads as −12 %/year — enough to bring a
 * battery check forward on noise (the planner compares the trend with the cohort's fastest
 * tenth, typically −3 to −4 %/year). Null while no pair is that far apart. Pure.
 *
 * @example
 * sohTrendPctPerYear([{ pct: 98, readAt: '2026-01-01T00:00:00Z' }, { pct: 97, readAt: '2026-07-02T12:00:00Z' }]) // -2
 */
export function sohTrendPctPerYear(points: readonly SohPoint[]): number | null {
  const series = points.map((p) => ({ pct: p.pct, day: Date.parse(p.readAt) / DAY_MS })).sort((a, b) => a.day - b.day);
  const slopes: number[] = [];
  for (let i = 0; i < series.length; i++) {
    for (let j = i + 1; j < series.length; j++) {
      const days = series[j]!.day - series[i]!.day;
      if (days >= MIN_TREND_SPAN_DAYS) slopes.push(((series[j]!.pct - series[i]!.pct) / days) * YEAR_DAYS);
    }
  }
  return slopes.length ? round2(median(slopes)) : null;
}

/**
 * The summary kept on the vehicle: the latest reading, the trend, and how many readings it
 * rests on. `points` are the readings at hand (the newest stored ones and the new ones);
 * `total` counts every reading ever stored, which may be more than are at hand. Null
 * without readings. Pure.
 *
 * @example
 * batteryHealthOf([{ pct: 100, readAt: '2025-01-01T00:00:00Z' }, { pct: 98, readAt: '2026-01-01T00:00:00Z' }])
 * // { stateOfHealthPct: 98, trendPctPerYear: -2, lastReadAt: '2026-01-01T00:00:00Z', readings: 2 }
 */
export function batteryHealthOf(points: readonly SohPoint[], total = points.length): BatteryHealth | null {
  if (points.length === 0) return null;
  // The latest by time; of two at one instant, the later in the list (the newer write).
  const latest = points.reduce((a, b) => (b.readAt >= a.readAt ? b : a));
  return { stateOfHealthPct: latest.pct, trendPctPerYear: sohTrendPctPerYear(points), lastReadAt: latest.readAt, readings: Math.max(total, points.length) };
}

/**
 * Where a trend lies in its cohort, 0–100 (higher = healthier: it loses capacity more
 * slowly than that share of the cohort). `quantiles` are the cohort's trends at p0, p5, …,
 * p100 (ascending); between two it is interpolated linearly, and on a run of equal
 * quantiles it takes the run's middle. Null without a trend or a usable distribution. Pure.
 *
 * @example
 * cohortPercentile(-2, [-10, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) // 40
 */
export function cohortPercentile(trend: number | null, quantiles: readonly number[] | undefined): number | null {
  if (trend === null || !quantiles || quantiles.length < 2 || !Number.isFinite(trend)) return null;
  const q = [...quantiles].sort((a, b) => a - b);
  const step = 100 / (q.length - 1);
  if (trend < q[0]!) return 0;
  if (trend > q[q.length - 1]!) return 100;
  // Equal to one or more quantiles: the middle of their percentiles.
  const equal = q.flatMap((v, i) => (v === trend ? [i] : []));
  if (equal.length) return round2(((equal[0]! + equal[equal.length - 1]!) / 2) * step);
  const upper = q.findIndex((v) => v > trend);
  const lower = upper - 1;
  const share = (trend - q[lower]!) / (q[upper]! - q[lower]!);
  return round2((lower + share) * step);
}
