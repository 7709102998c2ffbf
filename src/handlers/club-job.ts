import type { Context } from 'aws-lambda';
import { runClubJob, type ClubJobStats } from '../club/club-job.js';
import { runClubKpiRollup, type ClubKpiJobStats } from '../club-kpis/club-kpi-job.js';
import { createCore } from '../composition.js';
import { readJobConfig } from '../config.js';
import { runEventHoldsJob, type EventHoldsJobStats } from '../events/holds-job.js';
import { PaddockError } from '../shared/errors.js';
import { scheduledTime, stopsBeforeTimeout } from './job-invocation.js';

/**
 * The owners' club's scheduled work, one Lambda started hourly by EventBridge Scheduler
 * with `{ "now": "<aws.scheduler.scheduled-time>" }`:
 *
 * - the club job (`club/club-job.ts`): points expiry warnings and expiry, level reviews —
 *   day-granular, so only the first run of a day finds anything; the others read an empty
 *   index range;
 * - the event holds job (`events/holds-job.ts`): waitlist seat holds that lapsed pass to
 *   the next member — hour-granular, which is why the schedule is hourly;
 * - then, once the club job is through, the club's daily KPI roll-up
 *   (`club-kpis/club-kpi-job.ts`): a day's first complete run computes it, the others
 *   find it written (one GetItem).
 *
 * Both read only what is due (sparse `BySchedule` partitions), both are idempotent and
 * conditioned on the state they decided on, so they run side by side and a retried,
 * late or concurrent invocation changes nothing twice. One failing does not keep the
 * other from its work: each runs to its end, then the invocation fails if either did (Lambda
 * retries it; the one that had finished finds nothing left). Locally,
 * `npm run job:club -- --now …` calls this same handler.
 */
interface ClubJobEvent {
  now?: string;
  /** `BySchedule` shards to work (both jobs shard the same way); default all. */
  shards?: number[];
}

export interface ClubRunStats {
  now: string;
  club: ClubJobStats;
  holds: EventHoldsJobStats;
  /** Absent when the club job did not finish (the roll-up would miss the day's expiry). */
  kpis?: ClubKpiJobStats;
}

/** A run stopped before the Lambda timeout with work left: failing lets Lambda's retry continue it. */
export class ClubRunIncompleteError extends PaddockError {
  constructor(readonly stats: ClubRunStats) {
    super(`Club run stopped early (club job ${stats.club.complete ? 'done' : 'not done'}, holds job ${stats.holds.complete ? 'done' : 'not done'}, KPI roll-up ${stats.kpis?.complete ? 'done' : 'not done'}); the retry continues`);
    this.name = 'ClubRunIncompleteError';
  }
}

// Configuration and clients once per cold start: a misconfigured function fails here, loudly.
const { repos, clock, logger } = createCore(readJobConfig(process.env), { profile: 'job', service: 'paddock-club-job' });

export async function handler(event: ClubJobEvent = {}, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<ClubRunStats> {
  const now = scheduledTime(event.now, clock);
  const shouldStop = stopsBeforeTimeout(context);
  const started = performance.now();
  const [club, holds] = await Promise.allSettled([
    runClubJob({ clubSchedule: repos.clubSchedule, logger }, { now, shards: event.shards, shouldStop }),
    runEventHoldsJob({ events: repos.events, ledger: repos.ledger, customers: repos.customers, vehicles: repos.vehicles, logger }, { now, shards: event.shards, shouldStop }),
  ]);
  if (club.status === 'rejected') logger.error('club job failed', { now: now.toISOString(), error: club.reason });
  if (holds.status === 'rejected') logger.error('event holds job failed', { now: now.toISOString(), error: holds.reason });
  // A fault is the invocation's failure (Lambda retries it); the first one is the one thrown.
  if (club.status === 'rejected') throw club.reason;
  if (holds.status === 'rejected') throw holds.reason;
  const stats: ClubRunStats = { now: now.toISOString(), club: club.value, holds: holds.value };
  if (stats.club.complete) stats.kpis = await runClubKpiRollup({ clubKpis: repos.clubKpis, values: repos.values, logger }, { now, shouldStop });
  logger.info('club run finished', { ...stats, durationMs: Math.round(performance.now() - started) });
  if (!stats.club.complete || !stats.holds.complete || !stats.kpis?.complete) throw new ClubRunIncompleteError(stats);
  return stats;
}
