import './quiet-sdk.js';
import { parseArgs } from 'node:util';
import { CLUB_JOB, clubRunId } from '../club/club-job.js';
import { EVENT_HOLDS_JOB, eventHoldsRunId } from '../events/holds-job.js';
import { useLocalStackForJobs } from './local-files.js';

/**
 * `npm run job:club -- --now 2026-12-01T03:00:00Z`: runs the club run's Lambda handler
 * (points expiry and warnings, level reviews, lapsed event seat holds, the day's club KPI
 * roll-up) against the running
 * local stack (`npm start` in another terminal), with that "now" for every decision, and
 * prints what it did. In AWS the same handler runs hourly.
 */
async function main() {
  const { values } = parseArgs({ options: { now: { type: 'string' } } });
  const local = useLocalStackForJobs();
  const { handler } = await import('../handlers/club-job.js');
  const { club, holds, kpis, now } = await handler({ now: values.now ?? new Date().toISOString() });
  const skipped = (job: string, runId: string, n: number) => (n ? ` — npm run job:failures -- --job ${job} --run ${runId}` : '');
  process.stdout.write(
    [
      `Club run at ${now} against ${local.tableName}:`,
      `  points lots warned (PointsExpiring): ${club.lotsWarned}`,
      `  points lots expired: ${club.lotsExpired} (${club.pointsExpired} points), empty lots taken off the schedule: ${club.lotsDropped}`,
      `  levels reviewed: ${club.levelsReviewed} (${club.levelsChanged} changed → ClubStatusChanged)`,
      `  items read by the club job: ${club.itemsRead}${club.lotsExpired + club.lotsWarned + club.levelsReviewed ? ` (${(club.itemsRead / (club.lotsExpired + club.lotsWarned + club.levelsReviewed)).toFixed(2)} per lot or membership acted on)` : ''}`,
      `  event seat holds read: ${holds.holdsRead}, lapsed: ${holds.lapsed}, seats offered to the next in line: ${holds.offered}, already settled: ${holds.skipped}`,
      `  club KPI roll-up for ${kpis?.day ?? now.slice(0, 10)}: ${kpis?.written ? `written (${kpis.memberships} memberships, ${kpis.itemsRead} items read${kpis.skipped ? `, ${kpis.skipped} unreadable skipped` : ''}) — query { clubKpis { … } } as admin or analyst` : 'not made again (one of this day or a later one exists)'}`,
      `  records skipped (could not be processed): club ${club.poisoned}${skipped(CLUB_JOB, clubRunId(new Date(now)), club.poisoned)}, holds ${holds.poisoned}${skipped(EVENT_HOLDS_JOB, eventHoldsRunId(new Date(now)), holds.poisoned)}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
