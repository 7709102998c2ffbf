import { beforeAll, describe, expect, it } from 'vitest';
import { calibration, EVALUATION_DAY, judge, judged, learnedRates, simulateFleet, summarise, type Judgement } from '../support/mileage-simulation.js';

/**
 * Reminder timing on a simulated fleet whose true mileage is known (see
 * `test/support/mileage-simulation.ts`): 1,500 cars, of which those truly due 14–119 days
 * after the evaluation starts are judged, replayed day by day through the real planner
 * with the fleet's learned rates as the prior. Deterministic (seeded): the figures below are
 * what the model achieves on this fleet, asserted so that a change making any of them
 * worse fails. `npm run bench` prints the full table.
 */
describe('Reminder timing on a simulated fleet', () => {
  let judgements: Judgement[];
  let figures: ReturnType<typeof summarise>;

  beforeAll(() => {
    const fleet = simulateFleet({ cars: 1_500 });
    const rates = learnedRates(fleet, EVALUATION_DAY);
    judgements = judged(fleet).map((car) => judge(car, rates));
    figures = summarise(judgements);
  });

  it('judges enough cars of every kind to mean something', () => {
    expect(figures.all.cars).toBeGreaterThan(400);
    for (const category of ['calendar', 'distance-own-readings', 'distance-cohort', 'telemetry'] as const) expect(figures[category].cars).toBeGreaterThanOrEqual(30);
  });

  it('reminds no car after its true due date, and every car before it', () => {
    expect(judgements.filter((j) => j.outcome === 'late').map((j) => ({ car: j.car.id, lead: j.leadDays }))).toEqual([]);
    expect(figures.all.never).toBe(0);
  });

  it('lands fresh-data and calendar-bound cars on 14 ± 3 days far more often than uncertain ones', () => {
    // Calendar-bound cars hear 14 days ahead unless their distance might come first.
    expect(figures.calendar.within).toBeGreaterThanOrEqual(0.6);
    expect(figures.calendar.medianLeadDays).toBe(14);
    // Weekly telemetry: about half land on 14 ± 3; trips and day-to-day noise make the rest, and a
    // car that took long trips this year hears early enough for another (`burstKm`): early, not late.
    expect(figures.telemetry.within).toBeGreaterThanOrEqual(0.45);
    expect(Math.abs(figures.telemetry.medianLeadDays! - 14)).toBeLessThanOrEqual(3);
    // Months-old readings or none: reminded early rather than late — the honest cost of not knowing.
    expect(figures['distance-own-readings'].early).toBeGreaterThan(0.8);
    expect(figures['distance-cohort'].early).toBeGreaterThan(0.8);
  });

  it('states windows that hold the true date as often as it says', () => {
    const buckets = Object.fromEntries(calibration(judgements).map((b) => [b.bucket, b]));
    const distance = buckets['0.8 (distance window)']!;
    const capped = buckets['0.9 (calendar caps the window)']!;
    expect(distance.items).toBeGreaterThan(50);
    // Stated 0.8: covered 0.7–0.95 (a little wide is the safe side of honest).
    expect(distance.covered).toBeGreaterThanOrEqual(0.7);
    expect(distance.covered).toBeLessThanOrEqual(0.95);
    expect(capped.covered).toBeGreaterThanOrEqual(0.85);
    expect(buckets['1 (fixed date)']!.covered).toBe(1);
  });

  it('asks owners for a reading only when the window is wide, and an answer never makes a reminder late', () => {
    const fleet = simulateFleet({ cars: 600, seed: 23 });
    const rates = learnedRates(fleet, EVALUATION_DAY);
    const asked = judged(fleet).map((car) => judge(car, rates, { answerRate: 0.6 }));
    expect(asked.some((j) => j.readingRequested)).toBe(true);
    expect(asked.filter((j) => j.readingRequested && j.category === 'telemetry')).toEqual([]);
    expect(asked.filter((j) => j.outcome === 'late')).toEqual([]);
  });
});
