import { describe, expect, it } from 'vitest';
import { addDays, addMonths, daysBetween, weekStart } from '../../src/service/calendar.js';
import { cohortFor, type FleetRates } from '../../src/fleet-rates/fleet-rates.js';
import { dayReaching, estimateRate, projectionSigma, seasonalFactors } from '../../src/service/mileage-model.js';
import { dueByProbability, dueWindowOf, itemsDueBy, planService, type ItemPrediction, type ReadingPoint, type VehicleServiceInput } from '../../src/service/prediction.js';

/** Readings every `stepDays` from `start`, `kmPerStep` apart. */
function series(start: string, count: number, stepDays: number, kmPerStep: number, startKm = 0): ReadingPoint[] {
  return Array.from({ length: count }, (_, i) => ({ km: startKm + i * kmPerStep, readAt: `${addDays(start, i * stepDays)}T09:00:00.000Z` }));
}

const macan = (overrides: Partial<VehicleServiceInput>): VehicleServiceInput => ({
  modelLine: 'MACAN',
  powertrain: 'PETROL',
  purchaseDate: '2025-01-10',
  readings: [],
  lastServiced: {},
  ...overrides,
});
const item = (plan: ReturnType<typeof planService>, code: string) => plan.items.find((i) => i.code === code)!;
const table = cohortFor(null, 'MACAN', 'PETROL');
/** A fleet whose German Macans drive 20,000 km a year, give or take 30 %. */
const fleet: FleetRates = {
  version: 1,
  computedAt: '2026-01-01T00:00:00.000Z',
  minCars: 20,
  cohorts: { 'MACAN#PETROL#DE': { cohort: 'MACAN#PETROL#DE', cars: 120, kmPerYear: 20_000, logSpread: 0.3 } },
  dealerCountries: {},
};

describe('Function: planService', () => {
  it('calendar-bound: a low-mileage car is due by the calendar, its window one day, all but certain', () => {
    const oil = item(planService(macan({ readings: series('2025-01-10', 13, 30, 400) })), 'OIL_SERVICE');
    expect(oil).toMatchObject({ dueDate: '2026-01-10', basis: 'CALENDAR', dueOdometerKm: 15_000, dueWindow: { earliest: '2026-01-10', likely: '2026-01-10', latest: '2026-01-10' }, earlyDue: '2026-01-10' });
    expect(oil.confidence).toBeGreaterThanOrEqual(0.99);
  });

  it('mileage-bound: the window brackets the point projection, the reminder aims before the window opens', () => {
    // 4,000 km every 30 days ≈ 48,667 km/year; 3,000 km left on 2026-04-01 → about 23 days
    const oil = item(planService(macan({ purchaseDate: '2026-01-01', readings: series('2026-01-01', 4, 30, 4_000) })), 'OIL_SERVICE');
    expect(oil.basis).toBe('MILEAGE');
    expect(Math.abs(daysBetween('2026-04-24', oil.dueDate))).toBeLessThanOrEqual(4);
    const w = dueWindowOf(oil);
    expect(w.earliest < w.likely && w.likely < w.latest).toBe(true);
    expect(oil.confidence).toBe(0.8);
    // Three weeks out on a month-old reading: the likely date is too risky, the reminder aims earlier.
    expect(oil.earlyDue! < w.likely).toBe(true);
  });

  it('aims the reminder at the likely date when the window is narrow, at the 1 % quantile + 14 days when it is wide', () => {
    // Weekly readings, 120 km a day, 1,000 km to go: a narrow window.
    const weekly = series('2025-06-01', 40, 7, 840);
    const narrow = item(planService(macan({ purchaseDate: '2025-06-01', readings: weekly, lastServiced: { OIL_SERVICE: { date: '2025-06-01', km: 32_760 - 14_000 } } })), 'OIL_SERVICE');
    expect(narrow.earlyDue).toBe(narrow.dueDate);
    // One reading: the table's rate, ±50 %: the reminder goes out long before the likely date.
    const wide = item(planService(macan({ purchaseDate: '2026-06-01', readings: [{ km: 10, readAt: '2026-06-01T10:00:00.000Z' }] })), 'OIL_SERVICE');
    expect(daysBetween(wide.earlyDue!, wide.dueWindow!.earliest)).toBeGreaterThan(0);
  });

  it('one reading and no fleet rates: the table default, a wide window capped by the calendar', () => {
    const plan = planService(macan({ purchaseDate: '2026-06-01', readings: [{ km: 10, readAt: '2026-06-01T10:00:00.000Z' }] }));
    expect(plan.rate).toMatchObject({ source: 'FLEET_DEFAULT', kmPerYear: 15_000, quality: 0, cohort: 'MACAN#PETROL#DEFAULT' });
    const oil = item(plan, 'OIL_SERVICE');
    expect(oil.dueWindow).toMatchObject({ likely: '2027-06-01', latest: '2027-06-01' });
    // 15,000 km at a rate that may well be 40 % higher: the window opens months before the calendar date.
    expect(daysBetween(oil.dueWindow!.earliest, '2027-06-01')).toBeGreaterThan(90);
    // The window holds the calendar date unless the car drives faster than its p10 rate: 0.9.
    expect(oil.confidence).toBeCloseTo(0.9, 1);
  });

  it('one reading with learned rates: the cohort of its country is the prior', () => {
    const plan = planService({ ...macan({ purchaseDate: '2026-06-01', readings: [{ km: 10, readAt: '2026-06-01T10:00:00.000Z' }] }), fleet, country: 'DE' });
    expect(plan.rate).toMatchObject({ source: 'COHORT', kmPerYear: 20_000, cohort: 'MACAN#PETROL#DE' });
    // 15,000 km at 20,000 km/year ≈ 274 days: the distance comes first.
    const oil = item(plan, 'OIL_SERVICE');
    expect(oil.basis).toBe('MILEAGE');
    expect(Math.abs(daysBetween('2027-03-02', oil.dueDate))).toBeLessThanOrEqual(3);
    // …in a country without a cohort of its own, the line-wide cohort or the table.
    expect(planService({ ...macan({ readings: [{ km: 10, readAt: '2026-06-01T10:00:00.000Z' }] }), fleet, country: 'FR' }).rate.source).toBe('FLEET_DEFAULT');
  });

  it('idle car: no distance is ever reached, the calendar decides with certainty', () => {
    const oil = item(planService(macan({ readings: series('2025-01-10', 10, 60, 0, 5_000), lastServiced: { OIL_SERVICE: { date: '2025-06-01', km: 5_000 } } })), 'OIL_SERVICE');
    expect(oil).toMatchObject({ dueDate: '2026-06-01', basis: 'CALENDAR', dueOdometerKm: 20_000, confidence: 1 });
  });

  it('car just serviced: the interval starts again from the visit', () => {
    const oil = item(planService(macan({ readings: series('2025-01-10', 13, 30, 1_000), lastServiced: { OIL_SERVICE: { date: '2025-12-31', km: 12_000 } } })), 'OIL_SERVICE');
    // 1,000 km / 30 days = 12,167 km/year: 15,000 km more takes 15 months, so the calendar wins
    expect(oil).toMatchObject({ dueDate: '2026-12-31', basis: 'CALENDAR', dueOdometerKm: 27_000 });
  });

  it('distance already passed: due the day the odometer passed it, certain', () => {
    const readings = [{ km: 0, readAt: '2025-01-10T00:00:00.000Z' }, { km: 10_000, readAt: '2025-05-10T00:00:00.000Z' }, { km: 20_000, readAt: '2025-09-07T00:00:00.000Z' }];
    // halfway between 10,000 (05-10) and 20,000 (09-07): 60 of 120 days
    expect(item(planService(macan({ readings })), 'OIL_SERVICE')).toMatchObject({ dueDate: '2025-07-09', basis: 'MILEAGE', dueOdometerKm: 15_000, confidence: 1, earlyDue: '2025-07-09' });
  });

  it('time-only items carry no distance and are certain', () => {
    const fluid = item(planService(macan({ readings: series('2025-01-10', 13, 30, 3_000) })), 'BRAKE_FLUID');
    expect(fluid).toMatchObject({ dueDate: '2027-01-10', basis: 'CALENDAR', confidence: 1 });
    expect(fluid.dueOdometerKm).toBeUndefined();
  });

  it('plans only the items of the powertrain: an electric car has no oil but a high-voltage check', () => {
    const codes = planService({ modelLine: 'TAYCAN', powertrain: 'ELECTRIC', purchaseDate: '2025-01-01', readings: [], lastServiced: {} }).items.map((i) => i.code);
    expect(codes).toContain('HV_BATTERY_CHECK');
    expect(codes).toContain('EV_COOLANT');
    expect(codes).not.toContain('OIL_SERVICE');
    const hybrid = planService({ modelLine: 'CAYENNE', powertrain: 'HYBRID', purchaseDate: '2025-01-01', readings: [], lastServiced: {} }).items.map((i) => i.code);
    expect(hybrid).toEqual(expect.arrayContaining(['OIL_SERVICE', 'HV_BATTERY_CHECK']));
  });

  it("lists items soonest first, and the plan's reminder anchor is the earliest of its items", () => {
    const plan = planService(macan({ readings: series('2025-01-10', 13, 30, 1_000) }));
    const dates = plan.items.map((i) => i.dueDate);
    expect(dates).toEqual([...dates].sort());
    expect(plan.earlyDue).toBe(plan.items.map((i) => i.earlyDue!).sort()[0]);
  });

  it('a battery losing health faster than its cohort brings the high-voltage check within a month of the reading', () => {
    const taycan = (trendPctPerYear: number, stateOfHealthPct = 95) =>
      planService({
        modelLine: 'TAYCAN',
        powertrain: 'ELECTRIC',
        purchaseDate: '2025-01-01',
        readings: series('2025-01-01', 12, 30, 1_000),
        lastServiced: {},
        fleet: { ...fleet, cohorts: { 'TAYCAN#ELECTRIC#*': { cohort: 'TAYCAN#ELECTRIC#*', cars: 50, kmPerYear: 15_000, logSpread: 0.4, sohTrend: { cars: 50, p10: -3, p50: -1.5, p90: -0.8, quantiles: [] } } } },
        battery: { stateOfHealthPct, trendPctPerYear, lastReadAt: '2025-11-01T00:00:00.000Z', readings: 10 },
      });
    expect(item(taycan(-5), 'HV_BATTERY_CHECK').dueDate).toBe('2025-12-01');
    expect(item(taycan(-1.2), 'HV_BATTERY_CHECK').dueDate).toBe('2027-01-01');
    expect(item(taycan(-1.2, 78), 'HV_BATTERY_CHECK').dueDate).toBe('2025-12-01');
  });
});

describe('Planner edge cases found by a hostile review', () => {
  it('a car that stood still for its first weeks (in stock) is planned from its cohort, not as never driving', () => {
    const plan = planService(macan({ purchaseDate: '2026-01-01', readings: [{ km: 10, readAt: '2026-01-01T09:00:00Z' }, { km: 10, readAt: '2026-03-01T09:00:00Z' }] }));
    expect(plan.rate).toMatchObject({ source: 'FLEET_DEFAULT', kmPerYear: 15_000 });
    const oil = item(plan, 'OIL_SERVICE');
    // It may well be driven 15,000 km before the calendar date: the window opens months earlier.
    expect(daysBetween(oil.dueWindow!.earliest, '2027-01-01')).toBeGreaterThan(60);
  });

  it('a long idle history is a garage queen: a small rate, still not certainty of never driving', () => {
    const rate = estimateRate(series('2025-01-10', 10, 60, 0, 5_000), table);
    expect(rate.kmPerYear).toBeGreaterThan(0);
    expect(rate.kmPerYear).toBeLessThan(1_500);
    expect(rate.logSigma).toBeGreaterThan(0);
  });

  it('keeps a battery check brought forward when later readings arrive (it would otherwise slide 30 days with each)', () => {
    const input = {
      modelLine: 'TAYCAN' as const,
      powertrain: 'ELECTRIC' as const,
      purchaseDate: '2025-01-01',
      readings: series('2025-01-01', 12, 30, 1_000),
      lastServiced: {},
      battery: { stateOfHealthPct: 78, trendPctPerYear: -6, lastReadAt: '2025-11-01T00:00:00.000Z', readings: 10 },
    };
    const first = item(planService(input), 'HV_BATTERY_CHECK').dueDate;
    expect(first).toBe('2025-12-01');
    const later = planService({ ...input, battery: { ...input.battery, lastReadAt: '2025-11-20T00:00:00.000Z' }, previousBatteryCheckDue: first });
    expect(item(later, 'HV_BATTERY_CHECK').dueDate).toBe('2025-12-01');
  });

  it('a stored cohort with a zero spread or rate cannot make every plan NaN', () => {
    const broken: FleetRates = { ...fleet, cohorts: { 'MACAN#PETROL#DE': { cohort: 'MACAN#PETROL#DE', cars: 50, kmPerYear: 0, logSpread: 0 } } };
    const oil = item(planService({ ...macan({ readings: [{ km: 10, readAt: '2026-06-01T10:00:00.000Z' }] }), fleet: broken, country: 'DE' }), 'OIL_SERVICE');
    expect(Number.isNaN(Date.parse(oil.dueDate))).toBe(false);
    expect(cohortFor(broken, 'MACAN', 'PETROL', 'DE')).toMatchObject({ kmPerYear: 1, logSpread: 0.1 });
  });
});

describe('Function: estimateRate', () => {
  it('ignores an outlier reading that a first-to-last or last-two average would follow', () => {
    const readings = series('2025-01-01', 13, 30, 1_000);
    readings[6] = { ...readings[6]!, km: 40_000 }; // a typo in a legacy import
    const rate = estimateRate(readings, table);
    expect(rate.source).toBe('HISTORY');
    expect(rate.kmPerYear).toBeGreaterThan(12_167 * 0.97);
    expect(rate.kmPerYear).toBeLessThan(12_167 * 1.03);
  });

  it('copes with irregular, sparse readings', () => {
    const readings = [
      { km: 0, readAt: '2024-01-01T00:00:00Z' },
      { km: 1_000, readAt: '2024-02-01T00:00:00Z' },
      { km: 11_000, readAt: '2024-12-20T00:00:00Z' },
      { km: 22_500, readAt: '2026-01-05T00:00:00Z' },
    ];
    const rate = estimateRate(readings, table);
    expect(rate.kmPerYear).toBeGreaterThan(10_000);
    expect(rate.kmPerYear).toBeLessThan(12_500);
  });

  it('is the prior alone when no two readings are a month apart', () => {
    expect(estimateRate([{ km: 0, readAt: '2026-01-01T00:00:00Z' }, { km: 900, readAt: '2026-01-20T00:00:00Z' }], table)).toMatchObject({ kmPerYear: 15_000, source: 'FLEET_DEFAULT', quality: 0, logSigma: 0.5 });
    expect(estimateRate([], cohortFor(fleet, 'MACAN', 'PETROL', 'DE'))).toMatchObject({ kmPerYear: 20_000, source: 'COHORT', logSigma: 0.3 });
  });

  it("leans on the cohort while the car's own history is short, and on the car once it is long", () => {
    const prior = cohortFor(fleet, 'MACAN', 'PETROL', 'DE'); // 20,000 km/year
    const short = estimateRate(series('2026-01-01', 2, 35, 700), prior); // ≈ 7,300 km/year over five weeks
    const long = estimateRate(series('2025-01-01', 13, 30, 600), prior); // ≈ 7,300 km/year over a year
    expect(short.kmPerYear).toBeGreaterThan(7_500);
    expect(long.kmPerYear).toBeLessThan(7_500);
    expect(long.quality).toBeGreaterThan(short.quality);
    expect(long.logSigma).toBeLessThan(short.logSigma);
  });

  it('follows a change of habits: recent slopes weigh more', () => {
    // 6,000 km/year for two years, then 18,000 km/year for the last five months.
    const before = series('2024-01-01', 25, 30, 500);
    const after = series(addDays('2024-01-01', 25 * 30), 5, 30, 1_500, 12_000);
    const rate = estimateRate([...before, ...after], table);
    // An unweighted median of all slopes stays near 6,000; the weighted one moves well towards 18,000.
    expect(rate.kmPerYear).toBeGreaterThan(9_000);
  });

  it("learns a summer car's seasons and projects its winter slower than its summer", () => {
    // 2 years of weekly readings: 3× as much driving May–September as the rest of the year.
    const readings: ReadingPoint[] = [];
    let km = 0;
    for (let day = '2024-01-01'; day <= '2025-12-31'; day = addDays(day, 7)) {
      readings.push({ km: Math.round(km), readAt: `${day}T08:00:00.000Z` });
      const month = Number(day.slice(5, 7));
      km += 7 * (month >= 5 && month <= 9 ? 45 : 15);
    }
    const rate = estimateRate(readings, table);
    expect(rate.seasonal).toHaveLength(12);
    expect(rate.seasonal![6]!).toBeGreaterThan(1.5 * rate.seasonal![0]!);
    // 2,000 km from the end of December take far longer than from the end of June would.
    const winter = dayReaching(rate, 2_000, rate.kmPerYear)!;
    expect(daysBetween(rate.from.day, winter)).toBeGreaterThan(2_000 / 45 + 30);
    expect(seasonalFactors(series('2024-01-01', 100, 7, 300))).toBeUndefined(); // no pattern, no factors
  });

  it('grows more uncertain the further it projects, and more so while its seasons are unknown', () => {
    const flat = estimateRate(series('2025-01-01', 13, 30, 1_000), table);
    const learned = { ...flat, seasonal: Array.from({ length: 12 }, () => 1) };
    expect(projectionSigma(learned, 30)).toBeLessThan(projectionSigma(learned, 180));
    expect(projectionSigma(learned, 180)).toBeLessThan(projectionSigma(learned, 720));
    // A summer's rate projected into winter: unknown seasons widen every projection under a year.
    expect(projectionSigma(flat, 90)).toBeGreaterThan(projectionSigma(learned, 90) + 0.05);
    expect(projectionSigma(flat, 400)).toBeCloseTo(projectionSigma(learned, 400), 6);
  });
});

describe('Function: dueByProbability', () => {
  const uncertain: ItemPrediction = { code: 'OIL_SERVICE', dueDate: '2026-06-01', basis: 'MILEAGE', confidence: 0.8, dueWindow: { earliest: '2026-05-10', likely: '2026-06-01', latest: '2026-06-30' } };

  it('spreads an uncertain date so that about 80 % of it lies in the window, all of it over a wide range', () => {
    const total = dueByProbability(uncertain, '2028-01-01') - dueByProbability(uncertain, '2024-12-31');
    const inWindow = dueByProbability(uncertain, '2026-06-30') - dueByProbability(uncertain, '2026-05-09');
    expect(total).toBeCloseTo(1, 2);
    expect(inWindow).toBeGreaterThan(0.75);
    expect(inWindow).toBeLessThan(0.85);
    expect(dueByProbability(uncertain, '2026-06-01')).toBeCloseTo(0.5, 1);
  });

  it("puts a fixed date's whole mass on its day", () => {
    const fixed: ItemPrediction = { code: 'BRAKE_FLUID', dueDate: '2026-06-01', basis: 'CALENDAR', confidence: 1 };
    expect([dueByProbability(fixed, '2026-05-31'), dueByProbability(fixed, '2026-06-01'), dueByProbability(fixed, '2026-07-31')]).toEqual([0, 1, 1]);
  });
});

describe('Function: itemsDueBy', () => {
  it('bundles the items whose reminder anchor falls within the 14-day lead window of a visit', () => {
    const items: ItemPrediction[] = [
      { code: 'A', dueDate: '2026-12-01', basis: 'CALENDAR', confidence: 1 },
      { code: 'B', dueDate: '2026-12-15', basis: 'CALENDAR', confidence: 1 },
      { code: 'C', dueDate: '2026-12-16', basis: 'CALENDAR', confidence: 1 },
      // likely later, but its early quantile is inside the lead window: it is reminded too
      { code: 'D', dueDate: '2027-01-20', basis: 'MILEAGE', confidence: 0.8, earlyDue: '2026-12-10' },
    ];
    expect(itemsDueBy(items, '2026-12-01').map((i) => i.code)).toEqual(['A', 'B', 'D']);
  });
});

describe('Calendar', () => {
  it('adds months clamping to the end of the month, and finds ISO week starts', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2025-11-15', 14)).toBe('2027-01-15');
    expect(weekStart('2026-11-21')).toBe('2026-11-16');
    expect(weekStart('2026-11-16')).toBe('2026-11-16');
  });
});
