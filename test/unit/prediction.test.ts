import { describe, expect, it } from 'vitest';
import { addDays, addMonths, weekStart } from '../../src/service/calendar.js';
import { estimateMileageRate, itemsDueBy, planService, type ReadingPoint, type VehicleServiceInput } from '../../src/service/prediction.js';

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

describe('Function: planService', () => {
  it.each([
    {
      name: 'calendar-bound: a low-mileage car is due by the calendar, with full confidence',
      input: macan({ readings: series('2025-01-10', 13, 30, 400) }),
      code: 'OIL_SERVICE',
      expected: { dueDate: '2026-01-10', basis: 'CALENDAR', dueOdometerKm: 15_000, confidence: 1 },
    },
    {
      name: 'mileage-bound: a high-mileage car reaches 15,000 km in under four months',
      // 4,000 km every 30 days = 48,667 km/year; 3,000 km left on 2026-04-01 → 22.5 days
      input: macan({ purchaseDate: '2026-01-01', readings: series('2026-01-01', 4, 30, 4_000) }),
      code: 'OIL_SERVICE',
      expected: { dueDate: '2026-04-24', basis: 'MILEAGE', dueOdometerKm: 15_000, confidence: 0.4 },
    },
    {
      name: 'one reading: the fleet default (Macan 15,000 km/year) and a low confidence',
      input: macan({ purchaseDate: '2026-06-01', readings: [{ km: 10, readAt: '2026-06-01T10:00:00.000Z' }] }),
      code: 'OIL_SERVICE',
      expected: { dueDate: '2027-06-01', basis: 'CALENDAR', dueOdometerKm: 15_010, confidence: 0.2 },
    },
    {
      name: 'idle car: no distance is ever reached, the calendar decides with certainty',
      input: macan({ readings: series('2025-01-10', 10, 60, 0, 5_000), lastServiced: { OIL_SERVICE: { date: '2025-06-01', km: 5_000 } } }),
      code: 'OIL_SERVICE',
      expected: { dueDate: '2026-06-01', basis: 'CALENDAR', dueOdometerKm: 20_000, confidence: 1 },
    },
    {
      name: 'car just serviced: the interval starts again from the visit',
      input: macan({ readings: series('2025-01-10', 13, 30, 1_000), lastServiced: { OIL_SERVICE: { date: '2025-12-31', km: 12_000 } } }),
      code: 'OIL_SERVICE',
      // 1,000 km / 30 days = 12,167 km/year: 15,000 km more takes 15 months, so the calendar wins
      expected: { dueDate: '2026-12-31', basis: 'CALENDAR', dueOdometerKm: 27_000 },
    },
    {
      name: 'distance already passed: due the day the odometer passed it, certain',
      input: macan({ readings: [{ km: 0, readAt: '2025-01-10T00:00:00.000Z' }, { km: 10_000, readAt: '2025-05-10T00:00:00.000Z' }, { km: 20_000, readAt: '2025-09-07T00:00:00.000Z' }] }),
      code: 'OIL_SERVICE',
      // halfway between 10,000 (05-10) and 20,000 (09-07): 60 of 120 days
      expected: { dueDate: '2025-07-09', basis: 'MILEAGE', dueOdometerKm: 15_000, confidence: 1 },
    },
    {
      name: 'time-only items carry no distance and are certain',
      input: macan({ readings: series('2025-01-10', 13, 30, 3_000) }),
      code: 'BRAKE_FLUID',
      expected: { dueDate: '2027-01-10', basis: 'CALENDAR', confidence: 1 },
    },
  ])('$name', ({ input, code, expected }) => {
    const prediction = item(planService(input), code);
    expect(prediction).toMatchObject(expected);
    if (!('dueOdometerKm' in expected)) expect(prediction.dueOdometerKm).toBeUndefined();
  });

  it('plans only the items of the powertrain: an electric car has no oil but a high-voltage check', () => {
    const codes = planService({ modelLine: 'TAYCAN', powertrain: 'ELECTRIC', purchaseDate: '2025-01-01', readings: [], lastServiced: {} }).items.map((i) => i.code);
    expect(codes).toContain('HV_BATTERY_CHECK');
    expect(codes).toContain('EV_COOLANT');
    expect(codes).not.toContain('OIL_SERVICE');
    const hybrid = planService({ modelLine: 'CAYENNE', powertrain: 'HYBRID', purchaseDate: '2025-01-01', readings: [], lastServiced: {} }).items.map((i) => i.code);
    expect(hybrid).toEqual(expect.arrayContaining(['OIL_SERVICE', 'HV_BATTERY_CHECK']));
  });

  it('lists items soonest first', () => {
    const dates = planService(macan({ readings: series('2025-01-10', 13, 30, 1_000) })).items.map((i) => i.dueDate);
    expect(dates).toEqual([...dates].sort());
  });
});

describe('Function: estimateMileageRate', () => {
  it('ignores an outlier reading that a first-to-last or last-two average would follow', () => {
    const readings = series('2025-01-01', 13, 30, 1_000);
    readings[6] = { ...readings[6]!, km: 40_000 }; // a typo in a legacy import
    const rate = estimateMileageRate(readings, 8_000);
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
    const rate = estimateMileageRate(readings, 8_000);
    expect(rate.kmPerYear).toBeGreaterThan(10_000);
    expect(rate.kmPerYear).toBeLessThan(12_500);
  });

  it('falls back to the fleet default when no two readings are a month apart', () => {
    expect(estimateMileageRate([{ km: 0, readAt: '2026-01-01T00:00:00Z' }, { km: 900, readAt: '2026-01-20T00:00:00Z' }], 8_000)).toEqual({ kmPerYear: 8_000, source: 'FLEET_DEFAULT', quality: 0.2 });
    expect(estimateMileageRate([], 8_000).source).toBe('FLEET_DEFAULT');
  });

  it('grows in quality with a longer, consistent history', () => {
    const short = estimateMileageRate(series('2026-01-01', 4, 30, 1_000), 8_000).quality;
    const long = estimateMileageRate(series('2025-01-01', 13, 30, 1_000), 8_000).quality;
    expect(long).toBeGreaterThan(short);
    expect(long).toBeGreaterThanOrEqual(0.95);
  });
});

describe('Function: itemsDueBy', () => {
  it('bundles the items due within the 14-day lead window of a visit', () => {
    const items = [
      { code: 'A', dueDate: '2026-12-01', basis: 'CALENDAR' as const, confidence: 1 },
      { code: 'B', dueDate: '2026-12-15', basis: 'CALENDAR' as const, confidence: 1 },
      { code: 'C', dueDate: '2026-12-16', basis: 'CALENDAR' as const, confidence: 1 },
    ];
    expect(itemsDueBy(items, '2026-12-01').map((i) => i.code)).toEqual(['A', 'B']);
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
