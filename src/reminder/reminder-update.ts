import { maintenanceItem } from '../service/maintenance-catalogue.js';
import { itemsDueBy, reminderAnchor, type ItemPrediction } from '../service/prediction.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import type { ReminderItem, ReminderRecord, ReminderStatus } from './reminder.js';

/**
 * What a reminder says, and how new readings change it. Pure.
 *
 * A reminder's dates are reminder anchors (`reminderAnchor`): the likely date for a car
 * with a narrow window, earlier for an uncertain one — the date the brand can promise
 * without being late, and the one the reminder was timed by (it goes out 14 days before).
 * Comparing a new plan's anchor with the reminder's `dueDate` therefore compares like with
 * like: it moves only when the readings really moved the due date.
 */

/** Reminders that new readings may still bring forward: the owner has not booked, dismissed or been served. */
export const UPDATABLE_REMINDER_STATUSES: readonly ReminderStatus[] = ['OPEN', 'ACKNOWLEDGED'];

/**
 * The items of a reminder made on `day`: those whose anchor falls within the lead
 * (`itemsDueBy`), the earliest first. Products are those of `previous` for items already
 * reminded (a reminder is a message: what it recommended stays), the catalogue's for new ones.
 */
export function reminderItems(vehicle: VehicleRecord, items: readonly ItemPrediction[], day: string, previous: readonly ReminderItem[] = []): ReminderItem[] {
  const kept = new Map(previous.map((item) => [item.code, item]));
  // An item the reminder named stays named (a reminder never drops silently what it asked for).
  const due = items.filter((item) => kept.has(item.code) || itemsDueBy([item], day).length > 0);
  return due
    .map((item, order) => ({ item, order }))
    .sort((a, b) => reminderAnchor(a.item).localeCompare(reminderAnchor(b.item)) || a.order - b.order)
    .map(({ item }) => ({
      code: item.code,
      dueDate: reminderAnchor(item),
      ...(item.dueOdometerKm !== undefined ? { dueOdometerKm: item.dueOdometerKm } : {}),
      basis: item.basis,
      recommendedProducts: kept.get(item.code)?.recommendedProducts ?? maintenanceItem(item.code)?.products(vehicle.modelLine, vehicle.powertrain) ?? [],
    }));
}

/**
 * The reminder brought forward to the car's new plan, or null when it stays as it is.
 * Only earlier: a reminder is never pushed back silently — the owner was told a date, and
 * a later one would invite them to wait past what we said, on the strength of one reading.
 * (A later date reaches them with the next cycle's reminder, after the service.)
 * Only `OPEN`/`ACKNOWLEDGED`: a booked appointment is the dealer's to move.
 */
export function broughtForward(reminder: ReminderRecord, vehicle: VehicleRecord, at: string): ReminderRecord | null {
  const plan = vehicle.servicePlan;
  if (!plan || plan.items.length === 0 || !UPDATABLE_REMINDER_STATUSES.includes(reminder.status)) return null;
  if (reminder.vin !== vehicle.vin || reminder.cycle !== vehicle.reminderCycle) return null;
  const anchor = plan.earlyDue ?? plan.items.map(reminderAnchor).sort()[0]!;
  if (anchor >= reminder.dueDate) return null;
  const items = reminderItems(vehicle, plan.items, at.slice(0, 10), reminder.items);
  // The earliest item is within the lead whenever the anchor moved earlier (the reminder's date was); guard the odd clock anyway.
  if (items.length === 0 || items[0]!.dueDate >= reminder.dueDate) return null;
  return { ...reminder, items, dueDate: items[0]!.dueDate, revision: (reminder.revision ?? 1) + 1, updatedAt: at };
}
