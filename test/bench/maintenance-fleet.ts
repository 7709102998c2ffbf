import { evaluateReminders, formatBySchedule, formatCalibration, formatEvaluation, learnRatesFromSimulation } from '../support/reminder-evaluation.js';
import { simulateFleet } from '../support/simulated-fleet.js';

/**
 * Reminder timing on the simulated fleet (`test/support/simulated-fleet.ts`: every
 * model line and powertrain, the catalogue's items with a simulated service history,
 * trips of 1,000–3,000 km, workshop / registration-only / weekly and daily telemetry /
 * low-mileage cars), judged by `test/support/reminder-evaluation.ts`. Three passes over the
 * same cars: as deployed; owners answering reading requests 60 % of the time; and plans
 * reading every reading instead of the newest 400 (what the cap costs daily telemetry).
 * Then the windows' calibration. Pure CPU.
 */
export function maintenanceFleetBench(print: (line?: string) => void, cars = 2_000): void {
  const started = performance.now();
  const fleet = simulateFleet({ cars, seed: 16 });
  const rates = learnRatesFromSimulation(fleet);
  const learned = Object.values(rates.cohorts).filter((c) => c.cohort.endsWith('#*'));
  print(`Simulated fleet: ${cars} cars, evaluation from ${new Date(Date.parse(`${fleet.origin}T00:00:00Z`) + fleet.evaluationDay * 86_400_000).toISOString().slice(0, 10)}; learned cohorts: ${learned.map((c) => `${c.cohort.replace('#*', '')} ${c.kmPerYear} km/yr σ ${c.logSpread} (${c.cars})`).join(', ')}`);
  const passes = [
    { title: 'as deployed (plans read the newest 400 readings)', options: {} },
    { title: 'owners answer reading requests 60 % of the time, within 0–5 days', options: { answerRate: 0.6 } },
    { title: 'plans read every reading (no 400 cap)', options: { planReadings: Infinity } },
  ];
  for (const [i, pass] of passes.entries()) {
    const evaluation = evaluateReminders(fleet, { rates, ...pass.options });
    print(formatEvaluation(evaluation, `Reminder timing, cars truly due 14–119 days ahead — ${pass.title}:`).join('\n'));
    if (i === 0) {
      print(formatBySchedule(evaluation).join('\n'));
      print(formatCalibration(evaluation.windows).join('\n'));
    }
  }
  print(`  (${cars} cars simulated and replayed three times in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
