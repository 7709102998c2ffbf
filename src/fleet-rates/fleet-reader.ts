import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ModelLine, Powertrain } from '../catalogue/model-lines.js';
import { dealerKeys } from '../dealer/dealer.js';
import type { Store } from '../store/store.js';
import { ENTITY_TYPE_ATTRIBUTE, INDEXES } from '../store/table.js';
import { vehicleEntity, vehicleKeys, type VehicleRecord } from '../vehicle/vehicle.js';

/** What a fleet-rates run reads of a car: only what the cohorts are learned from. */
export interface FleetCar {
  modelLine: ModelLine;
  powertrain: Powertrain;
  servicingDealerId: string;
  rate?: NonNullable<VehicleRecord['servicePlan']>['rate'];
  sohTrendPctPerYear?: number | null;
}

/** Every due date a plan can have: the whole of a dealer's serviced cars in `ByParent`. */
const ANY_DUE_DATE = vehicleKeys.dueAtDealerBetween('0000-01-01', '9999-12-31');

/**
 * Reads the whole fleet for the nightly fleet-rates run, through the indexes rather than a
 * table scan. No index lists every car, but every car with a plan sits under its servicing
 * dealer in `ByParent` (by due date), and the dealers are one `ByCollection` partition: a
 * run reads the dealers, then each dealer's cars — exactly the vehicle items, never the
 * readings, visits, reminders, customers and events a scan would read and throw away
 * (a car has dozens of readings once it sends telemetry). A car without a plan has no rate
 * to learn from, so missing it loses nothing.
 *
 * The projection keeps the responses small; DynamoDB still charges each item's full size.
 */
export class FleetReader {
  constructor(private readonly store: Store) {}

  /** Every dealer's country, by dealer id. */
  async dealerCountries(): Promise<{ countries: Record<string, string>; readUnits: number }> {
    const countries: Record<string, string> = {};
    const readUnits = await this.queryAll(
      {
        IndexName: INDEXES.byCollection.indexName,
        KeyConditionExpression: '#pk = :pk',
        ProjectionExpression: '#id, #country',
        ExpressionAttributeNames: { '#pk': INDEXES.byCollection.partitionKey, '#id': 'id', '#country': 'country' },
        ExpressionAttributeValues: { ':pk': dealerKeys.collection },
      },
      (items) => {
        for (const item of items) if (typeof item.id === 'string' && typeof item.country === 'string') countries[item.id] = item.country;
      },
    );
    return { countries, readUnits };
  }

  /** The cars a dealer services, a page at a time. */
  async carsOf(dealerId: string, onPage: (cars: FleetCar[]) => void): Promise<{ readUnits: number }> {
    const readUnits = await this.queryAll(
      {
        IndexName: INDEXES.byParent.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ProjectionExpression: '#type, #line, #powertrain, #dealer, #plan.#rate, #battery.#trend',
        ExpressionAttributeNames: {
          '#pk': INDEXES.byParent.partitionKey,
          '#sk': INDEXES.byParent.sortKey,
          '#type': ENTITY_TYPE_ATTRIBUTE,
          '#line': 'modelLine',
          '#powertrain': 'powertrain',
          '#dealer': 'servicingDealerId',
          '#plan': 'servicePlan',
          '#rate': 'rate',
          '#battery': 'batteryHealth',
          '#trend': 'trendPctPerYear',
        },
        ExpressionAttributeValues: { ':pk': dealerKeys.parent(dealerId), ':from': ANY_DUE_DATE.from, ':to': ANY_DUE_DATE.to },
      },
      (items) => onPage(items.filter(vehicleEntity.is).map(toFleetCar)),
    );
    return { readUnits };
  }

  /** Every page of a query, summing the read units DynamoDB charged. */
  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>, onPage: (items: Record<string, unknown>[]) => void): Promise<number> {
    let readUnits = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.store.doc.send(new QueryCommand({ ...input, TableName: this.store.tableName, ExclusiveStartKey: startKey, ReturnConsumedCapacity: 'TOTAL' }));
      readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
      onPage(page.Items ?? []);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return readUnits;
  }
}

/** The projected item as a car; shapes are checked where the numbers are used (`fleet-learning.ts`). */
function toFleetCar(item: Record<string, unknown>): FleetCar {
  const plan = item.servicePlan as { rate?: FleetCar['rate'] } | undefined;
  const battery = item.batteryHealth as { trendPctPerYear?: number | null } | undefined;
  return {
    modelLine: item.modelLine as ModelLine,
    powertrain: item.powertrain as Powertrain,
    servicingDealerId: item.servicingDealerId as string,
    ...(plan?.rate ? { rate: plan.rate } : {}),
    ...(battery ? { sohTrendPctPerYear: battery.trendPctPerYear } : {}),
  };
}
