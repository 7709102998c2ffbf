import { reminderChannel } from './channel.js';
import type { ReminderRecord } from './reminder.js';
import type { ReminderRepository } from './reminder-repository.js';
import type { CustomerRepository } from '../customer/customer-repository.js';
import { addDays } from '../service/calendar.js';
import { maintenanceItem } from '../service/maintenance-catalogue.js';
import { itemsDueBy, REMINDER_LEAD_DAYS } from '../service/prediction.js';
import { inBatches } from '../shared/in-batches.js';
import type { Logger } from '../shared/logger.js';
import { vehicleFromItem, REMINDER_SHARDS } from '../vehicle/vehicle.js';

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
  /** False when the run stopped early; the next run continues where it stopped. */
  complete: boolean;
}

export async function runRemindersJob(deps: RemindersJobDeps, options: RemindersJobOptions): Promise<RemindersJobStats> {
  const today = options.now.toISOString().slice(0, 10);
  const dueBy = addDays(today, REMINDER_LEAD_DAYS);
  const shards = options.shards ?? Array.from({ length: REMINDER_SHARDS }, (_, i) => i);
  const stats: RemindersJobStats = { vehiclesRead: 0, ownersRead: 0, remindersCreated: 0, skippedAlreadyReminded: 0, notDeliverable: 0, complete: true };

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
      const vehicles = page.items.map(vehicleFromItem);
      stats.vehiclesRead += vehicles.length;
      const owners = await deps.customers.getMany([...new Set(vehicles.map((v) => v.ownerId))]);
      stats.ownersRead += owners.size;

      await inBatches(vehicles, options.concurrency ?? 8, async (vehicle) => {
        const items = itemsDueBy(vehicle.servicePlan?.items ?? [], today);
        if (items.length === 0) return; // the index said due; the plan moved since — nothing to remind
        const owner = owners.get(vehicle.ownerId);
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
          createdAt: options.now.toISOString(),
        };
        const outcome = await deps.reminders.createForCycle(reminder, options.now);
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
