import { crc32 } from 'node:zlib';
import type { Money } from '../shared/money.js';
import type { ItemPrediction, LastService, MileageEstimate } from '../service/prediction.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item, type Key } from '../store/table.js';
import type { ModelLine, Powertrain } from './model-lines.js';

/** A car as the store keeps it (the GraphQL `Vehicle` mapper). The VIN is its natural key. */
export interface VehicleRecord {
  vin: string;
  modelLine: ModelLine;
  variant: string;
  powertrain: Powertrain;
  modelYear: number;
  purchaseDate: string;
  purchasePrice: Money;
  sellingDealerId: string;
  servicingDealerId: string;
  ownerId: string;
  ownerSince: string;
  /**
   * Every ownership in order, the current one last (without `to`). Kept on the vehicle
   * item (a car has a handful of owners) so a list of cars shows its history without a
   * query per car, and a transfer changes it under the vehicle's version condition.
   */
  ownerHistory: Ownership[];
  /** The highest reading so far, denormalised so a list of cars needs no extra query. */
  odometerKm: number;
  odometerReadAt: string;
  /** Per scheduled item code, when it was last performed (from service visits). */
  lastServiced: Record<string, LastService>;
  /** The predicted plan, recomputed on every reading and visit (see `withServicePlan`). */
  servicePlan?: { rate: MileageEstimate; items: ItemPrediction[] };
  /**
   * Service cycles: a reminder is sent once per cycle (`remindedCycle` catches up with
   * `reminderCycle`), and a visit performing the reminded items starts the next cycle.
   */
  reminderCycle: number;
  remindedCycle: number;
  version: number;
  registeredAt: string;
}

/**
 * Ownerships kept on the vehicle item. A real car has a handful; the cap keeps a caller
 * who transfers one car back and forth from growing the item towards DynamoDB's 400 KB
 * (an ownership is ≈ 80 bytes, so 100 of them stay under 10 KB).
 */
export const MAX_OWNERSHIPS = 100;

export interface OdometerReading {
  vin: string;
  km: number;
  readAt: string;
  /** Who reported it: `dealer:<id>`, `admin`, `registration`, … */
  source: string;
  recordedAt: string;
}

export interface Ownership {
  customerId: string;
  from: string;
  to?: string;
}

const ENTITY = 'Vehicle';

/** Key builders for everything in a vehicle's partition. Readings sort by the time they were taken. */
export const vehicleKeys = {
  vehicle: (vin: string): Key => ({ PK: `VEH#${vin}`, SK: 'VEHICLE' }),
  partition: (vin: string) => `VEH#${vin}`,
  odometer: (vin: string, readAt: string, id: string): Key => ({ PK: `VEH#${vin}`, SK: `ODO#${readAt}#${id}` }),
  odometerPrefix: 'ODO#',
};

/** Shards of the DueForReminder index: spreads writes, and lets the job work shards in parallel. */
export const REMINDER_SHARDS = 8;

export function reminderShard(vin: string): number {
  return crc32(vin) % REMINDER_SHARDS;
}

/** Index keys derived from the plan: never set by hand, so they cannot drift from it. */
function dueIndexKeys(v: VehicleRecord): Record<string, string> {
  const due = v.servicePlan?.items[0]?.dueDate;
  if (!due) return {};
  return {
    // A dealer's serviced cars by due date: the service forecast.
    GSI1PK: `DEALER#${v.servicingDealerId}`,
    GSI1SK: `DUE#${due}#${v.vin}`,
    // Sparse: present only while the current cycle awaits its reminder.
    ...(v.remindedCycle < v.reminderCycle ? { GSI3PK: `REMINDERDUE#${reminderShard(v.vin)}`, GSI3SK: `${due}#${v.vin}` } : {}),
  };
}

export function vehicleToItem(v: VehicleRecord): Item {
  return {
    ...vehicleKeys.vehicle(v.vin),
    [ENTITY_TYPE_ATTRIBUTE]: ENTITY,
    ...dueIndexKeys(v),
    ...v,
  };
}

export function vehicleFromItem(item: Record<string, unknown>): VehicleRecord {
  if (item[ENTITY_TYPE_ATTRIBUTE] !== ENTITY) throw new Error(`Expected a ${ENTITY} item, got ${String(item[ENTITY_TYPE_ATTRIBUTE])}`);
  return {
    vin: item.vin as string,
    modelLine: item.modelLine as ModelLine,
    variant: item.variant as string,
    powertrain: item.powertrain as Powertrain,
    modelYear: item.modelYear as number,
    purchaseDate: item.purchaseDate as string,
    purchasePrice: item.purchasePrice as Money,
    sellingDealerId: item.sellingDealerId as string,
    servicingDealerId: item.servicingDealerId as string,
    ownerId: item.ownerId as string,
    ownerSince: item.ownerSince as string,
    ownerHistory: (item.ownerHistory ?? []) as Ownership[],
    odometerKm: item.odometerKm as number,
    odometerReadAt: item.odometerReadAt as string,
    lastServiced: (item.lastServiced ?? {}) as VehicleRecord['lastServiced'],
    servicePlan: item.servicePlan as VehicleRecord['servicePlan'],
    reminderCycle: (item.reminderCycle as number | undefined) ?? 1,
    remindedCycle: (item.remindedCycle as number | undefined) ?? 0,
    version: item.version as number,
    registeredAt: item.registeredAt as string,
  };
}

export function odometerToItem(r: OdometerReading, id: string): Item {
  return { ...vehicleKeys.odometer(r.vin, r.readAt, id), [ENTITY_TYPE_ATTRIBUTE]: 'OdometerReading', ...r };
}

export function odometerFromItem(item: Record<string, unknown>): OdometerReading {
  return {
    vin: item.vin as string,
    km: item.km as number,
    readAt: item.readAt as string,
    source: item.source as string,
    recordedAt: item.recordedAt as string,
  };
}

/**
 * @example
 * makeVehicle({ modelLine: 'TAYCAN', powertrain: 'ELECTRIC' })
 */
export function makeVehicle(overrides: Partial<VehicleRecord> = {}): VehicleRecord {
  return {
    vin: 'WP0ZZZ99ZTS392124',
    modelLine: 'NINE_ELEVEN',
    variant: '911 Carrera S',
    powertrain: 'PETROL',
    modelYear: 2024,
    purchaseDate: '2024-03-15',
    purchasePrice: { amountMinor: 14_500_000, currency: 'EUR' },
    sellingDealerId: '01JDEALER00000000000000000',
    servicingDealerId: '01JDEALER00000000000000000',
    ownerId: '01JCUSTOMER0000000000000000',
    ownerSince: '2024-03-15',
    ownerHistory: [{ customerId: '01JCUSTOMER0000000000000000', from: '2024-03-15' }],
    odometerKm: 12,
    odometerReadAt: '2024-03-15T10:00:00.000Z',
    lastServiced: {},
    reminderCycle: 1,
    remindedCycle: 0,
    version: 1,
    registeredAt: '2024-03-15T10:00:00.000Z',
    ...overrides,
  };
}
