import { beforeAll, describe, expect, it } from 'vitest';
import { cohortFor } from '../../src/fleet-rates/fleet-rates.js';
import { dayReaching, estimateRate } from '../../src/service/mileage-model.js';
import { calibrate, evaluateReminders, formatCalibration, formatEvaluation, summarise, type Evaluation } from '../support/reminder-evaluation.js';
import { dayOf, indexOf, simulateFleet } from '../support/simulated-fleet.js';

/**
 * Reminder timing on a simulated fleet with known true mileage (`test/support/simulated-fleet.ts`,
 * judged by `test/support/reminder-evaluation.ts`): 1,200 cars of every reading schedule,
 * replayed day by day through the real planner with the fleet's own learned rates, the
 * cars truly due 14–119 days after the start judged. Deterministic (seeded).
 *
 * The bounds are what the model achieves today, so that a change making any of them worse
 * fails. The goals not met yet (≥ 95 % within 14 ± 3 days, 0 late for telemetry)
 * are stated where they apply; `npm run bench -- --only maintenance-fleet` prints the full
 * tables on a larger fleet.
 */
describe('Reminder timing on a simulated fleet (known true mileage)', () => {
  let evaluation: Evaluation;
  let figures: ReturnType<typeof summarise>;

  beforeAll(() => {
    const fleet = simulateFleet({ cars: 1_200, seed: 16, mix: { 'telemetry-daily': 0.04 } });
    evaluation = evaluateReminders(fleet);
    figures = summarise(evaluation.judgements);
    console.log([...formatEvaluation(evaluation, `Reminder timing, ${fleet.cars.length} simulated cars:`), ...formatCalibration(evaluation.windows)].join('\n'));
  });

  it('judges enough cars of every category to mean something', () => {
    expect(figures.all.cars).toBeGreaterThan(300);
    expect(figures['calendar-bound'].cars).toBeGreaterThan(100);
    expect(figures['distance-own-readings'].cars).toBeGreaterThan(40);
    expect(figures.telemetry.cars).toBeGreaterThan(30);
    expect(figures['distance-cohort'].cars).toBeGreaterThan(10);
  });

  it('is late for at most 2.5 % of cars, and names the item truly due first', () => {
    expect(figures.all.late).toBeLessThanOrEqual(0.025);
    expect(figures.all.never).toBeLessThanOrEqual(0.01);
    expect(figures.all.includesFirst).toBeGreaterThanOrEqual(0.95);
    // Issue goal: no telemetry car late. Today a long trip (1,000–3,000 km) in the last
    // fortnight before the due date beats the one-trip allowance now and then.
    expect(figures.telemetry.late).toBeLessThanOrEqual(0.05);
  });

  it('reminds calendar-bound cars 14 days ahead unless their distance might come first', () => {
    expect(figures['calendar-bound'].late).toBe(0);
    expect(figures['calendar-bound'].medianLeadDays).toBe(14);
    // Issue goal: ≥ 90 % within 14 ± 3 days. The rest are early, reminded at the
    // distance's late-risk date (a 1 % chance the distance comes first).
    expect(figures['calendar-bound'].within).toBeGreaterThanOrEqual(0.6);
  });

  it('centres fresh-telemetry reminders near 14 days, early rather than late for the rest', () => {
    // Aimed at the likely date when safe, earlier when a trip or the month's noise could
    // bring the due date forward: the median lead sits a few days above 14.
    expect(figures.telemetry.medianLeadDays!).toBeGreaterThanOrEqual(11);
    expect(figures.telemetry.medianLeadDays!).toBeLessThanOrEqual(21);
    // Issue goal: ≥ 90 % within 14 ± 3 days; week-to-week noise (±35 %) and trips make the
    // distance driven in the next fortnight unknowable to ±20 %, so that is out of reach
    // for cars due by distance. Achieved: about 1 in 6 since reminders allow for a trip like the
    // car's longest recent one (none late; it was 1 in 5 with one car late).
    expect(figures.telemetry.within).toBeGreaterThanOrEqual(0.14);
    // Months-old readings, or none: early, the honest cost of not knowing.
    expect(figures['distance-own-readings'].early + figures['distance-own-readings'].within).toBeGreaterThanOrEqual(0.85);
    expect(figures['distance-cohort'].late).toBe(0);
  });

  it('states 0.8 windows that hold 70–90 % of true due dates, and capped ones at least as often as stated', () => {
    const rows = Object.fromEntries(calibrate(evaluation.windows).map((row) => [row.bucket, row]));
    const plain = rows['conf 0.8 (distance window)']!;
    expect(plain.items).toBeGreaterThan(300);
    expect(plain.covered).toBeGreaterThanOrEqual(0.7);
    expect(plain.covered).toBeLessThanOrEqual(0.9);
    const capped = rows['conf 0.85–0.95 (0.9: capped)']!;
    expect(capped.covered).toBeGreaterThanOrEqual(capped.stated - 0.02);
    // The reminder's late-risk quantile (1 % under the model) holds within a factor of ~3.
    expect(plain.lateAtAnchor).toBeLessThanOrEqual(0.03);
  });
});

describe('Seasons are learned from the car itself', () => {
  // Strong summer cars (±40 %) with more than two years of weekly readings, judged in spring.
  const fleet = simulateFleet({ cars: 60, seed: 5, summerCarShare: 1, mix: { workshop: 0, registration: 0, 'telemetry-weekly': 1, 'telemetry-daily': 0, 'low-mileage': 0 }, minAgeDays: 2 * 365 + 60 });
  const start = fleet.evaluationDay;
  const cars = fleet.cars.filter((car) => car.profile.seasonAmplitude >= 0.4);
  const known = (car: (typeof cars)[number]) => car.readings.filter((r) => r.day < start);

  it('gives summer cars factors with summer above winter', () => {
    expect(cars.length).toBeGreaterThan(40);
    const seasonal = cars.map((car) => estimateRate(known(car), cohortFor(null, car.modelLine, car.powertrain)).seasonal);
    const learned = seasonal.filter((f): f is number[] => f !== undefined);
    expect(learned.length / cars.length).toBeGreaterThanOrEqual(0.9);
    const mean = (f: number[], months: number[]) => months.reduce((s, m) => s + f[m]!, 0) / months.length;
    const summerAboveWinter = learned.filter((f) => mean(f, [5, 6, 7]) > 1.2 * mean(f, [11, 0, 1]));
    expect(summerAboveWinter.length / learned.length).toBeGreaterThanOrEqual(0.9);
  });

  it('projects the coming months closer to the truth than the same rate without its seasons', () => {
    // From spring: the distance each car truly drives in the next 90 and 150 days, and the
    // day the model says it gets there — with the car's factors, and with them dropped.
    let withSeasons = 0;
    let without = 0;
    let compared = 0;
    for (const car of cars) {
      const model = estimateRate(known(car), cohortFor(null, car.modelLine, car.powertrain));
      if (!model.seasonal) continue;
      const from = indexOf(fleet, model.from.day);
      for (const days of [90, 150]) {
        const km = car.odometer[from + days]! - model.from.km;
        const seasonalDay = dayReaching(model, km, model.kmPerYear);
        const flatDay = dayReaching({ ...model, seasonal: undefined }, km, model.kmPerYear);
        if (!seasonalDay || !flatDay) continue;
        withSeasons += Math.abs(indexOf(fleet, seasonalDay) - (from + days));
        without += Math.abs(indexOf(fleet, flatDay) - (from + days));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(80);
    console.log(`Seasons (from ${dayOf(fleet, start)}, 90 and 150 days ahead): mean |error| ${(withSeasons / compared).toFixed(1)} days with the car's factors, ${(without / compared).toFixed(1)} without`);
    expect(withSeasons).toBeLessThan(0.9 * without);
  });
});
