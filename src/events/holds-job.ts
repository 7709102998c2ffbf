import type { LedgerRepository } from '../club/ledger-repository.js';
import type { CustomerRepository } from '../customer/customer-repository.js';
import { inBatches } from '../shared/in-batches.js';
import type { Logger } from '../shared/logger.js';
import { emitJobCounts, POISON_RECORDS_METRIC } from '../shared/metrics.js';
import { MalformedItemError } from '../store/entity.js';
import type { Refusal } from '../store/fact-hooks.js';
import { isRecordRejected } from '../store/job-failures.js';
import type { Key } from '../store/table.js';
import type { VehicleRepository } from '../vehicle/vehicle-repository.js';
import { HOLD_SHARDS, registrationEntity, type EventRegistrationRecord } from './event-records.js';
import type { EventRepository } from './event-repository.js';
import { endRegistration } from './seats.js';

/**
 * The waitlist holds job: a seat held for a waitlisted member that was not accepted in
 * time lapses, and passes to the next member who fits (a new hold, its own
 * `EventSeatOffered`), in one transaction per hold.
 *
 * It reads only the holds that are due: the sparse `bySchedule` partitions `EVENTDUE#HOLD#<shard>`
 * hold exactly the OFFERED registrations, keyed by their expiry, and a lapsed hold leaves
 * the index in the transaction that lapses it. So the job reads what it acts on, no scan.
 *
 * Idempotent, resumable and safe to run concurrently: each lapse is conditioned on the
 * registration being the very hold that was read (OFFERED, same version, expired), so a
 * second or concurrent run finds it done and skips it; a crashed run leaves each hold
 * either lapsed and passed on, or untouched. A record that cannot be processed is listed
 * under the run's job failures and skipped; every other hold is handled.
 */
export interface EventHoldsJobDeps {
  events: EventRepository;
  ledger: LedgerRepository;
  customers: CustomerRepository;
  vehicles: VehicleRepository;
  logger: Logger;
}

export interface EventHoldsJobOptions {
  now: Date;
  /** Which shards this invocation works (default: all). */
  shards?: readonly number[];
  pageSize?: number;
  /** Holds lapsed at once. */
  concurrency?: number;
  /** Stop taking new pages when this returns true (the Lambda is about to time out); the next run continues. */
  shouldStop?: () => boolean;
}

export interface EventHoldsJobStats {
  /** Due holds read from the index. */
  holdsRead: number;
  lapsed: number;
  /** Seats offered to the next members. */
  offered: number;
  /** Found already accepted, declined, lapsed or cancelled (a concurrent or earlier run, or the member, got there first). */
  skipped: number;
  poisoned: number;
  complete: boolean;
}

export const EVENT_HOLDS_JOB = 'event-holds';

export function eventHoldsRunId(now: Date): string {
  return `${EVENT_HOLDS_JOB}-${now.toISOString()}`;
}

/** The hold read was not the registration's state any more: nothing to do. */
const GONE: Refusal = { code: 'INVALID_STATUS', message: 'The hold is no longer outstanding.' };

export async function runEventHoldsJob(deps: EventHoldsJobDeps, options: EventHoldsJobOptions): Promise<EventHoldsJobStats> {
  const stats: EventHoldsJobStats = { holdsRead: 0, lapsed: 0, offered: 0, skipped: 0, poisoned: 0, complete: true };
  const runId = eventHoldsRunId(options.now);
  const now = options.now.toISOString();
  const poison = async (key: Key, error: unknown) => {
    stats.poisoned++;
    deps.logger.error('event holds job skipped a hold it could not process', { runId, key, error });
    await deps.events.failures.record(EVENT_HOLDS_JOB, runId, key, error, options.now);
  };
  try {
    for (const shard of options.shards ?? Array.from({ length: HOLD_SHARDS }, (_, i) => i)) {
      let startKey: Record<string, unknown> | undefined;
      do {
        if (options.shouldStop?.()) {
          stats.complete = false;
          deps.logger.warn('event holds job stopping early; the next run continues', { shard, ...stats });
          return stats;
        }
        const page = await deps.events.dueHolds(shard, now, options.pageSize ?? 100, startKey);
        startKey = page.lastKey;
        stats.holdsRead += page.items.length;
        const holds: { key: Key; hold: EventRegistrationRecord }[] = [];
        for (const item of page.items) {
          const key = { PK: String(item.PK), SK: String(item.SK) };
          try {
            holds.push({ key, hold: registrationEntity.fromItem(item) });
          } catch (error) {
            await poison(key, error);
          }
        }
        await inBatches(holds, options.concurrency ?? 4, async ({ key, hold }) => {
          try {
            const result = await endRegistration(deps, {
              eventId: hold.eventId,
              customerId: hold.customerId,
              to: 'LAPSED',
              now: options.now,
              reason: 'Held event seat lapsed',
              // Only this hold, still outstanding and expired: an accepted, declined or re-offered registration is not ours to lapse.
              check: (r) => (r && r.status === 'OFFERED' && r.holdExpiresAt === hold.holdExpiresAt && r.holdExpiresAt! <= now ? null : GONE),
            });
            if (result.ok) {
              stats.lapsed++;
              stats.offered += result.offered.length;
            } else stats.skipped++;
          } catch (error) {
            // Bad data (an item DynamoDB refuses, a registration or event that does not read): this hold only.
            if (!isRecordRejected(error) && !(error instanceof MalformedItemError)) throw error;
            await poison(key, error);
          }
        });
      } while (startKey);
    }
    return stats;
  } finally {
    emitJobCounts(deps.logger, EVENT_HOLDS_JOB, { [POISON_RECORDS_METRIC]: stats.poisoned, HoldsLapsed: stats.lapsed, SeatsOffered: stats.offered });
  }
}
