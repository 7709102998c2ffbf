import { describe, expect, it } from 'vitest';
import { batteryHealthOf, cohortPercentile, sohTrendPctPerYear, type SohPoint } from '../../src/vehicle/battery-health.js';

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();
/** Readings every `every` days from 2026-01-01 on a straight line `start + perYear × t`, plus `noise(i)`. */
const line = (count: number, every: number, start: number, perYear: number, noise: (i: number) => number = () => 0): SohPoint[] =>
  Array.from({ length: count }, (_, i) => ({ pct: start + (perYear * i * every) / 365.25 + noise(i), readAt: day(i * every) }));

describe('battery trend (Theil–Sen over readings a month apart)', () => {
  it('recovers the slope of a clean line, in % per year', () => {
    expect(sohTrendPctPerYear(line(20, 14, 98, -3))).toBeCloseTo(-3, 2);
  });

  it('is null until two readings are 90 days apart (a month of ±0.5 % jitter would read as −12 %/year)', () => {
    expect(sohTrendPctPerYear(line(90, 1, 98, -20))).toBeNull(); // 89 days of daily readings
    expect(sohTrendPctPerYear([{ pct: 98, readAt: day(0) }, { pct: 97.9, readAt: day(90) }])).toBeCloseTo((-0.1 / 90) * 365.25, 2);
    expect(sohTrendPctPerYear([])).toBeNull();
  });

  it('is not moved by a few wild readings, unlike a least-squares line', () => {
    // A year of weekly readings losing 2 %/year, with ±0.4 % jitter and three readings of a recalibrating BMS far off.
    const points = line(52, 7, 97, -2, (i) => (i % 2 ? 0.4 : -0.4) + ([10, 11, 40].includes(i) ? -15 : 0));
    const trend = sohTrendPctPerYear(points)!;
    expect(trend).toBeGreaterThan(-2.3);
    expect(trend).toBeLessThan(-1.7);
  });

  it('ignores jitter between close readings: daily noise of ± 0.5 % over a quarter does not read as a fast loss', () => {
    const points = line(90, 1, 95, 0, (i) => (i % 3 === 0 ? 0.5 : i % 3 === 1 ? -0.5 : 0));
    expect(Math.abs(sohTrendPctPerYear(points)!)).toBeLessThan(0.5);
  });

  it('reads the readings in time order whatever order they come in', () => {
    const points = line(10, 20, 99, -4);
    expect(sohTrendPctPerYear([...points].reverse())).toBe(sohTrendPctPerYear(points));
  });
});

describe('battery health summary', () => {
  it('is the latest reading, the trend and the count', () => {
    const points = [
      { pct: 100, readAt: '2025-01-01T00:00:00.000Z' },
      { pct: 98, readAt: '2026-01-01T00:00:00.000Z' },
      { pct: 99, readAt: '2025-07-02T12:00:00.000Z' },
    ];
    expect(batteryHealthOf(points)).toEqual({ stateOfHealthPct: 98, trendPctPerYear: -2, lastReadAt: '2026-01-01T00:00:00.000Z', readings: 3 });
  });

  it('counts every stored reading, also those older than the ones at hand', () => {
    expect(batteryHealthOf(line(3, 40, 96, -1), 250)?.readings).toBe(250);
    expect(batteryHealthOf(line(3, 40, 96, -1), 1)?.readings).toBe(3);
  });

  it('is null without readings, and has no trend from one reading', () => {
    expect(batteryHealthOf([])).toBeNull();
    expect(batteryHealthOf([{ pct: 91.5, readAt: day(0) }])).toEqual({ stateOfHealthPct: 91.5, trendPctPerYear: null, lastReadAt: day(0), readings: 1 });
  });
});

describe('percentile of a trend in its cohort', () => {
  // 21 quantiles p0 … p100 of a cohort's trends: from −10 %/yr (fastest loss) to +10.
  const quantiles = Array.from({ length: 21 }, (_, i) => i - 10);

  it('places a trend between the quantiles, higher for slower loss', () => {
    expect(cohortPercentile(-2, quantiles)).toBe(40);
    expect(cohortPercentile(-2.5, quantiles)).toBe(37.5);
    expect(cohortPercentile(-9, quantiles)).toBeLessThan(cohortPercentile(-1, quantiles)!);
  });

  it('clamps to 0 and 100 outside the cohort', () => {
    expect(cohortPercentile(-40, quantiles)).toBe(0);
    expect(cohortPercentile(3_000, quantiles)).toBe(100);
    expect(cohortPercentile(-10, quantiles)).toBe(0);
    expect(cohortPercentile(10, quantiles)).toBe(100);
  });

  it('takes the middle of a run of equal quantiles (many cars with the same trend)', () => {
    const flat = [-6, -4, -2, -2, -2, -2, -2, -1, -1, -1, -1, -1, -1, -1, -1, -1, -0.5, 0, 0, 1, 2];
    expect(cohortPercentile(-2, flat)).toBe(20); // p10 … p30
    expect(cohortPercentile(-1, flat)).toBe(55); // p35 … p75
  });

  it('is null without a trend or a distribution', () => {
    expect(cohortPercentile(null, quantiles)).toBeNull();
    expect(cohortPercentile(-2, undefined)).toBeNull();
    expect(cohortPercentile(-2, [])).toBeNull();
    expect(cohortPercentile(Number.NaN, quantiles)).toBeNull();
  });
});
