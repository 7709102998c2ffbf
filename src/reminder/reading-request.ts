import type { ConsentChannel, CustomerRecord } from '../customer/customer.js';
import { addDays } from '../service/calendar.js';
import { dueWindowOf, reminderAnchor, windowWidthDays, type DueWindow, type ItemPrediction } from '../service/prediction.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import { reminderChannel } from './channel.js';

/**
 * Asking the owner for a reading when the reminder would otherwise be a guess.
 *
 * A reminder aims at ±{@link REMINDER_TOLERANCE_DAYS} days around "14 days before due".
 * A car whose next due date is uncertain (an old reading, a rate borrowed from its cohort)
 * is reminded early on purpose — lateness is what the brand cannot afford. One fresh
 * reading narrows the window and moves the reminder back towards its target, so the job
 * asks for one {@link READING_REQUEST_LEAD_DAYS} days before the reminder would go out:
 * time for the owner to answer before the reminder is sent.
 */

/** How far from "14 days before due" a reminder may land and still count as on time. */
export const REMINDER_TOLERANCE_DAYS = 3;
/** How long before the reminder's day the owner is asked for a reading. */
export const READING_REQUEST_LEAD_DAYS = 14;
/** A reading younger than this is fresh: asking again would tell the model little new. */
export const READING_FRESH_DAYS = 14;

/** Why a reading is requested (one reason so far; an enum so consumers can route). */
export type ReadingRequestReason = 'WIDE_WINDOW';

/** The `detail` of `OdometerReadingRequested`: ask the owner to report the car's mileage. */
export interface OdometerReadingRequested {
  vin: string;
  customerId: string;
  /** The service cycle the request belongs to: at most one request per cycle. */
  cycle: number;
  channel: ConsentChannel;
  /** The window of the item the reminder would be about, as the request saw it. */
  dueWindow: DueWindow;
  reason: ReadingRequestReason;
}

declare module '../store/outbox.js' {
  interface PaddockEvents {
    OdometerReadingRequested: OdometerReadingRequested;
  }
}

/**
 * The item a reminder would be timed by: the earliest reminder anchor, the first in plan
 * order on a tie. Usually the first item; it differs when a distance item with a wide
 * window anchors before a calendar item that is likely due first — and that distance item
 * is the one a reading would narrow.
 */
export function anchorItem(items: readonly ItemPrediction[]): ItemPrediction | undefined {
  return items.reduce<ItemPrediction | undefined>((best, item) => (best === undefined || reminderAnchor(item) < reminderAnchor(best) ? item : best), undefined);
}

/** Whether a window is wider than a reminder's tolerance either side of its target. */
export function isWideWindow(window: DueWindow): boolean {
  return windowWidthDays(window) > REMINDER_TOLERANCE_DAYS * 2;
}

/** The instant before which the last reading counts as stale at `now`. */
export function staleReadingBefore(now: Date): string {
  return new Date(now.getTime() - READING_FRESH_DAYS * 86_400_000).toISOString();
}

/**
 * The reading request a car should get at `now`, or null. Pure: the job has already
 * picked cars whose reminder is due within the request lead; this checks the rest —
 * a wide window, a stale reading, not asked yet this cycle, and an owner who consented to
 * a channel (without consent nobody can be asked).
 *
 * @example
 * readingRequestFor(vehicle, owner, new Date('2026-12-01T06:00:00Z'))
 * // { vin, customerId, cycle: 2, channel: 'EMAIL', dueWindow: { earliest: '2026-12-20', … }, reason: 'WIDE_WINDOW' }
 */
export function readingRequestFor(vehicle: VehicleRecord, owner: CustomerRecord | undefined, now: Date): OdometerReadingRequested | null {
  if (!needsReading(vehicle, now) || !owner) return null;
  const channel = reminderChannel(owner.consents);
  if (!channel) return null;
  return { vin: vehicle.vin, customerId: vehicle.ownerId, cycle: vehicle.reminderCycle, channel, dueWindow: dueWindowOf(anchorItem(vehicle.servicePlan!.items)!), reason: 'WIDE_WINDOW' };
}

/** The checks on the car alone (before its owner is read): in the current, un-reminded cycle, not asked yet, stale reading, wide window. */
export function needsReading(vehicle: VehicleRecord, now: Date): boolean {
  if (vehicle.remindedCycle >= vehicle.reminderCycle || vehicle.readingRequestedCycle === vehicle.reminderCycle) return false;
  if (Date.parse(vehicle.odometerReadAt) >= Date.parse(staleReadingBefore(now))) return false;
  const item = anchorItem(vehicle.servicePlan?.items ?? []);
  return item !== undefined && isWideWindow(dueWindowOf(item));
}

/** The last day of the request lead: cars whose reminder anchor falls in (remindBy, this day] are asked. */
export function readingRequestHorizon(remindBy: string): string {
  return addDays(remindBy, READING_REQUEST_LEAD_DAYS);
}
