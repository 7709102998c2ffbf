import './quiet-sdk.js';
import { parseArgs } from 'node:util';
import { useLocalStackForJobs } from './local-files.js';

/**
 * `npm run job:reminders -- --now 2026-12-01T06:00:00Z`: runs the reminders job's Lambda
 * handler against the running local stack (`npm start` in another terminal), with that
 * "now" for every decision, and prints what it did.
 */
async function main() {
  const { values } = parseArgs({ options: { now: { type: 'string' } } });
  const local = useLocalStackForJobs();
  const { handler } = await import('../handlers/reminders-job.js');
  const now = values.now ?? new Date().toISOString();
  const stats = await handler({ now });
  process.stdout.write(
    [
      `Reminders job at ${now} against ${local.tableName}:`,
      `  vehicles read (due within 14 days or overdue, not yet reminded): ${stats.vehiclesRead}`,
      `  reminders created: ${stats.remindersCreated} (${stats.notDeliverable} without a consented channel: not deliverable)`,
      `  skipped, already reminded: ${stats.skippedAlreadyReminded}`,
      `  owner profiles read: ${stats.ownersRead}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
