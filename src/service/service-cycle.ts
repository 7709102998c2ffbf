import type { ReminderRecord, ReminderStatus } from '../reminder/reminder.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import { maintenanceItem } from './maintenance-catalogue.js';
import type { ServiceVisitRecord } from './service-visit.js';

/**
 * Statuses in which a reminder still waits for the customer or the workshop: a visit that
 * performs one of its items completes it. Defined with the service cycle (which a visit
 * closes) and re-exported by the reminder domain, so the service domain needs no runtime
 * import of the reminder domain (which imports the service domain for its plans).
 */
export const ACTIVE_REMINDER_STATUSES: readonly ReminderStatus[] = ['OPEN', 'ACKNOWLEDGED', 'BOOKED'];

/** Scheduled items a visit performed restart their intervals — unless a later visit already did. */
export function lastServicedAfter(current: VehicleRecord['lastServiced'], visit: ServiceVisitRecord): VehicleRecord['lastServiced'] {
  const next = { ...current };
  const day = visit.performedAt.slice(0, 10);
  for (const item of visit.items) {
    if (!maintenanceItem(item.code)) continue;
    const previous = next[item.code];
    if (!previous || previous.date <= day) next[item.code] = { date: day, km: visit.odometerKm };
  }
  return next;
}

/**
 * What a visit does to its car's service cycle: it restarts the intervals of the
 * scheduled items it performed, and if it performs any item of the cycle's reminder
 * (`cycleReminder`, present only once the cycle was reminded) it starts the next cycle
 * and — while that reminder is still active — completes it.
 *
 * @example
 * visitOnCycle(vehicle, { ...reminder, items: [{ code: 'OIL_SERVICE', … }] }, visitWithOil).vehicle.reminderCycle // vehicle.reminderCycle + 1
 */
export function visitOnCycle(vehicle: VehicleRecord, cycleReminder: ReminderRecord | null, visit: ServiceVisitRecord): { vehicle: VehicleRecord; completedReminder?: { before: ReminderRecord; after: ReminderRecord } } {
  const next: VehicleRecord = { ...vehicle, lastServiced: lastServicedAfter(vehicle.lastServiced, visit) };
  const performed = new Set(visit.items.map((i) => i.code));
  if (!cycleReminder || !cycleReminder.items.some((i) => performed.has(i.code))) return { vehicle: next };
  const closed = { ...next, reminderCycle: vehicle.reminderCycle + 1 };
  if (!ACTIVE_REMINDER_STATUSES.includes(cycleReminder.status)) return { vehicle: closed };
  return { vehicle: closed, completedReminder: { before: cycleReminder, after: { ...cycleReminder, status: 'COMPLETED', completedAt: visit.recordedAt, completedByVisitId: visit.id } } };
}
