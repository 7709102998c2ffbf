import { InvariantError } from '../shared/errors.js';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getRecords } from '../store/entity.js';
import type { Page } from '../store/cursor.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { transactWrite, type TransactItem } from '../store/transactions.js';
import { customerKeys, dealerLinkItem } from '../customer/customer.js';
import { linkUpsert } from '../customer/customer-repository.js';
import { dealerKeys } from '../dealer/dealer.js';
import type { Contribution } from '../store/fact-hooks.js';
import { ServiceVisitRepository } from '../service/service-visit-repository.js';
import type { ServiceVisitRecord } from '../service/service-visit.js';
import { withServicePlan } from '../service/vehicle-plan.js';
import { appendFactClause, MAX_OWNED_VEHICLES, type PurchaseFact } from '../value/aggregates.js';
import { customerAppendFailure } from '../value/fact-repository.js';
import { toEurMinor } from '../value/scoring.js';
import { newId } from '../shared/ids.js';
import { INDEXES } from '../store/table.js';
import { odometerFromItem, odometerToItem, vehicleEntity, vehicleFromItem, vehicleKeys, vehicleToItem, type OdometerReading, type VehicleRecord } from './vehicle.js';

export type RegisterOutcome = 'REGISTERED' | 'VIN_TAKEN' | 'OWNER_NOT_FOUND' | 'OWNER_LIMIT_REACHED' | 'DEALER_NOT_FOUND';
export type ReadingOutcome =
  | { kind: 'RECORDED'; vehicle: VehicleRecord }
  | { kind: 'NOT_FOUND' }
  | { kind: 'DECREASE'; earlierKm: number; earlierReadAt: string }
  | { kind: 'EXCEEDS_LATER'; laterKm: number; laterReadAt: string }
  /** A contribution's list on the owner's profile is full (the value domain's `LIMIT_REACHED`). */
  | { kind: 'CUSTOMER_LIMIT_REACHED' };
export type TransferOutcome = { kind: 'TRANSFERRED'; vehicle: VehicleRecord } | { kind: 'NEW_OWNER_NOT_FOUND' } | { kind: 'NEW_OWNER_LIMIT_REACHED' } | { kind: 'CONFLICT' };

/** What the writer of a fact around a reading changes on the car, and the items it adds (its own and other domains'). */
export interface ReadingStep {
  vehicle: VehicleRecord;
  contributions: Contribution[];
}

/** The first user error code among the contributions whose conditions failed (`positions`), or null. */
async function explainFailures(contributions: readonly Contribution[], positions: readonly number[]): Promise<string | null> {
  for (const position of positions) {
    const code = await contributions[position]?.explainFailure?.();
    if (code) return code;
  }
  return null;
}

const MAX_CONFLICT_RETRIES = 4;
/** Readings the mileage estimate looks at (newest first); see `estimateMileageRate`. */
const PLAN_READINGS = 60;

/** Vehicles with their odometer readings (visits and reminders share the partition but belong to their own repositories). */
export class VehicleRepository {
  /** Service visits share the vehicle's partition; reached here until `Repositories` lists them on their own. */
  readonly visits: ServiceVisitRepository;

  constructor(private readonly store: Store) {
    this.visits = new ServiceVisitRepository(store);
  }

  getMany(vins: readonly string[]): Promise<Map<string, VehicleRecord>> {
    return getRecords(this.store, vehicleEntity, vehicleKeys.vehicle, vins);
  }

  /** One vehicle, strongly consistent: what writes start from. */
  async get(vin: string): Promise<VehicleRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: vehicleKeys.vehicle(vin), ConsistentRead: true }));
    return Item ? vehicleFromItem(Item) : null;
  }

  /** The vehicle item, written only if nobody changed it since `expectedVersion` was read. */
  private putVersioned(vehicle: VehicleRecord, expectedVersion: number): TransactItem {
    return {
      Put: {
        TableName: this.store.tableName,
        Item: vehicleToItem(vehicle),
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      },
    };
  }

  /**
   * Registers a car with its first odometer reading, counts it on the owner's profile and
   * links the owner to the selling dealer: one transaction, so a VIN is registered exactly
   * once and nothing is half-written. The caller passes the vehicle with its first plan.
   */
  async register(vehicle: VehicleRecord, firstReading: OdometerReading): Promise<RegisterOutcome> {
    const { tableName } = this.store;
    const items: TransactItem[] = [
      { Put: { TableName: tableName, Item: vehicleToItem(vehicle), ConditionExpression: 'attribute_not_exists(PK)' } },
      ownerProfileChange(tableName, vehicle.ownerId, vehicle, +1, vehicle.sellingDealerId, purchaseFact(vehicle)),
      { ConditionCheck: { TableName: tableName, Key: dealerKeys.profile(vehicle.sellingDealerId), ConditionExpression: 'attribute_exists(PK)' } },
      { Put: { TableName: tableName, Item: odometerToItem(firstReading, newId()) } },
      linkUpsert(tableName, dealerLinkItem(vehicle.ownerId, vehicle.sellingDealerId, vehicle.registeredAt)),
    ];
    if (vehicle.servicingDealerId !== vehicle.sellingDealerId) {
      items.push({ ConditionCheck: { TableName: tableName, Key: dealerKeys.profile(vehicle.servicingDealerId), ConditionExpression: 'attribute_exists(PK)' } });
    }
    const result = await transactWrite(this.store.doc, items);
    if (result.ok) return 'REGISTERED';
    if (result.failedConditions.includes(0)) return 'VIN_TAKEN';
    if (result.failedConditions.includes(1)) return (await customerAppendFailure(this.store, vehicle.ownerId)) === 'LIMIT_REACHED' ? 'OWNER_LIMIT_REACHED' : 'OWNER_NOT_FOUND';
    return 'DEALER_NOT_FOUND';
  }

  async odometerHistory(vin: string, first: number, after?: string | null): Promise<Page<OdometerReading>> {
    const page = await queryPage(this.store.doc, this.store.tableName, {
      partition: vehicleKeys.partition(vin),
      sortKeyPrefix: vehicleKeys.odometerPrefix,
      first,
      after,
      newestFirst: true,
    });
    return { ...page, items: page.items.map(odometerFromItem) };
  }

  /** @deprecated read through `ServiceVisitRepository` (kept while the resolvers reach visits through `repos.vehicles`). */
  serviceHistory(vin: string, first: number, after?: string | null): Promise<Page<ServiceVisitRecord>> {
    return this.visits.ofVehicle(vin, first, after);
  }

  /** A customer's visits over all the cars they owned at the time, newest first (see `ServiceVisitRepository`). */
  serviceHistoryOfCustomer(customerId: string, first: number, after?: string | null): Promise<Page<ServiceVisitRecord>> {
    return this.visits.ofCustomer(customerId, first, after);
  }

  visit(vin: string, performedAt: string, id: string): Promise<ServiceVisitRecord | null> {
    return this.visits.get(vin, performedAt, id);
  }

  /** Cars a dealer services whose next due date lies in [fromDay, toDay]: one partition of ByParent. */
  async dueAtDealer(dealerId: string, fromDay: string, toDay: string): Promise<VehicleRecord[]> {
    const vehicles: VehicleRecord[] = [];
    await this.queryDealerDue(dealerId, vehicleKeys.dueAtDealerBetween(fromDay, toDay), false, (items) => vehicles.push(...items.map(vehicleFromItem)));
    return vehicles;
  }

  /** How many of a dealer's cars were due before `beforeDay` (a count: no items are returned). */
  async overdueAtDealer(dealerId: string, beforeDay: string): Promise<number> {
    let count = 0;
    await this.queryDealerDue(dealerId, vehicleKeys.dueAtDealerBefore(beforeDay), true, (_, n) => (count += n));
    return count;
  }

  /** Walks every page of a dealer's due-date range in the ByParent index. */
  private async queryDealerDue(dealerId: string, { from, to }: { from: string; to: string }, countOnly: boolean, onPage: (items: Record<string, unknown>[], count: number) => void): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.store.doc.send(
        new QueryCommand({
          TableName: this.store.tableName,
          IndexName: INDEXES.byParent.indexName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': INDEXES.byParent.partitionKey, '#sk': INDEXES.byParent.sortKey },
          ExpressionAttributeValues: { ':pk': dealerKeys.parent(dealerId), ':from': from, ':to': to },
          Select: countOnly ? 'COUNT' : undefined,
          ExclusiveStartKey: startKey,
        }),
      );
      onPage(result.Items ?? [], result.Count ?? 0);
      startKey = result.LastEvaluatedKey;
    } while (startKey);
  }

  /** The readings just before and just after an instant: what a new reading must fit between. */
  private async neighbours(vin: string, readAt: string): Promise<{ before?: OdometerReading; after?: OdometerReading }> {
    const query = (forward: boolean) =>
      this.store.doc.send(
        new QueryCommand({
          TableName: this.store.tableName,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
          ExpressionAttributeValues: forward
            ? { ':pk': vehicleKeys.partition(vin), ':from': vehicleKeys.odometerAfter(readAt).from, ':to': vehicleKeys.odometerAfter(readAt).to }
            : { ':pk': vehicleKeys.partition(vin), ':from': vehicleKeys.odometerUpTo(readAt).from, ':to': vehicleKeys.odometerUpTo(readAt).to },
          ScanIndexForward: forward,
          Limit: 1,
        }),
      );
    const [before, after] = await Promise.all([query(false), query(true)]);
    return {
      before: before.Items?.[0] ? odometerFromItem(before.Items[0]) : undefined,
      after: after.Items?.[0] ? odometerFromItem(after.Items[0]) : undefined,
    };
  }

  private async recentReadings(vin: string): Promise<OdometerReading[]> {
    const { Items = [] } = await this.store.doc.send(
      new QueryCommand({
        TableName: this.store.tableName,
        ConsistentRead: true,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
        ExpressionAttributeValues: { ':pk': vehicleKeys.partition(vin), ':prefix': vehicleKeys.odometerPrefix },
        ScanIndexForward: false,
        Limit: PLAN_READINGS,
      }),
    );
    return Items.map(odometerFromItem);
  }

  /**
   * Records an odometer reading, possibly from the past (dealers upload history): it must
   * not be lower than any earlier reading nor higher than any later one. The car's service
   * plan is recomputed and stored with it. `compose` lets the writer of a bigger fact (a
   * service visit) change the car and add its own items and other domains' contributions
   * to the same transaction. All of it is written under the vehicle's version: a
   * concurrent write makes us read again, re-check and compose again, never overwrite.
   */
  async recordReading(reading: OdometerReading, compose?: (vehicle: VehicleRecord) => Promise<ReadingStep>): Promise<ReadingOutcome> {
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      const vehicle = await this.get(reading.vin);
      if (!vehicle) return { kind: 'NOT_FOUND' };
      const { before, after } = await this.neighbours(reading.vin, reading.readAt);
      if (before && before.km > reading.km) return { kind: 'DECREASE', earlierKm: before.km, earlierReadAt: before.readAt };
      if (after && after.km < reading.km) return { kind: 'EXCEEDS_LATER', laterKm: after.km, laterReadAt: after.readAt };

      const isLatest = reading.readAt >= vehicle.odometerReadAt;
      const step = compose ? await compose(vehicle) : { vehicle, contributions: [] };
      let next: VehicleRecord = { ...step.vehicle, version: vehicle.version + 1, ...(isLatest ? { odometerKm: reading.km, odometerReadAt: reading.readAt } : {}) };
      next = withServicePlan(next, [...(await this.recentReadings(reading.vin)), reading]);
      const own = [this.putVersioned(next, vehicle.version), { Put: { TableName: this.store.tableName, Item: odometerToItem(reading, newId()) } }];
      const result = await transactWrite(this.store.doc, [...own, ...step.contributions.map((c) => c.item)]);
      if (result.ok) return { kind: 'RECORDED', vehicle: next };
      // A contribution that explains its failed condition (a full list) is final; anything else is a conflict: read again.
      const code = await explainFailures(step.contributions, result.failedConditions.map((i) => i - own.length));
      if (code === 'LIMIT_REACHED') return { kind: 'CUSTOMER_LIMIT_REACHED' };
      if (code) throw new InvariantError(`A contribution refused the reading with ${code}, which recording a reading cannot answer`);
    }
    throw new InvariantError(`Recording a reading kept conflicting after ${MAX_CONFLICT_RETRIES} retries`);
  }

  /**
   * Transfers a car: closes the current ownership, opens the new one, moves the car from
   * the old owner's profile to the new owner's, atomically and under the car's version.
   */
  async transfer(vehicle: VehicleRecord, newOwnerId: string, transferDate: string): Promise<TransferOutcome> {
    const { tableName } = this.store;
    const ownerHistory = [
      ...vehicle.ownerHistory.map((o) => (o.to === undefined ? { ...o, to: transferDate } : o)),
      { customerId: newOwnerId, from: transferDate },
    ];
    const updated: VehicleRecord = { ...vehicle, ownerId: newOwnerId, ownerSince: transferDate, ownerHistory, version: vehicle.version + 1 };
    const result = await transactWrite(this.store.doc, [
      this.putVersioned(updated, vehicle.version),
      ownerProfileChange(tableName, newOwnerId, vehicle, +1),
      ownerProfileChange(tableName, vehicle.ownerId, vehicle, -1),
    ]);
    if (result.ok) return { kind: 'TRANSFERRED', vehicle: updated };
    if (result.failedConditions.includes(1)) return (await customerAppendFailure(this.store, newOwnerId)) === 'LIMIT_REACHED' ? { kind: 'NEW_OWNER_LIMIT_REACHED' } : { kind: 'NEW_OWNER_NOT_FOUND' };
    return { kind: 'CONFLICT' };
  }
}

/** A registration is the first owner's purchase. */
function purchaseFact(v: VehicleRecord): PurchaseFact {
  return { at: `${v.purchaseDate}T00:00:00.000Z`, vin: v.vin, dealerId: v.sellingDealerId, modelLine: v.modelLine, variant: v.variant, powertrain: v.powertrain, priceMinor: toEurMinor(v.purchasePrice.amountMinor, v.purchasePrice.currency) };
}

/**
 * Adds (+1) or removes (-1) a car on its owner's profile: the model-line count and the
 * VIN set, and optionally links the selling dealer. One update, because a transaction
 * may touch an item only once. The owner must exist.
 */
function ownerProfileChange(tableName: string, customerId: string, vehicle: VehicleRecord, delta: 1 | -1, linkDealerId?: string, purchase?: PurchaseFact): TransactItem {
  const names: Record<string, string> = { '#vc': 'vehicleCounts', '#ml': vehicle.modelLine, '#vins': 'vehicleVins' };
  const values: Record<string, unknown> = { ':delta': delta, ':vin': new Set([vehicle.vin]) };
  const sets = ['#vc.#ml = #vc.#ml + :delta'];
  let condition = 'attribute_exists(PK)';
  if (delta > 0) {
    // Bounded like every list on the profile (see AGGREGATE_LIMITS): a car comes in only while there is room.
    values[':maxVins'] = MAX_OWNED_VEHICLES;
    condition += ' AND (attribute_not_exists(#vins) OR size(#vins) < :maxVins)';
  }
  if (purchase) {
    const clause = appendFactClause('purchases', purchase);
    Object.assign(names, clause.names);
    Object.assign(values, clause.values);
    sets.push(clause.expression);
    condition += ` AND ${clause.condition}`;
  }
  let expression = `SET ${sets.join(', ')} ${delta > 0 ? 'ADD' : 'DELETE'} #vins :vin`;
  if (linkDealerId) {
    names['#dealerIds'] = 'dealerIds';
    values[':dealer'] = new Set([linkDealerId]);
    expression += ', #dealerIds :dealer';
  }
  return {
    Update: {
      TableName: tableName,
      Key: customerKeys.profile(customerId),
      UpdateExpression: expression,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
