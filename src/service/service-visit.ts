import type { Money } from '../shared/money.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item, type Key } from '../store/table.js';

export const SERVICE_KINDS = ['MAINTENANCE', 'REPAIR', 'RECALL', 'INSPECTION', 'TYRES'] as const;
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
}

export const serviceVisitKeys = {
  visit: (vin: string, performedAt: string, id: string): Key => ({ PK: `VEH#${vin}`, SK: `VISIT#${performedAt}#${id}` }),
  prefix: 'VISIT#',
  /** Partition of the ByParent index with a customer's visits (and reminders). */
  customerParent: (customerId: string) => `CUST#${customerId}`,
};

export function serviceVisitToItem(v: ServiceVisitRecord): Item {
  return {
    ...serviceVisitKeys.visit(v.vin, v.performedAt, v.id),
    [ENTITY_TYPE_ATTRIBUTE]: 'ServiceVisit',
    GSI1PK: serviceVisitKeys.customerParent(v.customerId),
    GSI1SK: `VISIT#${v.performedAt}#${v.id}`,
    ...v,
  };
}

export function serviceVisitFromItem(item: Record<string, unknown>): ServiceVisitRecord {
  if (item[ENTITY_TYPE_ATTRIBUTE] !== 'ServiceVisit') throw new Error(`Expected a ServiceVisit item, got ${String(item[ENTITY_TYPE_ATTRIBUTE])}`);
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, [ENTITY_TYPE_ATTRIBUTE]: _t, ...record } = item;
  return record as unknown as ServiceVisitRecord;
}

/** The global key of a visit names its item: vehicle, time, id. */
export const serviceVisitGlobalKey = (v: Pick<ServiceVisitRecord, 'vin' | 'performedAt' | 'id'>) => `${v.vin}|${v.performedAt}|${v.id}`;

export function parseServiceVisitGlobalKey(key: string): { vin: string; performedAt: string; id: string } | null {
  const [vin, performedAt, id, ...rest] = key.split('|');
  return vin && performedAt && id && rest.length === 0 ? { vin, performedAt, id } : null;
}
