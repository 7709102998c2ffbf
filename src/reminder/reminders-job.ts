import { reminderChannel } from './channel.js';
import type { ReminderRecord } from './reminder.js';
import type { ReminderRepository } from './reminder-repository.js';
import type { CustomerRepository } from '../customer/customer-repository.js';
import { addDays } from '../service/calendar.js';
import { maintenanceItem } from '../service/maintenance-catalogue.js';
import { itemsDueBy, REMINDER_LEAD_DAYS } from '../service/prediction.js';
import { inBatches } from '../shared/in-batches.js';
import type { Logger } from '../shared/logger.js';
import { emitJobCounts, POISON_RECORDS_METRIC } from '../shared/metrics.js';
import { isRecordRejected } from '../store/job-failures.js';
import type { Key } from '../store/table.js';
import type { CustomerRecord } from '../customer/customer.js';
import { vehicleEntity, REMINDER_SHARDS, type VehicleRecord } from '../vehicle/vehicle.js';

/**
 * The daily maintenance-reminders job.
 *
 * It reads the DueForReminder index — only cars whose current service cycle has no
 * reminder yet, with a predicted due date on or before today + 14 days (which includes
 * overdue ones) — and for each creates the cycle's reminder with the items due, the
 * owner, the servicing dealer and the channel the owner consented to, plus its outbox
 * event, in one transaction per car.
 *
 * Idempotent and resumable by construction: a created reminder takes its car out of the
 * index, and the transaction's conditions make a second or concurrent attempt a no-op.
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
  /** Vehicles read from the index. */
  vehiclesRead: number;
  /** Owner profiles read to choose the channel. */
  ownersRead: number;
  remindersCreated: number;
  /** Found already reminded (a concurrent or earlier run got there first). */
  skippedAlreadyReminded: number;
  notDeliverable: number;
  /** Cars skipped because they could not be processed; listed under the run's job failures. */
  poisoned: number;
  /** False when the run stopped early; the next run continues where it stopped. */
  complete: boolean;
}

export async function runRemindersJob(deps: RemindersJobDeps, options: RemindersJobOptions): Promise<RemindersJobStats> {
  const stats: RemindersJobStats = { vehiclesRead: 0, ownersRead: 0, remindersCreated: 0, skippedAlreadyReminded: 0, notDeliverable: 0, poisoned: 0, complete: true };
  const runId = remindersRunId(options.now);
  const poison = async (key: Key, error: unknown) => {
    stats.poisoned++;
    deps.logger.error('reminders job skipped a car it could not process', { runId, key, error });
    await deps.reminders.failures.record(REMINDERS_JOB, runId, key, error, options.now);
  };
  try {
    return await remindShards(deps, options, stats, poison);
  } finally {
    emitJobCounts(deps.logger, REMINDERS_JOB, { [POISON_RECORDS_METRIC]: stats.poisoned });
  }
}

export const REMINDERS_JOB = 'reminders';

/** The run of a day's schedule: a retried or resumed invocation lists its failures under the same run. */
export function remindersRunId(now: Date): string {
  return `reminders-${now.toISOString()}`;
}

async function remindShards(deps: RemindersJobDeps, options: RemindersJobOptions, stats: RemindersJobStats, poison: (key: Key, error: unknown) => Promise<void>): Promise<RemindersJobStats> {
  const today = options.now.toISOString().slice(0, 10);
  const dueBy = addDays(today, REMINDER_LEAD_DAYS);
  const shards = options.shards ?? Array.from({ length: REMINDER_SHARDS }, (_, i) => i);

  for (const shard of shards) {
    let startKey: Record<string, unknown> | undefined;
    do {
      if (options.shouldStop?.()) {
        stats.complete = false;
        deps.logger.warn('reminders job stopping early; the next run continues', { shard, ...stats });
        return stats;
      }
      const page = await deps.reminders.dueForReminder(shard, dueBy, options.pageSize ?? 100, startKey);
      startKey = page.lastKey;
      stats.vehiclesRead += page.items.length;
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
      const owners = await deps.customers.getMany([...new Set(vehicles.map(({ vehicle }) => vehicle.ownerId).filter((id) => typeof id === 'string'))]);
      stats.ownersRead += owners.size;

      await inBatches(vehicles, options.concurrency ?? 8, async ({ key, vehicle }) => {
        let reminder: ReminderRecord | null;
        try {
          reminder = reminderFor(vehicle, owners.get(vehicle.ownerId), today, options.now);
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
    } while (startKey);
  }
  return stats;
}

/** The reminder a due car gets today, or null when nothing of its plan is due any more. */
function reminderFor(vehicle: VehicleRecord, owner: CustomerRecord | undefined, today: string, now: Date): ReminderRecord | null {
  const items = itemsDueBy(vehicle.servicePlan?.items ?? [], today);
  if (items.length === 0) return null;
  const channel = owner ? reminderChannel(owner.consents) : null;
  const reminder: ReminderRecord = {
    vin: vehicle.vin,
    cycle: vehicle.reminderCycle,
    customerId: vehicle.ownerId,
    dealerId: vehicle.servicingDealerId,
    dueDate: items[0]!.dueDate,
    items: items.map(({ code, dueDate, dueOdometerKm, basis }) => ({
      code,
      dueDate,
      dueOdometerKm,
      basis,
      recommendedProducts: maintenanceItem(code)?.products(vehicle.modelLine, vehicle.powertrain) ?? [],
    })),
    channel: channel ?? undefined,
    deliverable: channel !== null,
    status: 'OPEN',
    createdAt: now.toISOString(),
  };
  return reminder;
}
