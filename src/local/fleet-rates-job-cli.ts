import './quiet-sdk.js';
import { parseArgs } from 'node:util';
import { MIN_COHORT_CARS } from '../fleet-rates/fleet-rates.js';
import { useLocalStackForJobs } from './local-files.js';

/**
 * `npm run job:fleet-rates -- --now 2026-12-01T01:00:00Z`: runs the fleet-rates run's
 * Lambda handler against the running local stack (`npm start` in another terminal) and
 * prints what it learned. In AWS the same handler runs nightly.
 */
async function main() {
  const { values } = parseArgs({ options: { now: { type: 'string' } } });
  const local = useLocalStackForJobs();
  const { handler } = await import('../handlers/fleet-rates-job.js');
  const stats = await handler({ now: values.now ?? new Date().toISOString() });
  const outcome = { saved: `saved as version ${stats.version}`, unchanged: `unchanged (version ${stats.version ?? '–'} stays current)`, superseded: 'not saved: another run saved first' }[stats.outcome];
  process.stdout.write(
    [
      `Fleet rates at ${stats.now} against ${local.tableName}: ${outcome}`,
      `  dealers: ${stats.dealers}, vehicles read: ${stats.vehiclesRead} (${stats.rateCars} with their own rate, ${stats.batteryTrendCars} with a battery trend)`,
      `  cohorts learned: ${stats.cohorts} (${stats.batteryCohorts} with battery trends; ${stats.smallCohorts} left out with under ${MIN_COHORT_CARS} cars — their cars use the next wider cohort), ${stats.sizeKb} KB`,
      `  read units: ${stats.readUnits} (${(stats.readUnits / Math.max(1, stats.vehiclesRead)).toFixed(2)} per vehicle), ${stats.durationMs} ms`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
