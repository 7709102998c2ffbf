import type { ConsentChannel } from '../customer/customer.js';
import type { RecommendedProduct } from '../service/maintenance-catalogue.js';
import type { DueBasis } from '../service/prediction.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item, type Key } from '../store/table.js';

export const REMINDER_STATUSES = ['OPEN', 'ACKNOWLEDGED', 'BOOKED', 'DISMISSED', 'COMPLETED'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];
/** Statuses in which the reminder still waits for the customer or the workshop. */
export const ACTIVE_REMINDER_STATUSES: readonly ReminderStatus[] = ['OPEN', 'ACKNOWLEDGED', 'BOOKED'];

export interface ReminderItem {
  code: string;
  dueDate: string;
  dueOdometerKm?: number;
  basis: DueBasis;
  /** As recommended when the reminder was made: a reminder is a message, it does not change later. */
  recommendedProducts: RecommendedProduct[];
}

export interface ReminderBooking {
  appointmentAt: string;
  dealerId: string;
  bookedAt: string;
}

/** One reminder per vehicle and service cycle (the GraphQL `MaintenanceReminder` mapper). */
export interface ReminderRecord {
  vin: string;
  cycle: number;
  customerId: string;
  dealerId: string;
  dueDate: string;
  items: ReminderItem[];
  /** The channel the owner consented to, or absent: then `deliverable` is false. */
  channel?: ConsentChannel;
  deliverable: boolean;
  status: ReminderStatus;
  createdAt: string;
  acknowledgedAt?: string;
  booking?: ReminderBooking;
  dismissal?: { reason: string; dismissedAt: string };
  completedAt?: string;
  completedByVisitId?: string;
}

/** The reminder's id in its vehicle's partition: the cycle, zero-padded so they sort. */
const cycleKey = (cycle: number) => String(cycle).padStart(6, '0');

export const reminderKeys = {
  reminder: (vin: string, cycle: number): Key => ({ PK: `VEH#${vin}`, SK: `REMINDER#${cycleKey(cycle)}` }),
  prefix: 'REMINDER#',
  customerParent: (customerId: string) => `CUST#${customerId}`,
  customerPrefix: 'REMINDER#',
};

export function reminderToItem(r: ReminderRecord): Item {
  return {
    ...reminderKeys.reminder(r.vin, r.cycle),
    [ENTITY_TYPE_ATTRIBUTE]: 'MaintenanceReminder',
    GSI1PK: reminderKeys.customerParent(r.customerId),
    GSI1SK: `REMINDER#${r.createdAt}#${r.vin}`,
    ...r,
  };
}

export function reminderFromItem(item: Record<string, unknown>): ReminderRecord {
  if (item[ENTITY_TYPE_ATTRIBUTE] !== 'MaintenanceReminder') throw new Error(`Expected a MaintenanceReminder item, got ${String(item[ENTITY_TYPE_ATTRIBUTE])}`);
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, [ENTITY_TYPE_ATTRIBUTE]: _t, ...record } = item;
  return record as unknown as ReminderRecord;
}

/** The global key of a reminder: its vehicle and cycle. */
export const reminderGlobalKey = (r: Pick<ReminderRecord, 'vin' | 'cycle'>) => `${r.vin}/${r.cycle}`;

export function parseReminderGlobalKey(key: string): { vin: string; cycle: number } | null {
  const match = /^([A-Z0-9]{17})\/(\d{1,6})$/.exec(key);
  return match ? { vin: match[1]!, cycle: Number(match[2]) } : null;
}
