import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { clubKeys } from '../club/club-records.js';
import { customerKeys } from '../customer/customer.js';
import { eventKeys } from '../events/event-records.js';
import { batchGetItems, itemMapKey } from '../store/batch.js';
import type { Store } from '../store/store.js';
import { INDEXES, type Item } from '../store/table.js';
import { clubKpiKeys, clubKpiRollupEntity, type ClubKpiRollupRecord } from './club-kpi-records.js';

const COLLECTION = INDEXES.byCollection;

/**
 * What the club's KPI roll-up reads and writes: every membership (the `ByCollection`
 * partition the memberships are listed in, by number), active members' profiles (one
 * BatchGetItem per page), the events that started in a window (the events' own
 * `ByCollection` partition, by start), and the roll-up items themselves.
 */
export class ClubKpiRepository {
  constructor(private readonly store: Store) {}

  private get table() {
    return this.store.tableName;
  }

  /** One page of every membership (raw items: the caller parses them and skips a bad one). */
  async membershipPage(limit: number, startKey?: Record<string, unknown>): Promise<{ items: Item[]; lastKey?: Record<string, unknown> }> {
    const result = await this.store.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: COLLECTION.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': COLLECTION.partitionKey },
        ExpressionAttributeValues: { ':pk': clubKeys.membersCollection },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return { items: (result.Items ?? []) as Item[], lastKey: result.LastEvaluatedKey };
  }

  /** Customer profiles (raw items) by customer id; absent ones are missing from the map. */
  async profiles(customerIds: readonly string[]): Promise<Map<string, Item>> {
    const found = await batchGetItems(this.store.doc, this.table, customerIds.map(customerKeys.profile));
    return new Map(customerIds.flatMap((id) => {
      const item = found.get(itemMapKey(customerKeys.profile(id)));
      return item ? [[id, item] as const] : [];
    }));
  }

  /** Events (raw items) that start at or after `from` and before `to` (instants or days), in start order. */
  async eventsStarting(from: string, to: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.store.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: COLLECTION.indexName,
          // Sort keys are `<startsAt>#<id>`: every key of a start before `to` sorts below `to` itself.
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': COLLECTION.partitionKey, '#sk': COLLECTION.sortKey },
          ExpressionAttributeValues: { ':pk': eventKeys.collection, ':from': from, ':to': to },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((result.Items ?? []) as Item[]));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** The roll-up of a day, or null. */
  async ofDay(day: string): Promise<ClubKpiRollupRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: clubKpiKeys.day(day) }));
    return Item ? clubKpiRollupEntity.fromItem(Item) : null;
  }

  /** The newest roll-up, or null before the first. */
  async latest(): Promise<ClubKpiRollupRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: clubKpiKeys.latest }));
    return Item ? clubKpiRollupEntity.fromItem(Item) : null;
  }

  /** Writes the day's roll-up and makes it the latest (a rerun of the day overwrites both with the same figures). */
  async write(rollup: ClubKpiRollupRecord): Promise<void> {
    const item = clubKpiRollupEntity.toItem(rollup);
    await this.store.doc.send(new PutCommand({ TableName: this.table, Item: item }));
    // Never let an older day's rerun replace a newer latest.
    try {
      await this.store.doc.send(
        new PutCommand({ TableName: this.table, Item: { ...item, ...clubKpiKeys.latest }, ConditionExpression: 'attribute_not_exists(#day) OR #day <= :day', ExpressionAttributeNames: { '#day': 'day' }, ExpressionAttributeValues: { ':day': rollup.day } }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
