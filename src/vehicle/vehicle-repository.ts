import { InvariantError } from '../shared/errors.js';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getRecords } from '../store/entity.js';
import type { Store } from '../store/store.js';
import type { TransactItem } from '../store/transactions.js';
import { dealerKeys } from '../dealer/dealer.js';
import { explainFailures, writeContributions, type Contribution, type Refusal } from '../store/fact-hooks.js';
import { INDEXES } from '../store/table.js';
import type { OdometerRepository } from './odometer-repository.js';
import { vehicleEntity, vehicleKeys, type OdometerReading, type PlanContextLoader, type VehicleRecord, type VehiclePlanner } from './vehicle.js';

/** Other domains' contributions to a reading's transaction when it changes the plan (`VehiclePlanChanged`), asked on every attempt. */
export type PlanChangeContributions = (before: VehicleRecord, after: VehicleRecord) => Promise<Contribution[]>;

export type ReadingOutcome =
  | { kind: 'RECORDED'; vehicle: VehicleRecord }
  | { kind: 'NOT_FOUND' }
  | { kind: 'DECREASE'; earlierKm: number; earlierReadAt: string }
  | { kind: 'EXCEEDS_LATER'; laterKm: number; laterReadAt: string }
  /** A contribution refused the fact for good (e.g. the value domain's `LIMIT_REACHED` on a full list), in its own words. */
  | { kind: 'REFUSED'; refusal: Refusal };

/** What the writer of a fact around a reading changes on the car, and the items it adds (its own and other domains'). */
export interface ReadingStep {
  vehicle: VehicleRecord;
  contributions: Contribution[];
}

const MAX_CONFLICT_RETRIES = 4;

/**
 * Vehicles (readings, visits and reminders share the partition but belong to their own
 * repositories). The items of a registration or a transfer are built here and composed
 * with other domains' contributions by the vehicle service (`vehicle-service.ts`).
 */
export class VehicleRepository {
  constructor(
    private readonly store: Store,
    private readonly readings: OdometerRepository,
    /** The service domain's planner, passed in by the composition root (see `VehiclePlanner`). */
    private readonly planService: VehiclePlanner,
    /** The fleet's learned rates and the time, which the planner needs besides the car (cached by the loader). */
    private readonly planContext: PlanContextLoader,
  ) {}

  /** The car with its service plan recomputed from `readings` (a registration plans from its first reading). */
  async planned(vehicle: VehicleRecord, readings: readonly Pick<OdometerReading, 'km' | 'readAt'>[]): Promise<VehicleRecord> {
    return this.planService(vehicle, readings, await this.planContext());
  }

  getMany(vins: readonly string[]): Promise<Map<string, VehicleRecord>> {
    return getRecords(this.store, vehicleEntity, vehicleKeys.vehicle, vins);
  }

  /** One vehicle, strongly consistent: what writes start from. */
  async get(vin: string): Promise<VehicleRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: vehicleKeys.vehicle(vin), ConsistentRead: true }));
    return Item ? vehicleEntity.fromItem(Item) : null;
  }

  /** The vehicle item, written only if nobody changed it since `expectedVersion` was read. */
  versioned(vehicle: VehicleRecord, expectedVersion: number): TransactItem {
    return {
      Put: {
        TableName: this.store.tableName,
        Item: vehicleEntity.toItem(vehicle),
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      },
    };
  }

  /** A new vehicle's item: its condition fails when the VIN is registered already. */
  added(vehicle: VehicleRecord): TransactItem {
    return { Put: { TableName: this.store.tableName, Item: vehicleEntity.toItem(vehicle), ConditionExpression: 'attribute_not_exists(PK)' } };
  }

  /** A check, in a registration's transaction, that a dealer it names exists. */
  dealerExists(dealerId: string): TransactItem {
    return { ConditionCheck: { TableName: this.store.tableName, Key: dealerKeys.profile(dealerId), ConditionExpression: 'attribute_exists(PK)' } };
  }

  /** Cars a dealer services whose next due date lies in [fromDay, toDay]: one partition of ByParent. */
  async dueAtDealer(dealerId: string, fromDay: string, toDay: string): Promise<VehicleRecord[]> {
    const vehicles: VehicleRecord[] = [];
    await this.queryDealerDue(dealerId, vehicleKeys.dueAtDealerBetween(fromDay, toDay), false, (items) => vehicles.push(...items.map(vehicleEntity.fromItem)));
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

  /**
   * Records an odometer reading, possibly from the past (dealers upload history): it must
   * not be lower than any earlier reading nor higher than any later one. The car's service
   * plan is recomputed and stored with it. `compose` lets the writer of a bigger fact (a
   * service visit) change the car and add its own items and other domains' contributions
   * to the same transaction. All of it is written under the vehicle's version: a
   * concurrent write makes us read again, re-check and compose again, never overwrite.
   * `planChanged` adds other domains' reactions to the new plan (`VehiclePlanChanged`).
   */
  async recordReading(reading: OdometerReading, compose?: (vehicle: VehicleRecord) => Promise<ReadingStep>, planChanged?: PlanChangeContributions): Promise<ReadingOutcome> {
    for (let attempt = 0; attempt <= MAX_CONFLICT_RETRIES; attempt++) {
      const vehicle = await this.get(reading.vin);
      if (!vehicle) return { kind: 'NOT_FOUND' };
      const { before, after } = await this.readings.neighbours(reading.vin, reading.readAt);
      if (before && before.km > reading.km) return { kind: 'DECREASE', earlierKm: before.km, earlierReadAt: before.readAt };
      if (after && after.km < reading.km) return { kind: 'EXCEEDS_LATER', laterKm: after.km, laterReadAt: after.readAt };

      const isLatest = reading.readAt >= vehicle.odometerReadAt;
      const step = compose ? await compose(vehicle) : { vehicle, contributions: [] };
      let next: VehicleRecord = { ...step.vehicle, version: vehicle.version + 1, ...(isLatest ? { odometerKm: reading.km, odometerReadAt: reading.readAt } : {}) };
      next = await this.planned(next, [...(await this.readings.recent(reading.vin)), reading]);
      const own: Contribution[] = [{ item: this.versioned(next, vehicle.version) }, { item: this.readings.put(reading) }];
      const reactions = planChanged ? await planChanged(vehicle, next) : [];
      const result = await writeContributions(this.store, [...own, ...step.contributions, ...reactions]);
      if (result.ok) return { kind: 'RECORDED', vehicle: next };
      // A contribution that explains its failed condition (a full list) is final; anything else is a conflict: read again.
      const refusal = await explainFailures(result.failed.filter((c) => !own.includes(c)));
      if (refusal) return { kind: 'REFUSED', refusal };
    }
    throw new InvariantError(`Recording a reading kept conflicting after ${MAX_CONFLICT_RETRIES} retries`);
  }
}
