import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/service/calendar.js';
import { buildForecast, countBand, MAX_VEHICLES_PER_DAY, visitDayProbabilities } from '../../src/service/forecast.js';
import { dueByProbability, type ItemPrediction } from '../../src/service/prediction.js';
import { dayMass, uncertainItem } from '../support/predictions.js';
import { makeVehicle, type VehicleRecord } from '../../src/vehicle/vehicle.js';

let serial = 900_000;
const rate = { kmPerYear: 10_000, source: 'HISTORY', quality: 1 } as const;
const car = (...items: ItemPrediction[]): VehicleRecord => makeVehicle({ vin: `WP0ZZZ99ZTS${serial--}`, servicePlan: { rate, items } });
/** A date certain: a time-only item, or a plan stored before due windows (no window at all). */
const fixed = (code: string, date: string, stored: 'window' | 'old' = 'window'): ItemPrediction => ({
  code,
  dueDate: date,
  basis: 'CALENDAR',
  confidence: 1,
  ...(stored === 'window' ? { dueWindow: { earliest: date, likely: date, latest: date }, earlyDue: date } : {}),
});
const uncertain = uncertainItem;
const total = (values: Iterable<number>) => [...values].reduce((sum, v) => sum + v, 0);

/** The exact p-quantile of a Poisson-binomial count (dynamic programming over the cars). */
function exactQuantile(probabilities: number[], q: number): number {
  let dist = [1];
  for (const p of probabilities) {
    const next = new Array<number>(dist.length + 1).fill(0);
    dist.forEach((mass, k) => {
      next[k]! += mass * (1 - p);
      next[k + 1]! += mass * p;
    });
    dist = next;
  }
  let cumulative = 0;
  for (const [k, mass] of dist.entries()) if ((cumulative += mass) >= q - 1e-12) return k;
  return dist.length - 1;
}

describe('Function: visitDayProbabilities', () => {
  it('puts all of a fixed date on its day, also for plans stored before windows', () => {
    for (const stored of ['window', 'old'] as const) {
      const days = visitDayProbabilities([fixed('BRAKE_FLUID', '2026-12-05', stored)], '2026-12-01', '2026-12-14');
      expect([...days]).toEqual([['2026-12-05', 1]]);
    }
  });

  it('is the item’s own due-day distribution for a car with one uncertain item', () => {
    const item = uncertain('OIL_SERVICE', '2026-11-25', '2026-12-08', '2027-01-10');
    const days = visitDayProbabilities([item], '2026-12-01', '2026-12-14');
    expect(days.size).toBe(14);
    for (const [day, p] of days) expect(p).toBeCloseTo(dayMass(item, day), 9);
  });

  it('follows whichever item comes first: an uncertain item may bring the visit before a fixed one', () => {
    // Prepare: brake fluid is certain on 12-10; the oil service is likely later but may come earlier.
    const brakeFluid = fixed('BRAKE_FLUID', '2026-12-10');
    const oil = uncertain('OIL_SERVICE', '2026-12-02', '2026-12-20', '2027-01-15');

    // Act
    const days = visitDayProbabilities([brakeFluid, oil], '2026-12-01', '2026-12-31');

    // Assess: before 12-10 the oil service's own mass; on 12-10 all that remains; nothing after.
    for (let day = '2026-12-01'; day < '2026-12-10'; day = addDays(day, 1)) expect(days.get(day) ?? 0).toBeCloseTo(dayMass(oil, day), 9);
    expect(days.get('2026-12-10')).toBeCloseTo(1 - dueByProbability(oil, '2026-12-09'), 9);
    expect([...days.keys()].every((day) => day <= '2026-12-10')).toBe(true);
    // With what the oil service may have brought before the period, the car comes once.
    const beforePeriod = dueByProbability(oil, '2026-11-30');
    expect(beforePeriod).toBeGreaterThan(0);
    expect(total(days.values()) + beforePeriod).toBeCloseTo(1, 9);
  });

  it('leaves out what fell due before the period: a car whose window passed adds nothing, one whose window reaches into it adds its remainder', () => {
    const passed = uncertain('OIL_SERVICE', '2026-09-01', '2026-09-20', '2026-10-15');
    const reaching = uncertain('OIL_SERVICE', '2026-10-20', '2026-11-20', '2026-12-20');
    expect(total(visitDayProbabilities([passed], '2026-12-01', '2026-12-31').values())).toBeLessThan(0.01);
    const remainder = total(visitDayProbabilities([reaching], '2026-12-01', '2026-12-31').values());
    // More than the 10 % beyond `latest`, less than the half beyond `likely`.
    expect(remainder).toBeGreaterThan(0.1);
    expect(remainder).toBeLessThan(0.5);
    // And a fixed date before the period: the car is overdue, nothing of it is in the days.
    expect(visitDayProbabilities([fixed('OIL_SERVICE', '2026-11-30'), reaching], '2026-12-01', '2026-12-31').size).toBe(0);
  });
});

describe('Function: countBand', () => {
  it('is a single number for certain cars and contains the mean of uncertain ones', () => {
    expect(countBand([1, 1, 1])).toEqual({ low: 3, high: 3 });
    expect(countBand([])).toEqual({ low: 0, high: 0 });
    expect(countBand([0.5, 0.5])).toEqual({ low: 0, high: 2 });
    for (const probabilities of [[0.05], [0.3, 0.3, 0.3], [0.999, 0.999], Array.from({ length: 30 }, (_, i) => (i % 10) / 10)]) {
      const { low, high } = countBand(probabilities);
      const mean = total(probabilities);
      expect(low).toBeLessThanOrEqual(mean);
      expect(high).toBeGreaterThanOrEqual(mean);
      expect(low).toBeGreaterThanOrEqual(0);
      expect(high).toBeLessThanOrEqual(probabilities.length);
    }
  });

  it('matches the exact p10 and p90 of the count within one car for realistic weeks', () => {
    // Cars of a week: some certain, many with a few percent on the week, some in between.
    const weeks = [
      Array.from({ length: 40 }, () => 0.25),
      [...Array.from({ length: 12 }, () => 1), ...Array.from({ length: 200 }, (_, i) => 0.01 + (i % 7) * 0.01)],
      Array.from({ length: 60 }, (_, i) => (i % 10) / 10 + 0.05),
    ];
    for (const week of weeks) {
      const { low, high } = countBand(week);
      expect(Math.abs(low - exactQuantile(week, 0.1)), `p10 of ${week.length} cars`).toBeLessThanOrEqual(1);
      expect(Math.abs(high - exactQuantile(week, 0.9)), `p90 of ${week.length} cars`).toBeLessThanOrEqual(1);
    }
  });

  it('widens as certain cars are replaced by uncertain ones of the same mean', () => {
    const widths = [0, 10, 20, 40].map((uncertainPairs) => {
      // 40 expected cars: certain ones, or pairs of half-probability ones.
      const probabilities = [...Array.from({ length: 40 - uncertainPairs }, () => 1), ...Array.from({ length: 2 * uncertainPairs }, () => 0.5)];
      const { low, high } = countBand(probabilities);
      return high - low;
    });
    expect(widths[0]).toBe(0);
    for (let i = 1; i < widths.length; i++) expect(widths[i]!).toBeGreaterThan(widths[i - 1]!);
  });
});

describe('Function: buildForecast', () => {
  it(`lists at most ${MAX_VEHICLES_PER_DAY} cars a day by VIN, and still counts every car`, () => {
    // Prepare: more cars certainly due on one day than the list holds (plans stored before windows)
    const due = MAX_VEHICLES_PER_DAY + 10;
    const vehicles = Array.from({ length: due }, () => car(fixed('OIL_SERVICE', '2026-12-03', 'old')));

    // Act
    const forecast = buildForecast(vehicles, '2026-12-01', 7, 0);

    // Assess
    const day = forecast.days.find((d) => d.date === '2026-12-03')!;
    expect(day.expectedVisits).toBe(due);
    expect(forecast).toMatchObject({ expectedVisits: due, low: due, high: due });
    expect(day.vehicles).toHaveLength(MAX_VEHICLES_PER_DAY);
    expect(day.vehicles.map((v) => v.vin)).toEqual(vehicles.map((v) => v.vin).sort().slice(0, MAX_VEHICLES_PER_DAY));
  });

  it('counts a car with a fixed date as one visit on its day, with the items due by then + 14 days', () => {
    const vehicle = car(fixed('BRAKE_FLUID', '2026-12-03'), fixed('CABIN_FILTER', '2026-12-16'), fixed('INSPECTION', '2026-12-30'));
    const forecast = buildForecast([vehicle], '2026-12-01', 14, 0);
    expect(forecast.days.filter((d) => d.expectedVisits > 0)).toEqual([
      { date: '2026-12-03', expectedVisits: 1, items: ['BRAKE_FLUID', 'CABIN_FILTER'].map((code) => ({ item: expect.objectContaining({ code }), count: 1 })), vehicles: [vehicle] },
    ]);
    // 2026-12-01 is a Tuesday: the first week starts on Monday 11-30.
    expect(forecast.weeks.map((w) => [w.weekStart, w.expectedVisits, w.low, w.high])).toEqual([
      ['2026-11-30', 1, 1, 1],
      ['2026-12-07', 0, 0, 0],
      ['2026-12-14', 0, 0, 0],
    ]);
    expect(forecast).toMatchObject({ from: '2026-12-01', to: '2026-12-14', expectedVisits: 1, low: 1, high: 1 });
  });

  it('expects on each day the sum over cars of their probability of falling due that day, and lists each car on its likely day', () => {
    // Prepare: two cars with the same uncertain oil service, a third certain on 12-08.
    const window = ['2026-11-26', '2026-12-08', '2026-12-28'] as const;
    const a = car(uncertain('OIL_SERVICE', ...window));
    const b = car(uncertain('OIL_SERVICE', ...window));
    const c = car(fixed('BRAKE_FLUID', '2026-12-08'));

    // Act
    const forecast = buildForecast([a, b, c], '2026-12-01', 21, 0);

    // Assess: each day holds 2 × the item's probability (+ 1 on 12-08), rounded to 0.01.
    const item = uncertain('OIL_SERVICE', ...window);
    for (const day of forecast.days) {
      const expected = 2 * dayMass(item, day.date) + (day.date === '2026-12-08' ? 1 : 0);
      expect(day.expectedVisits, day.date).toBeCloseTo(expected, 2);
      const oil = day.items.find((i) => i.item.code === 'OIL_SERVICE')?.count ?? 0;
      expect(oil, day.date).toBeCloseTo(2 * dayMass(item, day.date), 2);
    }
    expect(forecast.expectedVisits).toBeCloseTo(2 * (dueByProbability(item, '2026-12-21') - dueByProbability(item, '2026-11-30')) + 1, 2);
    // Half of each uncertain car lies before its likely date, some of it before the period.
    expect(forecast.expectedVisits).toBeGreaterThan(1 + 2 * 0.5);
    expect(forecast.expectedVisits).toBeLessThan(3);
    expect(forecast.days.find((d) => d.date === '2026-12-08')!.vehicles.map((v) => v.vin)).toEqual([a.vin, b.vin, c.vin].sort());
    expect(forecast.days.filter((d) => d.date !== '2026-12-08').every((d) => d.vehicles.length === 0)).toBe(true);
    // Weeks add their days up; their bands hold their means.
    for (const week of forecast.weeks) {
      const days = forecast.days.filter((d) => d.date >= week.weekStart && d.date < addDays(week.weekStart, 7));
      expect(week.expectedVisits).toBeCloseTo(total(days.map((d) => d.expectedVisits)), 1);
      expect(week.low).toBeLessThanOrEqual(week.expectedVisits);
      expect(week.high).toBeGreaterThanOrEqual(week.expectedVisits);
    }
  });

  it('gives a wider band for the same expected number of cars when they are uncertain', () => {
    // Prepare: 20 cars certain in the week of 12-07, or 40 cars each with a window around it.
    const certain = Array.from({ length: 20 }, () => car(fixed('OIL_SERVICE', '2026-12-09')));
    const spread = Array.from({ length: 40 }, () => car(uncertain('OIL_SERVICE', '2026-11-20', '2026-12-10', '2027-01-20')));

    // Act
    const sure = buildForecast(certain, '2026-12-07', 7, 0);
    const unsure = buildForecast(spread, '2026-12-07', 7, 0);

    // Assess
    expect(sure).toMatchObject({ expectedVisits: 20, low: 20, high: 20 });
    expect(unsure.expectedVisits).toBeGreaterThan(0);
    expect(unsure.low).toBeLessThan(unsure.expectedVisits);
    expect(unsure.high).toBeGreaterThan(unsure.expectedVisits);
    expect(unsure.weeks).toEqual([expect.objectContaining({ weekStart: '2026-12-07', low: unsure.low, high: unsure.high })]);
  });

  it('counts an uncertain item at a visit only as far as it is due by then + 14 days given the visit’s day', () => {
    // Prepare: the oil service (15,000 km) is likely in December; the inspection (30,000 km)
    // likely next summer, though a very fast driver (the early end of its window) needs it in
    // December. Both follow the same rate: a car early for its oil service is early for the
    // inspection too, but nowhere near that early.
    const oil = uncertain('OIL_SERVICE', '2026-11-20', '2026-12-10', '2027-01-20');
    const inspection = uncertain('INSPECTION', '2026-12-05', '2027-06-10', '2027-09-01');
    const vehicle = car(oil, inspection);

    // Act
    const forecast = buildForecast([vehicle], '2026-12-01', 21, 0);

    // Assess: every visit needs the oil service; none the inspection, whose reminder anchor
    // (its early date) alone would have put it in every December visit.
    const days = visitDayProbabilities([oil, inspection], '2026-12-01', '2026-12-21');
    for (const day of forecast.days) {
      const counts = Object.fromEntries(day.items.map((i) => [i.item.code, i.count]));
      expect(counts['OIL_SERVICE'] ?? 0, day.date).toBeCloseTo(days.get(day.date) ?? 0, 2);
      expect(counts['INSPECTION'], day.date).toBeUndefined();
    }
    expect(forecast.weeks.flatMap((w) => w.items.map((i) => i.item.code))).not.toContain('INSPECTION');
  });

  it('counts a car once however many items it has, and not at all when its window lies outside the period', () => {
    const many = car(
      uncertain('OIL_SERVICE', '2026-11-28', '2026-12-06', '2026-12-20'),
      uncertain('INSPECTION', '2026-11-28', '2026-12-06', '2026-12-20'),
      uncertain('CABIN_FILTER', '2026-11-28', '2026-12-06', '2026-12-20'),
    );
    const later = car(uncertain('OIL_SERVICE', '2027-06-01', '2027-07-01', '2027-08-01'));
    const forecast = buildForecast([many, later], '2026-11-01', 90, 0);
    expect(forecast.expectedVisits).toBeCloseTo(1, 2);
    expect(forecast.high).toBe(1);
    // Every visit of that car needs all three items.
    expect(forecast.weeks.reduce((sum, w) => sum + (w.items.find((i) => i.item.code === 'INSPECTION')?.count ?? 0), 0)).toBeCloseTo(1, 1);
  });
});
