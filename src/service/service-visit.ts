import type { Money } from '../shared/money.js';
import type { ReminderRecord } from '../reminder/reminder.js';
import { customerKeys } from '../customer/customer.js';
import { defineEntity, field } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import type { Key } from '../store/table.js';
import { vehicleKeys } from '../vehicle/vehicle.js';
import { KEY_PART, keyShape, nodeKey } from '../shared/ids.js';

const SERVICE_KINDS = ['MAINTENANCE', 'REPAIR', 'RECALL', 'INSPECTION', 'TYRES'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export interface ServiceLine {
  description: string;
  quantity: number;
  amount: Money;
}

export interface PerformedItem {
  /** A catalogue code: a scheduled item (`OIL_SERVICE`) or unscheduled work (`BRAKE_PADS`). */
  code: string;
  description: string;
  parts: ServiceLine[];
  labour: ServiceLine[];
}

/** A workshop visit as the store keeps it (the GraphQL `ServiceVisit` mapper). */
export interface ServiceVisitRecord {
  id: string;
  vin: string;
  dealerId: string;
  /** The owner at the time of the visit: their service history keeps it after a sale. */
  customerId: string;
  performedAt: string;
  odometerKm: number;
  kind: ServiceKind;
  items: PerformedItem[];
  total: Money;
  waitTimeMinutes: number;
  firstTimeFix: boolean;
  recordedAt: string;
  /** The club voucher presented at the visit (trimmed, as entered); the rewards domain marks it used in the visit's transaction. */
  voucherCode?: string;
}

const VISIT = 'VISIT';

export const serviceVisitKeys = {
  visit: (vin: string, performedAt: string, id: string): Key => ({ PK: vehicleKeys.partition(vin), SK: joinKey(VISIT, performedAt, id) }),
  /** Visits sort by time in both their vehicle's partition and their customer's `ByParent` partition. */
  prefix: `${VISIT}#`,
  /** Partition of the ByParent index with a customer's visits (and reminders). */
  customerParent: (customerId: string) => customerKeys.partition(customerId),
};

export const serviceVisitEntity = defineEntity<ServiceVisitRecord>({
  name: 'ServiceVisit',
  example: () => ({ id: '01JVISIT000000000000000000', vin: 'WP0ZZZ99ZTS392124', dealerId: '01JDEALER00000000000000000', customerId: '01JCUSTOMER0000000000000000', performedAt: '2026-03-01T09:30:00.000Z', odometerKm: 15_000, kind: 'MAINTENANCE', items: [{ code: 'OIL_SERVICE', description: 'Oil service', parts: [], labour: [] }], total: { amountMinor: 45_000, currency: 'EUR' }, waitTimeMinutes: 90, firstTimeFix: true, recordedAt: '2026-03-01T09:30:00.000Z' }),
  key: (v) => serviceVisitKeys.visit(v.vin, v.performedAt, v.id),
  indexes: (v) => ({ byParent: { pk: serviceVisitKeys.customerParent(v.customerId), sk: joinKey(VISIT, v.performedAt, v.id) } }),
  fields: {
    id: field.string,
    vin: field.string,
    dealerId: field.string,
    customerId: field.string,
    performedAt: field.string,
    odometerKm: field.number,
    kind: field.oneOf(SERVICE_KINDS),
    items: field.listOfMaps<PerformedItem>(),
    total: field.map<Money>(),
    waitTimeMinutes: field.number,
    firstTimeFix: field.boolean,
    recordedAt: field.string,
    voucherCode: field.optional(field.string),
  },
});

/** The global key of a visit names its item: vehicle, time, id. */
export const serviceVisitGlobalKey = (v: Pick<ServiceVisitRecord, 'vin' | 'performedAt' | 'id'>) => `${v.vin}|${v.performedAt}|${v.id}`;

export function parseServiceVisitGlobalKey(key: string): { vin: string; performedAt: string; id: string } | null {
  const [vin, performedAt, id, ...rest] = key.split('|');
  return vin && performedAt && id && rest.length === 0 ? { vin, performedAt, id } : null;
}

/** `ServiceVisit` global ids: `<vin>|<performedAt as stored>|<visit ULID>` (see `serviceVisitGlobalKey`). */
export const SERVICE_VISIT_NODE = nodeKey('ServiceVisit', keyShape(KEY_PART.vin, '\\|', KEY_PART.storedInstant, '\\|', KEY_PART.ulid));

/**
 * The fact a recorded visit is: written by `recordServiceVisit` in one transaction with
 * the vehicle, its reading and the visit, plus whatever other domains add through their
 * `ServiceVisitRecorded` hook (the value domain counts it on the owner's aggregates, the
 * reminder domain completes the reminder it closes, the club's rewards mark the voucher
 * the visit carries in `voucherCode` used).
 */
export interface ServiceVisitRecorded {
  visit: ServiceVisitRecord;
  /** The reminder of the cycle this visit closes, as read and as the visit leaves it (only while it was active). */
  completedReminder?: { before: ReminderRecord; after: ReminderRecord };
}

declare module '../store/fact-hooks.js' {
  interface FactPayloads {
    ServiceVisitRecorded: ServiceVisitRecorded;
  }
}
