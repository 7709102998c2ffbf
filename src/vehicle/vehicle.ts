import { crc32 } from 'node:zlib';
import type { Money } from '../shared/money.js';
import type { ItemPrediction, LastService, MileageEstimate } from '../service/prediction.js';
import type { PlanContext } from '../fleet-rates/fleet-rates.js';
import { dealerKeys } from '../dealer/dealer.js';
import { defineEntity, field, readItem, type IndexKeys } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import { ENTITY_TYPE_ATTRIBUTE, INDEXES, type Item, type Key } from '../store/table.js';
import { MODEL_LINES, POWERTRAINS, type ModelLine, type Powertrain } from '../catalogue/model-lines.js';
import { hasVinShape, nodeKey } from '../shared/ids.js';

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
  /** The odometer at registration: where items never done count from (absent on cars registered before it was kept). */
  registrationOdometerKm?: number;
  /** The highest reading so far, denormalised so a list of cars needs no extra query. */
  odometerKm: number;
  odometerReadAt: string;
  /** Per scheduled item code, when it was last performed (from service visits). */
  lastServiced: Record<string, LastService>;
  /** The predicted plan, recomputed on every reading and visit (see `withServicePlan`). */
  servicePlan?: StoredServicePlan;
  /** EVs and hybrids: the battery's state of health from telemetry (see `battery-health.ts`). */
  batteryHealth?: BatteryHealth;
  /** The cycle in which the owner was last asked to confirm the mileage (once per cycle). */
  readingRequestedCycle?: number;
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

/**
 * Recomputes a car's service plan from its readings and last services. The vehicle domain
 * stores the plan on every write that changes its inputs (a registration, a reading), but
 * the rule is the service domain's (`service/vehicle-plan.ts`): the composition root passes
 * it in, so the vehicle domain imports nothing of the service domain.
 */
export type VehiclePlanner = (vehicle: VehicleRecord, readings: readonly Pick<OdometerReading, 'km' | 'readAt'>[], context: PlanContext) => VehicleRecord;

/** Where the planner's context comes from: the fleet's learned rates (cached) and the time. */
export type PlanContextLoader = () => Promise<PlanContext>;

export interface StoredServicePlan {
  rate: MileageEstimate;
  /** Every scheduled item, soonest (by likely date) first. */
  items: ItemPrediction[];
  /** The earliest reminder anchor of its items (absent on plans stored before due windows): what `DueForReminder` sorts by. */
  earlyDue?: string;
}

/** A battery's state of health, summarised on the car from its readings. */
export interface BatteryHealth {
  /** The latest reading, 0–100 % of the original capacity. */
  stateOfHealthPct: number;
  /** %/year (negative = losing), a Theil–Sen slope; null until readings span 30 days. */
  trendPctPerYear: number | null;
  lastReadAt: string;
  readings: number;
}

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

/** A car's partition prefix: the vehicle, its readings, visits and reminders. */
const VEHICLE = 'VEH';
const ODOMETER = 'ODO';
/** The part of a due-date sort key that lies beyond every VIN: ranges up to a day include the whole day. */
const AFTER_ANY_VIN = '#\uffff';

/** Key builders for everything in a vehicle's partition. Readings sort by the time they were taken. */
export const vehicleKeys = {
  vehicle: (vin: string): Key => ({ PK: joinKey(VEHICLE, vin), SK: 'VEHICLE' }),
  partition: (vin: string) => joinKey(VEHICLE, vin),
  odometer: (vin: string, readAt: string, id: string): Key => ({ PK: joinKey(VEHICLE, vin), SK: joinKey(ODOMETER, readAt, id) }),
  odometerPrefix: `${ODOMETER}#`,
  /** Sort-key bounds of the readings taken at or before `readAt` (`before`), or after it (`after`). */
  odometerUpTo: (readAt: string) => ({ from: `${ODOMETER}#`, to: `${ODOMETER}#${readAt}${AFTER_ANY_VIN}` }),
  odometerAfter: (readAt: string) => ({ from: `${ODOMETER}#${readAt}${AFTER_ANY_VIN}`, to: `${ODOMETER}#\uffff` }),
  /** `ByParent` sort key of a serviced car under its dealer: by predicted due date. */
  dueAtDealer: (dueDate: string, vin: string) => `DUE#${dueDate}#${vin}`,
  /** `ByParent` sort-key bounds of the cars due in [fromDay, toDay], or before `beforeDay`. */
  dueAtDealerBetween: (fromDay: string, toDay: string) => ({ from: `DUE#${fromDay}`, to: `DUE#${toDay}${AFTER_ANY_VIN}` }),
  dueAtDealerBefore: (beforeDay: string) => ({ from: 'DUE#', to: `DUE#${beforeDay}` }),
  /** Partition of one shard of the sparse `DueForReminder` index. */
  reminderShard: (shard: number) => `REMINDERDUE#${shard}`,
  reminderDue: (dueDate: string, vin: string) => `${dueDate}#${vin}`,
  /** The highest `DueForReminder` sort key of a car due on or before `dueBy`. */
  reminderDueBy: (dueBy: string) => `${dueBy}${AFTER_ANY_VIN}`,
};

/** Shards of the DueForReminder index: spreads writes, and lets the job work shards in parallel. */
export const REMINDER_SHARDS = 8;

export function reminderShard(vin: string): number {
  return crc32(vin) % REMINDER_SHARDS;
}

/** Index keys derived from the plan: never set by hand, so they cannot drift from it. */
function dueIndexKeys(v: VehicleRecord): IndexKeys {
  const due = v.servicePlan?.items[0]?.dueDate;
  if (!due) return {};
  // Reminders go out ahead of the early quantile of the due date, not the likely date.
  const remindAnchor = v.servicePlan?.earlyDue ?? due;
  return {
    // A dealer's serviced cars by due date: the service forecast.
    byParent: { pk: dealerKeys.parent(v.servicingDealerId), sk: vehicleKeys.dueAtDealer(due, v.vin) },
    // Sparse: present only while the current cycle awaits its reminder.
    ...(v.remindedCycle < v.reminderCycle ? { dueForReminder: { pk: vehicleKeys.reminderShard(reminderShard(v.vin)), sk: vehicleKeys.reminderDue(remindAnchor, v.vin) } } : {}),
  };
}

/** The index attributes a reminder removes from its car: the car leaves `DueForReminder` (sparse). */
export const reminderDueIndexAttributes = [INDEXES.dueForReminder.partitionKey, INDEXES.dueForReminder.sortKey] as const;

export const vehicleEntity = defineEntity<VehicleRecord>({
  name: 'Vehicle',
  example: makeVehicle,
  key: (v) => vehicleKeys.vehicle(v.vin),
  indexes: dueIndexKeys,
  fields: {
    vin: field.string,
    modelLine: field.oneOf(MODEL_LINES),
    variant: field.string,
    powertrain: field.oneOf(POWERTRAINS),
    modelYear: field.number,
    purchaseDate: field.string,
    purchasePrice: field.map<Money>(),
    sellingDealerId: field.string,
    servicingDealerId: field.string,
    ownerId: field.string,
    ownerSince: field.string,
    ownerHistory: field.withDefault(field.listOfMaps<Ownership>(), () => []),
    registrationOdometerKm: field.optional(field.number),
    odometerKm: field.number,
    odometerReadAt: field.string,
    lastServiced: field.withDefault(field.map<VehicleRecord['lastServiced']>(), () => ({})),
    servicePlan: field.optional(field.map<StoredServicePlan>()),
    batteryHealth: field.optional(field.map<BatteryHealth>()),
    readingRequestedCycle: field.optional(field.number),
    // Cars registered before reminder cycles existed are in their first, un-reminded cycle.
    reminderCycle: field.withDefault(field.number, () => 1),
    remindedCycle: field.withDefault(field.number, () => 0),
    version: field.number,
    registeredAt: field.string,
  },
});

const ODOMETER_ENTITY = 'OdometerReading';

/** A reading is stored under a fresh id in its sort key (two readings may share an instant). */
export function odometerToItem(r: OdometerReading, id: string): Item {
  return { ...vehicleKeys.odometer(r.vin, r.readAt, id), [ENTITY_TYPE_ATTRIBUTE]: ODOMETER_ENTITY, ...r };
}

export function odometerFromItem(item: Record<string, unknown>): OdometerReading {
  return readItem<OdometerReading>(ODOMETER_ENTITY, { vin: field.string, km: field.number, readAt: field.string, source: field.string, recordedAt: field.string }, item);
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

/** `Vehicle` global ids: the key is the VIN (shape only: a malformed VIN cannot exist). */
export const VEHICLE_NODE = nodeKey('Vehicle', hasVinShape);

/**
 * The fact a registration is: the car (with its first plan) written by `registerVehicle`
 * in one transaction with its first reading, plus whatever other domains add through
 * their `VehicleRegistered` hook (the customer domain counts the car on the owner's
 * profile and links the selling dealer, the value domain appends the purchase).
 */
export interface VehicleRegistered {
  vehicle: VehicleRecord;
}

/** The fact a change of owner is: the car as it was read and as the transfer leaves it (`after.ownerId` is the new owner). */
export interface VehicleTransferred {
  before: VehicleRecord;
  after: VehicleRecord;
}

/**
 * The fact new readings are: the car before and after its plan was recomputed from them
 * (a workshop reading, telemetry). Other domains react in the same transaction — the
 * reminder domain brings an open reminder forward when the due date moved earlier.
 */
export interface VehiclePlanChanged {
  before: VehicleRecord;
  after: VehicleRecord;
  /** When it was written. */
  at: string;
}

declare module '../store/fact-hooks.js' {
  interface FactPayloads {
    VehicleRegistered: VehicleRegistered;
    VehicleTransferred: VehicleTransferred;
    VehiclePlanChanged: VehiclePlanChanged;
  }
}
