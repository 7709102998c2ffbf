import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetItems, itemMapKey } from '../store/batch.js';
import type { Page } from '../store/cursor.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { transactWrite, type TransactItem } from '../store/transactions.js';
import { customerKeys, dealerLinkItem } from '../customer/customer.js';
import { linkUpsert } from '../customer/customer-repository.js';
import { dealerKeys } from '../dealer/dealer.js';
import { newId } from '../shared/ids.js';
import {
  odometerFromItem,
  odometerToItem,
  vehicleFromItem,
  vehicleKeys,
  vehicleToItem,
  type OdometerReading,
  type VehicleRecord,
} from './vehicle.js';

export type RegisterOutcome = 'REGISTERED' | 'VIN_TAKEN' | 'OWNER_NOT_FOUND' | 'DEALER_NOT_FOUND';
export type OdometerOutcome =
  | { kind: 'RECORDED'; vehicle: VehicleRecord }
  | { kind: 'NOT_FOUND' }
  | { kind: 'DECREASE'; earlierKm: number; earlierReadAt: string }
  | { kind: 'EXCEEDS_LATER'; laterKm: number; laterReadAt: string };
export type TransferOutcome = { kind: 'TRANSFERRED'; vehicle: VehicleRecord } | { kind: 'NOT_FOUND' } | { kind: 'NEW_OWNER_NOT_FOUND' } | { kind: 'CONFLICT' };

const MAX_CONFLICT_RETRIES = 3;

/** Vehicles with their odometer readings and owner history, all in the vehicle's partition. */
export class VehicleRepository {
  constructor(private readonly store: Store) {}

  async getMany(vins: readonly string[]): Promise<Map<string, VehicleRecord>> {
    const items = await batchGetItems(this.store.doc, this.store.tableName, vins.map(vehicleKeys.vehicle));
    const result = new Map<string, VehicleRecord>();
    for (const vin of vins) {
      const item = items.get(itemMapKey(vehicleKeys.vehicle(vin)));
      if (item) result.set(vin, vehicleFromItem(item));
    }
    return result;
  }

  /** One vehicle, strongly consistent: what writes start from. */
  async get(vin: string): Promise<VehicleRecord | null> {
    const items = await batchGetItems(this.store.doc, this.store.tableName, [vehicleKeys.vehicle(vin)], { consistentRead: true });
    const item = items.get(itemMapKey(vehicleKeys.vehicle(vin)));
    return item ? vehicleFromItem(item) : null;
  }

  /**
   * Registers a car with its first odometer reading and first owner, counts it on the
   * owner's profile and links the owner to the selling dealer: one transaction, so a
   * VIN is registered exactly once and nothing is half-written.
   */
  async register(vehicle: VehicleRecord, firstReading: OdometerReading): Promise<RegisterOutcome> {
    const { tableName } = this.store;
    const items: TransactItem[] = [
      { Put: { TableName: tableName, Item: vehicleToItem(vehicle), ConditionExpression: 'attribute_not_exists(PK)' } },
      ownerProfileChange(tableName, vehicle.ownerId, vehicle, +1, vehicle.sellingDealerId),
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
    if (result.failedConditions.includes(1)) return 'OWNER_NOT_FOUND';
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

  /** The readings just before and just after an instant: what a new reading must fit between. */
  private async neighbours(vin: string, readAt: string): Promise<{ before?: OdometerReading; after?: OdometerReading }> {
    const query = (forward: boolean) =>
      this.store.doc.send(
        new QueryCommand({
          TableName: this.store.tableName,
          ConsistentRead: true,
          KeyConditionExpression: forward ? '#pk = :pk AND #sk BETWEEN :from AND :to' : '#pk = :pk AND #sk BETWEEN :floor AND :upto',
          ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
          ExpressionAttributeValues: forward
            ? { ':pk': vehicleKeys.partition(vin), ':from': `ODO#${readAt}#\uffff`, ':to': 'ODO#\uffff' }
            : { ':pk': vehicleKeys.partition(vin), ':floor': 'ODO#', ':upto': `ODO#${readAt}#\uffff` },
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

  /**
   * Records a reading, possibly from the past (dealers upload history). It must not be
   * lower than any earlier reading nor higher than any later one. The vehicle's version
   * guards the check: a reading inserted concurrently bumps it, and we check again.
   */
  async recordOdometer(reading: OdometerReading): Promise<OdometerOutcome> {
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      const vehicle = await this.get(reading.vin);
      if (!vehicle) return { kind: 'NOT_FOUND' };
      const { before, after } = await this.neighbours(reading.vin, reading.readAt);
      if (before && before.km > reading.km) return { kind: 'DECREASE', earlierKm: before.km, earlierReadAt: before.readAt };
      if (after && after.km < reading.km) return { kind: 'EXCEEDS_LATER', laterKm: after.km, laterReadAt: after.readAt };
      const isLatest = reading.readAt >= vehicle.odometerReadAt;
      const updated: VehicleRecord = {
        ...vehicle,
        version: vehicle.version + 1,
        ...(isLatest ? { odometerKm: reading.km, odometerReadAt: reading.readAt } : {}),
      };
      const result = await transactWrite(this.store.doc, [
        {
          Update: {
            TableName: this.store.tableName,
            Key: vehicleKeys.vehicle(reading.vin),
            UpdateExpression: 'SET #version = :next, #km = :km, #readAt = :readAt',
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version', '#km': 'odometerKm', '#readAt': 'odometerReadAt' },
            ExpressionAttributeValues: { ':next': updated.version, ':expected': vehicle.version, ':km': updated.odometerKm, ':readAt': updated.odometerReadAt },
          },
        },
        { Put: { TableName: this.store.tableName, Item: odometerToItem(reading, newId()) } },
      ]);
      if (result.ok) return { kind: 'RECORDED', vehicle: updated };
    }
    throw new Error(`Odometer reading for a vehicle kept conflicting after ${MAX_CONFLICT_RETRIES} retries`);
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
      {
        Update: {
          TableName: tableName,
          Key: vehicleKeys.vehicle(vehicle.vin),
          UpdateExpression: 'SET #owner = :owner, #since = :since, #history = :history, #version = :next',
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#owner': 'ownerId', '#since': 'ownerSince', '#history': 'ownerHistory', '#version': 'version' },
          ExpressionAttributeValues: { ':owner': newOwnerId, ':since': transferDate, ':history': ownerHistory, ':next': updated.version, ':expected': vehicle.version },
        },
      },
      ownerProfileChange(tableName, newOwnerId, vehicle, +1),
      ownerProfileChange(tableName, vehicle.ownerId, vehicle, -1),
    ]);
    if (result.ok) return { kind: 'TRANSFERRED', vehicle: updated };
    if (result.failedConditions.includes(1)) return { kind: 'NEW_OWNER_NOT_FOUND' };
    return { kind: 'CONFLICT' };
  }
}

/**
 * Adds (+1) or removes (-1) a car on its owner's profile: the model-line count and the
 * VIN set, and optionally links the selling dealer. One update, because a transaction
 * may touch an item only once. The owner must exist.
 */
function ownerProfileChange(tableName: string, customerId: string, vehicle: VehicleRecord, delta: 1 | -1, linkDealerId?: string): TransactItem {
  const names: Record<string, string> = { '#vc': 'vehicleCounts', '#ml': vehicle.modelLine, '#vins': 'vehicleVins' };
  const values: Record<string, unknown> = { ':delta': delta, ':vin': new Set([vehicle.vin]) };
  let expression = `SET #vc.#ml = #vc.#ml + :delta ${delta > 0 ? 'ADD' : 'DELETE'} #vins :vin`;
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
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
