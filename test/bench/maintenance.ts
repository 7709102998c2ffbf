import { calibration, EVALUATION_DAY, judge, judged, learnedRates, simulateFleet, summarise, type Category } from '../support/mileage-simulation.js';

/**
 * Reminder timing on the simulated fleet (`test/support/mileage-simulation.ts`), larger
 * than the test's: per category the share of reminders 14 ± 3 days before the true due
 * date, early, short (0–10 days), late, and the median lead; with and without owners
 * answering the reading request; then the calibration of the stated windows. Pure CPU.
 */
export function maintenanceBench(print: (line?: string) => void, cars = 4_000): void {
  const fleet = simulateFleet({ cars, seed: 31 });
  const started = performance.now();
  const rates = learnedRates(fleet, EVALUATION_DAY);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`.padStart(8);
  for (const answerRate of [0, 0.6]) {
    // Each pass replays the same cars from scratch (answers add readings to a car).
    const cars = judged(answerRate ? simulateFleet({ cars: fleet.length, seed: 31 }) : fleet);
    const judgements = cars.map((car) => judge(car, rates, { answerRate }));
    const figures = summarise(judgements);
    print(`Reminder timing, ${judgements.length} cars truly due 14–119 days ahead${answerRate ? `, owners answer reading requests ${answerRate * 100} % of the time` : ''}:`);
    print(`  ${'category'.padEnd(24)}${'cars'.padStart(6)}${'14±3 d'.padStart(9)}${'early'.padStart(9)}${'short'.padStart(9)}${'late'.padStart(9)}  median lead`);
    for (const category of ['calendar', 'distance-own-readings', 'distance-cohort', 'telemetry', 'all'] as (Category | 'all')[]) {
      const f = figures[category];
      print(`  ${category.padEnd(24)}${String(f.cars).padStart(6)}${pct(f.within)}${pct(f.early)}${pct(f.short)}${pct(f.late)}  ${f.medianLeadDays ?? '–'} days`);
    }
    if (answerRate) print(`  reading requests: ${judgements.filter((j) => j.readingRequested).length}`);
    if (!answerRate) {
      print('  windows stated vs held (at the evaluation day):');
      for (const b of calibration(judgements)) print(`    ${b.bucket.padEnd(34)} ${String(b.items).padStart(5)} items, stated ${b.stated.toFixed(2)}, held ${b.covered.toFixed(2)}`);
    }
  }
  print(`  (${fleet.length} cars simulated over four years, replayed in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
