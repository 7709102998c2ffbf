import { reminderChannel } from './channel.js';
import { needsReading, readingRequestFor, readingRequestHorizon, staleReadingBefore } from './reading-request.js';
import type { ReminderRecord } from './reminder.js';
import type { ReminderRepository } from './reminder-repository.js';
import { reminderItems } from './reminder-update.js';
import type { CustomerRepository } from '../customer/customer-repository.js';
import { addDays } from '../service/calendar.js';
import { REMINDER_LEAD_DAYS } from '../service/prediction.js';
import { inBatches } from '../shared/in-batches.js';
import type { Logger } from '../shared/logger.js';
import { emitJobCounts, POISON_RECORDS_METRIC } from '../shared/metrics.js';
import { isRecordRejected } from '../store/job-failures.js';
import type { Item, Key } from '../store/table.js';
import type { CustomerRecord } from '../customer/customer.js';
import { vehicleEntity, REMINDER_SHARDS, type VehicleRecord } from '../vehicle/vehicle.js';

/**
 * The daily maintenance-reminders job.
 *
 * It reads the DueForReminder index — only cars whose current service cycle has no
 * reminder yet, with a reminder anchor (the likely due date, earlier when the window is
 * wide) on or before today + 14 days (which includes overdue ones) — and for each creates
 * the cycle's reminder with the items due, the owner, the servicing dealer and the
 * channel the owner consented to, plus its outbox event, in one transaction per car.
 *
 * Then, in a second pass over the shards, it looks READING_REQUEST_LEAD_DAYS further
 * ahead: a car whose reminder would be a guess (a wide window, a stale reading) is asked
 * for a reading once per cycle (`reading-request.ts`), so that the reminder, two weeks
 * later, is timed by a narrow window. Reminders come first: a run stopped early has
 * reminded every shard before it asks anyone for a reading.
 *
 * Idempotent and resumable by construction: a created reminder takes its car out of the
 * index, a request marks the cycle asked (and the query leaves asked cars out), and the
 * transactions' conditions make a second or concurrent attempt a no-op.
 * A crashed run leaves each car either fully reminded or untouched; the next run (or
 * retry) simply continues. Work is sharded, so shards can also run in parallel workers.
 *
 * A car that cannot be processed (a malformed item, a write DynamoDB refuses) is skipped,
 * counted, logged with its key and listed under the run's job failures (`reminders`,
 * run id `reminders-<now>`); every other car is reminded. It stays in the index, so each
 * day's run reports it again until someone repairs it.
 */
export interface RemindersJobDeps {
  reminders: ReminderRepository;
  customers: CustomerRepository;
  logger: Logger;
}

export interface RemindersJobOptions {
  now: Date;
  /** Which shards this invocation works (default: all). */
  shards?: readonly number[];
  pageSize?: number;
  /** Transactions in flight at once. */
  concurrency?: number;
  /** Stop taking new pages when this returns true (e.g. the Lambda is about to time out). */
  shouldStop?: () => boolean;
}

export interface RemindersJobStats {
  /** Vehicles read from the index to be reminded (anchor on or before today + 14). */
  vehiclesRead: number;
  /** Owner profiles read to choose the channel. */
  ownersRead: number;
  remindersCreated: number;
  /** Vehicles of the request lead read from the index (not yet asked this cycle, last read over 14 days ago). */
  readingCandidatesRead: number;
  /** Owners asked for a reading (`OdometerReadingRequested`). */
  readingsRequested: number;
  /** Found already reminded (a concurrent or earlier run got there first). */
  skippedAlreadyReminded: number;
  notDeliverable: number;
  /** Cars skipped because they could not be processed; listed under the run's job failures. */
  poisoned: number;
  /** False when the run stopped early; the next run continues where it stopped. */
  complete: boolean;
}

export async function runRemindersJob(deps: RemindersJobDeps, options: RemindersJobOptions): Promise<RemindersJobStats> {
  const stats: RemindersJobStats = { vehiclesRead: 0, ownersRead: 0, remindersCreated: 0, readingCandidatesRead: 0, readingsRequested: 0, skippedAlreadyReminded: 0, notDeliverable: 0, poisoned: 0, complete: true };
  const runId = remindersRunId(options.now);
  const poison = async (key: Key, error: unknown) => {
    stats.poisoned++;
    deps.logger.error('reminders job skipped a car it could not process', { runId, key, error });
    await deps.reminders.failures.record(REMINDERS_JOB, runId, key, error, options.now);
  };
  try {
    await remindShards(deps, options, stats, poison);
    if (stats.complete) await requestReadings(deps, options, stats, poison);
    return stats;
  } finally {
    emitJobCounts(deps.logger, REMINDERS_JOB, { [POISON_RECORDS_METRIC]: stats.poisoned });
  }
}

export const REMINDERS_JOB = 'reminders';

/** The run of a day's schedule: a retried or resumed invocation lists its failures under the same run. */
export function remindersRunId(now: Date): string {
  return `reminders-${now.toISOString()}`;
}

type Poison = (key: Key, error: unknown) => Promise<void>;
type IndexPage = { items: Item[]; lastKey?: Record<string, unknown> };

/**
 * Walks the given shards page by page: each page's cars parsed (a malformed item is
 * poisoned under the key it was read by), their owners read in one batch, then `act` per
 * car, `concurrency` at a time. Returns false when `shouldStop` stopped it.
 */
async function walkShards(
  deps: RemindersJobDeps,
  options: RemindersJobOptions,
  stats: RemindersJobStats,
  poison: Poison,
  readPage: (shard: number, limit: number, startKey?: Record<string, unknown>) => Promise<IndexPage>,
  wantsOwner: (vehicle: VehicleRecord) => boolean,
  act: (key: Key, vehicle: VehicleRecord, owner: CustomerRecord | undefined) => Promise<void>,
): Promise<boolean> {
  const shards = options.shards ?? Array.from({ length: REMINDER_SHARDS }, (_, i) => i);
  for (const shard of shards) {
    let startKey: Record<string, unknown> | undefined;
    do {
      if (options.shouldStop?.()) {
        stats.complete = false;
        deps.logger.warn('reminders job stopping early; the next run continues', { shard, ...stats });
        return false;
      }
      const page = await readPage(shard, options.pageSize ?? 100, startKey);
      startKey = page.lastKey;
      // Each car keeps the key it was read under: a malformed item may not even have a VIN to rebuild it from.
      const vehicles: { key: Key; vehicle: VehicleRecord }[] = [];
      for (const item of page.items) {
        const key = { PK: String(item.PK), SK: String(item.SK) };
        try {
          vehicles.push({ key, vehicle: vehicleEntity.fromItem(item) });
        } catch (error) {
          await poison(key, error);
        }
      }
      const ownerIds = vehicles.filter(({ vehicle }) => wantsOwner(vehicle)).map(({ vehicle }) => vehicle.ownerId);
      const owners = ownerIds.length ? await deps.customers.getMany([...new Set(ownerIds.filter((id) => typeof id === 'string'))]) : new Map<string, CustomerRecord>();
      stats.ownersRead += owners.size;
      await inBatches(vehicles, options.concurrency ?? 8, ({ key, vehicle }) => act(key, vehicle, owners.get(vehicle.ownerId)));
    } while (startKey);
  }
  return true;
}

async function remindShards(deps: RemindersJobDeps, options: RemindersJobOptions, stats: RemindersJobStats, poison: Poison): Promise<void> {
  const today = options.now.toISOString().slice(0, 10);
  const dueBy = addDays(today, REMINDER_LEAD_DAYS);
  const readPage = async (shard: number, limit: number, startKey?: Record<string, unknown>) => {
    const page = await deps.reminders.dueForReminder(shard, dueBy, limit, startKey);
    stats.vehiclesRead += page.items.length;
    return page;
  };
  await walkShards(deps, options, stats, poison, readPage, () => true, async (key, vehicle, owner) => {
    let reminder: ReminderRecord | null;
    try {
      reminder = reminderFor(vehicle, owner, today, options.now);
    } catch (error) {
      return poison(key, error); // bad data: the plan or the owner's consents cannot be read
    }
    if (!reminder) return; // the index said due; the plan moved since — nothing to remind
    let outcome: 'CREATED' | 'ALREADY_REMINDED';
    try {
      outcome = await deps.reminders.createForCycle(reminder, options.now);
    } catch (error) {
      if (!isRecordRejected(error)) throw error;
      return poison(key, error);
    }
    if (outcome === 'CREATED') {
      stats.remindersCreated++;
      if (!reminder.deliverable) stats.notDeliverable++;
    } else {
      stats.skippedAlreadyReminded++;
    }
  });
}

/**
 * The second pass: cars whose anchor lies in (today + 14, today + 14 + READING_REQUEST_LEAD_DAYS].
 * The query leaves out cars asked this cycle or read recently; the window is checked here
 * (a width cannot be expressed in a filter), and owners are read only for cars that pass.
 */
async function requestReadings(deps: RemindersJobDeps, options: RemindersJobOptions, stats: RemindersJobStats, poison: Poison): Promise<void> {
  const today = options.now.toISOString().slice(0, 10);
  const remindBy = addDays(today, REMINDER_LEAD_DAYS);
  const askBy = readingRequestHorizon(remindBy);
  const staleBefore = staleReadingBefore(options.now);
  const readPage = async (shard: number, limit: number, startKey?: Record<string, unknown>) => {
    const page = await deps.reminders.readingCandidates(shard, remindBy, askBy, staleBefore, limit, startKey);
    stats.readingCandidatesRead += page.items.length;
    return page;
  };
  const wide = (vehicle: VehicleRecord) => {
    try {
      return needsReading(vehicle, options.now);
    } catch {
      return false; // a plan that cannot be read is poisoned below, where the key is at hand
    }
  };
  await walkShards(deps, options, stats, poison, readPage, wide, async (key, vehicle, owner) => {
    let request;
    try {
      request = readingRequestFor(vehicle, owner, options.now);
    } catch (error) {
      return poison(key, error);
    }
    if (!request) return; // narrow window, or no owner consent: nobody to ask, or nothing to gain
    let outcome: 'REQUESTED' | 'ALREADY_REQUESTED';
    try {
      outcome = await deps.reminders.requestReading(vehicle, request, options.now);
    } catch (error) {
      if (!isRecordRejected(error)) throw error;
      return poison(key, error);
    }
    if (outcome === 'REQUESTED') stats.readingsRequested++;
  });
}

/** The reminder a due car gets today, or null when nothing of its plan is due any more. */
function reminderFor(vehicle: VehicleRecord, owner: CustomerRecord | undefined, today: string, now: Date): ReminderRecord | null {
  const items = reminderItems(vehicle, vehicle.servicePlan?.items ?? [], today);
  if (items.length === 0) return null;
  const channel = owner ? reminderChannel(owner.consents) : null;
  const reminder: ReminderRecord = {
    vin: vehicle.vin,
    cycle: vehicle.reminderCycle,
    customerId: vehicle.ownerId,
    dealerId: vehicle.servicingDealerId,
    // The earliest anchor: the date the reminder is timed by and the owner is told (see `reminder-update.ts`).
    dueDate: items[0]!.dueDate,
    items,
    channel: channel ?? undefined,
    deliverable: channel !== null,
    status: 'OPEN',
    createdAt: now.toISOString(),
    revision: 1,
  };
  return reminder;
}
