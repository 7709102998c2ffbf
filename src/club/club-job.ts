import { toDay } from '../service/calendar.js';
import { inBatches } from '../shared/in-batches.js';
import type { Logger } from '../shared/logger.js';
import { emitJobCounts, POISON_RECORDS_METRIC } from '../shared/metrics.js';
import type { Key } from '../store/table.js';
import { SCHEDULE_SHARDS, lotEntity, membershipEntity, type LotRecord, type MembershipRecord } from './club-records.js';
import type { ClubScheduleRepository } from './club-schedule-repository.js';
import { expiryDayFor, lotDueOn } from './ledger.js';

/**
 * The club's daily job: reads only the `BySchedule` partitions of the club, only what is
 * due on or before today (no scan), and for each item does the one thing due:
 *
 * - a lot at its warning day: `PointsExpiring` (once per lot: `warned` false → true, in the
 *   transaction that moves the lot to its expiry day);
 * - a lot at its expiry day: the EXPIRY entry, the lot marked expired and out of the index,
 *   the membership's balance and expired total (once: conditioned on the lot as read);
 * - a membership at its review day: its level recomputed from the rolling window,
 *   `ClubStatusChanged` if it moved, the next review day.
 *
 * Idempotent and resumable: every action takes its item out of the range the job reads, and
 * is conditioned on the state it was decided on, so a rerun or a concurrent run finds
 * nothing twice and writes nothing twice; a lost condition is read again and decided again.
 * An item that cannot be processed is skipped, counted and listed under the run's job
 * failures (`club`, run id `club-<now>`); everything else goes on.
 */
export interface ClubJobDeps {
  clubSchedule: ClubScheduleRepository;
  logger: Logger;
}

export interface ClubJobOptions {
  now: Date;
  /** Which shards this invocation works (default: all). */
  shards?: readonly number[];
  pageSize?: number;
  /** Writes in flight at once. */
  concurrency?: number;
  /** Stop taking new pages when this returns true (the Lambda is about to time out). */
  shouldStop?: () => boolean;
}

export interface ClubJobStats {
  /** Items read from the index and read again after a lost condition: the job's whole read cost. */
  itemsRead: number;
  lotsWarned: number;
  lotsExpired: number;
  pointsExpired: number;
  /** Empty lots (emptied by racing partial draws) taken out of the index. */
  lotsDropped: number;
  levelsReviewed: number;
  levelsChanged: number;
  poisoned: number;
  /** False when the run stopped early; the next run continues. */
  complete: boolean;
}

export const CLUB_JOB = 'club';

/** A run of a day's schedule: a retried or resumed invocation lists its failures under the same run. */
export function clubRunId(now: Date): string {
  return `club-${now.toISOString()}`;
}

/** Attempts at one item that keeps changing under the job (a member spending as it expires). */
const ITEM_ATTEMPTS = 4;

/** What is due for a lot on `today`, from its state. Pure. */
export function lotAction(lot: LotRecord, today: string): 'DROP' | 'EXPIRE' | 'WARN' | 'MOVE' {
  if (lot.remaining <= 0 || lot.expiredAt) return 'DROP';
  if (expiryDayFor(lot.expiresOn) <= today) return 'EXPIRE';
  if (!lot.warned && lotDueOn(lot) <= today) return 'WARN';
  // Found as due, but not due by its state: the key is stale (a return raced the warning).
  return 'MOVE';
}

export async function runClubJob(deps: ClubJobDeps, options: ClubJobOptions): Promise<ClubJobStats> {
  const stats: ClubJobStats = { itemsRead: 0, lotsWarned: 0, lotsExpired: 0, pointsExpired: 0, lotsDropped: 0, levelsReviewed: 0, levelsChanged: 0, poisoned: 0, complete: true };
  const runId = clubRunId(options.now);
  const poison = async (key: Key, error: unknown) => {
    stats.poisoned++;
    deps.logger.error('club job skipped an item it could not process', { runId, key, error });
    await deps.clubSchedule.failures.record(CLUB_JOB, runId, key, error, options.now);
  };
  try {
    for (const kind of ['LOT', 'LEVEL'] as const) {
      const done = await workKind(deps, options, kind, stats, poison);
      if (!done) return { ...stats, complete: false };
    }
    deps.logger.info('club job finished', { runId, ...stats });
    return stats;
  } finally {
    emitJobCounts(deps.logger, CLUB_JOB, { [POISON_RECORDS_METRIC]: stats.poisoned, LotsExpired: stats.lotsExpired, LotsWarned: stats.lotsWarned, LevelsChanged: stats.levelsChanged });
  }
}

async function workKind(deps: ClubJobDeps, options: ClubJobOptions, kind: 'LOT' | 'LEVEL', stats: ClubJobStats, poison: (key: Key, error: unknown) => Promise<void>): Promise<boolean> {
  const today = toDay(options.now.toISOString());
  for (const shard of options.shards ?? Array.from({ length: SCHEDULE_SHARDS }, (_, i) => i)) {
    let startKey: Record<string, unknown> | undefined;
    do {
      if (options.shouldStop?.()) {
        deps.logger.warn('club job stopping early; the next run continues', { kind, shard, ...stats });
        return false;
      }
      const page = await deps.clubSchedule.due(kind, shard, today, options.pageSize ?? 100, startKey);
      startKey = page.lastKey;
      stats.itemsRead += page.read;
      await inBatches(page.items, options.concurrency ?? 8, async (item) => {
        const key = { PK: String(item.PK), SK: String(item.SK) };
        try {
          if (kind === 'LOT') await workLot(deps.clubSchedule, lotEntity.fromItem(item), today, options.now, stats);
          else await workMembership(deps.clubSchedule, membershipEntity.fromItem(item), options.now, stats);
        } catch (error) {
          await poison(key, error);
        }
      });
    } while (startKey);
  }
  return true;
}

async function workLot(repo: ClubScheduleRepository, found: LotRecord, today: string, now: Date, stats: ClubJobStats): Promise<void> {
  let lot: LotRecord | null = found;
  for (let attempt = 1; lot && attempt <= ITEM_ATTEMPTS; attempt++) {
    const action = lotAction(lot, today);
    const ok = await (action === 'EXPIRE' ? repo.expireLot(lot, now) : action === 'WARN' ? repo.warnLot(lot, now) : action === 'DROP' ? repo.dropLot(lot) : repo.moveLot(lot));
    if (ok) {
      if (action === 'EXPIRE') (stats.lotsExpired++, (stats.pointsExpired += lot.remaining));
      else if (action === 'WARN') stats.lotsWarned++;
      else if (action === 'DROP') stats.lotsDropped++;
      return;
    }
    lot = await repo.getLot(lot);
    stats.itemsRead++;
  }
  // Still contended after every attempt: it stays in the index, the next run takes it.
}

async function workMembership(repo: ClubScheduleRepository, found: MembershipRecord, now: Date, stats: ClubJobStats): Promise<void> {
  const today = toDay(now.toISOString());
  let m: MembershipRecord | null = found;
  for (let attempt = 1; m && attempt <= ITEM_ATTEMPTS; attempt++) {
    const after = await repo.reviewLevel(m, now);
    if (after) {
      stats.levelsReviewed++;
      if (after.level !== m.level) stats.levelsChanged++;
      return;
    }
    m = await repo.getMembership(m.customerId);
    stats.itemsRead++;
    // Changed meanwhile (an accrual, a leave): reviewed again only if still due.
    if (m && (m.status !== 'ACTIVE' || !m.levelReviewOn || m.levelReviewOn > today)) return;
  }
}
