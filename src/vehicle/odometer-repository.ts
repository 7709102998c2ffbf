import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../store/cursor.js';
import { newestItems, queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import type { TransactItem } from '../store/transactions.js';
import { newId } from '../shared/ids.js';
import { odometerFromItem, odometerToItem, vehicleKeys, type OdometerReading } from './vehicle.js';

/**
 * Readings the mileage estimate looks at (newest first; see `service/mileage-model.ts`,
 * which thins them to about 60 points): a year and more of weekly telemetry, so a
 * connected car's seasons can be learned. ≈ 60 KB, 15 read units, per recomputed plan.
 */
const PLAN_READINGS = 400;

/** Odometer readings, in their vehicle's partition. Written only inside a vehicle's transaction (`put`). */
export class OdometerRepository {
  constructor(private readonly store: Store) {}

  /** The item of a new reading, for the transaction that changes its vehicle. */
  put(reading: OdometerReading): TransactItem {
    return { Put: { TableName: this.store.tableName, Item: odometerToItem(reading, newId()) } };
  }

  async history(vin: string, first: number, after?: string | null): Promise<Page<OdometerReading>> {
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
  async neighbours(vin: string, readAt: string): Promise<{ before?: OdometerReading; after?: OdometerReading }> {
    const query = (forward: boolean) => {
      const range = forward ? vehicleKeys.odometerAfter(readAt) : vehicleKeys.odometerUpTo(readAt);
      return this.store.doc.send(
        new QueryCommand({
          TableName: this.store.tableName,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
          ExpressionAttributeValues: { ':pk': vehicleKeys.partition(vin), ':from': range.from, ':to': range.to },
          ScanIndexForward: forward,
          Limit: 1,
        }),
      );
    };
    const [before, after] = await Promise.all([query(false), query(true)]);
    return {
      before: before.Items?.[0] ? odometerFromItem(before.Items[0]) : undefined,
      after: after.Items?.[0] ? odometerFromItem(after.Items[0]) : undefined,
    };
  }

  /** The newest readings, strongly consistent: what the service plan is estimated from. */
  async recent(vin: string): Promise<OdometerReading[]> {
    const items = await newestItems(this.store.doc, this.store.tableName, vehicleKeys.partition(vin), vehicleKeys.odometerPrefix, PLAN_READINGS);
    return items.map(odometerFromItem);
  }
}
