import { CONSENT_CHANNELS, customerKeys, type ConsentChannel } from '../customer/customer.js';
import type { RecommendedProduct } from '../service/maintenance-catalogue.js';
import type { DueBasis } from '../service/prediction.js';
import { defineEntity, field } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import type { Key } from '../store/table.js';
import { vehicleKeys } from '../vehicle/vehicle.js';
import { KEY_PART, keyShape, nodeKey } from '../shared/ids.js';

const REMINDER_STATUSES = ['OPEN', 'ACKNOWLEDGED', 'BOOKED', 'DISMISSED', 'COMPLETED'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];
/** Statuses in which the reminder still waits for the customer or the workshop (defined with the service cycle a visit closes). */
export { ACTIVE_REMINDER_STATUSES } from '../service/service-cycle.js';

/** The `detail` of `MaintenanceReminderDue` (written by the reminder repository with the reminder itself). */
export interface MaintenanceReminderDue {
  /** The reminder's global key. */
  reminderId: string;
  vin: string;
  customerId: string;
  dealerId: string;
  dueDate: string;
  /** Catalogue codes of the items due. */
  items: string[];
  channel: ConsentChannel | null;
  deliverable: boolean;
}

/**
 * The `detail` of `MaintenanceReminderUpdated`: a reminder already sent was brought forward
 * because new readings moved the due date earlier (see `reminder-update.ts`). Consumers
 * send it again through `channel` ("your service is now due on …"); `revision` orders the
 * updates of one reminder (the created reminder is revision 1).
 */
export interface MaintenanceReminderUpdated extends MaintenanceReminderDue {
  /** The due date the owner was told before. */
  previousDueDate: string;
  revision: number;
}

declare module '../store/outbox.js' {
  interface PaddockEvents {
    MaintenanceReminderDue: MaintenanceReminderDue;
    MaintenanceReminderUpdated: MaintenanceReminderUpdated;
  }
}

export interface ReminderItem {
  code: string;
  /** The date to be serviced by: the item's reminder anchor (`reminderAnchor`), which is its likely date unless the window is wide. */
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
  /** The earliest `dueDate` of the items: the date the reminder is timed by (it goes out 14 days before). */
  dueDate: string;
  items: ReminderItem[];
  /** The channel the owner consented to, or absent: then `deliverable` is false. */
  channel?: ConsentChannel;
  deliverable: boolean;
  status: ReminderStatus;
  createdAt: string;
  /** 1 when created, +1 each time new readings bring it forward (absent on reminders made before updates: 1). */
  revision?: number;
  /** When it was last brought forward. */
  updatedAt?: string;
  acknowledgedAt?: string;
  booking?: ReminderBooking;
  dismissal?: { reason: string; dismissedAt: string };
  completedAt?: string;
  completedByVisitId?: string;
}

/** The reminder's id in its vehicle's partition: the cycle, zero-padded so they sort. */
const cycleKey = (cycle: number) => String(cycle).padStart(6, '0');

const REMINDER = 'REMINDER';

export const reminderKeys = {
  reminder: (vin: string, cycle: number): Key => ({ PK: vehicleKeys.partition(vin), SK: joinKey(REMINDER, cycleKey(cycle)) }),
  prefix: `${REMINDER}#`,
  customerParent: (customerId: string) => customerKeys.partition(customerId),
  /** A customer's reminders in `ByParent`, by when they were made. */
  underCustomer: (createdAt: string, vin: string) => joinKey(REMINDER, createdAt, vin),
  customerPrefix: `${REMINDER}#`,
};

export const reminderEntity = defineEntity<ReminderRecord>({
  name: 'MaintenanceReminder',
  example: () => ({ vin: 'WP0ZZZ99ZTS392124', cycle: 3, customerId: '01JCUSTOMER0000000000000000', dealerId: '01JDEALER00000000000000000', dueDate: '2026-04-01', items: [], deliverable: true, channel: 'EMAIL', status: 'OPEN', createdAt: '2026-03-01T09:30:00.000Z', revision: 1 }),
  key: (r) => reminderKeys.reminder(r.vin, r.cycle),
  indexes: (r) => ({ byParent: { pk: reminderKeys.customerParent(r.customerId), sk: reminderKeys.underCustomer(r.createdAt, r.vin) } }),
  fields: {
    vin: field.string,
    cycle: field.number,
    customerId: field.string,
    dealerId: field.string,
    dueDate: field.string,
    items: field.listOfMaps<ReminderItem>(),
    channel: field.optional(field.oneOf(CONSENT_CHANNELS)),
    deliverable: field.boolean,
    status: field.oneOf(REMINDER_STATUSES),
    createdAt: field.string,
    // Absent on reminders made before revisions: read as 1 (`revision ?? 1`), so old items read back as written.
    revision: field.optional(field.number),
    updatedAt: field.optional(field.string),
    acknowledgedAt: field.optional(field.string),
    booking: field.optional(field.map<ReminderBooking>()),
    dismissal: field.optional(field.map<NonNullable<ReminderRecord['dismissal']>>()),
    completedAt: field.optional(field.string),
    completedByVisitId: field.optional(field.string),
  },
});

/** The global key of a reminder: its vehicle and cycle. */
export const reminderGlobalKey = (r: Pick<ReminderRecord, 'vin' | 'cycle'>) => `${r.vin}/${r.cycle}`;

export function parseReminderGlobalKey(key: string): { vin: string; cycle: number } | null {
  const match = /^([A-Z0-9]{17})\/(\d{1,6})$/.exec(key);
  return match ? { vin: match[1]!, cycle: Number(match[2]) } : null;
}

/** `MaintenanceReminder` global ids: `<vin>/<cycle>` (see `reminderGlobalKey`). */
export const REMINDER_NODE = nodeKey('MaintenanceReminder', keyShape(KEY_PART.vin, '/\\d{1,6}'));
