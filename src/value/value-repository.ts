import { GetCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchPutItems } from '../store/batch.js';
import { customerEntity, customerKeys, type CustomerRecord } from '../customer/customer.js';
import type { Page } from '../store/cursor.js';
import { outboxItem } from '../store/outbox.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { JobFailureLog } from '../store/job-failures.js';
import { ENTITY_TYPE_ATTRIBUTE, INDEXES, type Key } from '../store/table.js';
import { transactWrite } from '../store/transactions.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { KpiSums, ScopedSums } from './kpis.js';
import type { Tier } from './model.js';
import type { CustomerValue } from './scoring.js';

const SCORE_RUN = 'SCORERUN';
const SEGMENT = 'SEG';

/** Scores, score-run checkpoints and KPI roll-ups. */
export const valueKeys = {
  byValuePartition: 'CUSTOMERVALUE',
  /** Zero-padded so the index sorts CLVs numerically. */
  byValueSort: (clvMinor: number, customerId: string) => `${String(Math.max(0, clvMinor)).padStart(15, '0')}#${customerId}`,
  run: (runId: string) => ({ PK: `${SCORE_RUN}#${runId}`, SK: 'RUN' }),
  segment: (runId: string, segment: number) => ({ PK: `${SCORE_RUN}#${runId}`, SK: `${SEGMENT}#${String(segment).padStart(4, '0')}` }),
  segmentPrefix: `${SEGMENT}#`,
  /** A month's roll-up per scope: `BRAND` or a dealer's `dealerKeys.kpiScope`. */
  kpi: (period: string, scope: string) => ({ PK: `KPI#${period}`, SK: scope }),
};

export interface SegmentState {
  lastKey?: Record<string, unknown>;
  /** Partial KPI sums per period, for the customers of the pages done so far. */
  sums: Record<string, ScopedSums>;
  customersRead: number;
  /** Pages scored so far: a save must carry the count it read, so two workers on one segment cannot both advance it. */
  pages: number;
  /** Customers skipped because they could not be processed (listed in the run's job failures). */
  poisoned: number;
  /** Every page has been scored (the segment may still await counting). */
  scanComplete?: boolean;
  changed: number;
  tierChanges: number;
  readUnits: number;
  done: boolean;
}

export class ValueRepository {
  /** Where the scores job lists customers it could not process. */
  readonly failures: JobFailureLog;

  constructor(private readonly store: Store) {
    this.failures = new JobFailureLog(store);
  }

  /**
   * One page of one parallel-scan segment of the ByCollection index — every customer
   * profile once across all segments, nothing else read twice. Returns the read units
   * DynamoDB charged, so the job can report them per customer. An item that is not a
   * well-formed customer is returned apart, with its key, so one bad item cannot fail its page.
   */
  async scanSegment(segment: number, totalSegments: number, limit: number, startKey?: Record<string, unknown>) {
    const result = await this.store.doc.send(
      new ScanCommand({
        TableName: this.store.tableName,
        IndexName: INDEXES.byCollection.indexName,
        Segment: segment,
        TotalSegments: totalSegments,
        Limit: limit,
        ExclusiveStartKey: startKey,
        FilterExpression: '#type = :customer',
        ExpressionAttributeNames: { '#type': ENTITY_TYPE_ATTRIBUTE },
        ExpressionAttributeValues: { ':customer': 'Customer' },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    const customers: CustomerRecord[] = [];
    const malformed: { key: Key; error: unknown }[] = [];
    for (const item of result.Items ?? []) {
      try {
        customers.push(customerEntity.fromItem(item));
      } catch (error) {
        malformed.push({ key: { PK: String(item.PK), SK: String(item.SK) }, error });
      }
    }
    return {
      customers,
      malformed,
      lastKey: result.LastEvaluatedKey,
      readUnits: result.ConsumedCapacity?.CapacityUnits ?? 0,
    };
  }

  /**
   * Stores new scores and indexes the customer by CLV; a tier change also leaves as a
   * `CustomerTierChanged` outbox event in the same transaction. Only over the scores that
   * were read: when a second worker on the same segment (SQS delivers at least once) got
   * there first, nothing is written — no second event — and `written` is false.
   */
  async writeValue(customer: CustomerRecord, value: CustomerValue): Promise<{ written: boolean; tierChanged: boolean }> {
    const previousTier: Tier | null = customer.value?.tier ?? null;
    const tierChanged = previousTier !== value.tier;
    const result = await transactWrite(this.store.doc, [
      {
        Update: {
          TableName: this.store.tableName,
          Key: customerKeys.profile(customer.id),
          UpdateExpression: 'SET #value = :value, #pk4 = :pk4, #sk4 = :sk4',
          ConditionExpression: customer.value ? 'attribute_exists(PK) AND #value.#at = :readAt' : 'attribute_exists(PK) AND attribute_not_exists(#value)',
          ExpressionAttributeNames: { '#value': 'value', '#pk4': INDEXES.byValue.partitionKey, '#sk4': INDEXES.byValue.sortKey, ...(customer.value ? { '#at': 'computedAt' } : {}) },
          ExpressionAttributeValues: { ':value': value, ':pk4': valueKeys.byValuePartition, ':sk4': valueKeys.byValueSort(value.clvMinor, customer.id), ...(customer.value ? { ':readAt': customer.value.computedAt } : {}) },
        },
      },
      ...(tierChanged
        ? [{ Put: { TableName: this.store.tableName, Item: outboxItem('CustomerTierChanged', { customerId: customer.id, previousTier, tier: value.tier, clvMinor: value.clvMinor, modelVersion: value.modelVersion }, new Date(value.computedAt)) } }]
        : []),
    ]);
    return result.ok ? { written: true, tierChanged } : { written: false, tierChanged: false };
  }

  async segmentState(runId: string, segment: number): Promise<SegmentState | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: valueKeys.segment(runId, segment), ConsistentRead: true }));
    return Item ? (Item.state as SegmentState) : null;
  }

  /**
   * Saves a segment's progress: where to resume and the sums so far — only over the
   * progress this worker read (`readPages`) and only while the segment is not done.
   * Returns false when another worker on the same segment moved it on or finished it
   * first: that worker owns the segment now (its own message is redelivered if it dies).
   */
  async saveSegmentState(runId: string, segment: number, state: SegmentState, readPages: number): Promise<boolean> {
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: valueKeys.segment(runId, segment),
          UpdateExpression: 'SET #state = :state, #type = :type',
          ConditionExpression: readPages === 0 ? 'attribute_not_exists(#state)' : '#state.#done = :false AND #state.#pages = :read',
          ExpressionAttributeNames: { '#state': 'state', '#type': ENTITY_TYPE_ATTRIBUTE, ...(readPages === 0 ? {} : { '#done': 'done', '#pages': 'pages' }) },
          ExpressionAttributeValues: { ':state': state, ':type': 'ScoreRunSegment', ...(readPages === 0 ? {} : { ':false': false, ':read': readPages }) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Counts a segment on its run, exactly once: the run item records which segments it
   * counted, and the increment returns the count as of this very update, so only one
   * worker sees the last segment arrive. Returns that count, or — when the segment was
   * counted before (a redelivery) — the run's current count.
   */
  async countSegment(runId: string, segment: number): Promise<{ count: number; firstTime: boolean }> {
    try {
      const { Attributes } = await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: valueKeys.run(runId),
          UpdateExpression: 'ADD #completed :one SET #seg = :true, #type = :type',
          ConditionExpression: 'attribute_not_exists(#seg)',
          ExpressionAttributeNames: { '#completed': 'completedSegments', '#seg': `segment${segment}`, '#type': ENTITY_TYPE_ATTRIBUTE },
          ExpressionAttributeValues: { ':one': 1, ':true': true, ':type': 'ScoreRun' },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { count: Attributes?.completedSegments as number, firstTime: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: valueKeys.run(runId), ConsistentRead: true }));
      return { count: (Item?.completedSegments as number | undefined) ?? 0, firstTime: false };
    }
  }

  async segmentStates(runId: string): Promise<SegmentState[]> {
    const { Items = [] } = await this.store.doc.send(
      new QueryCommand({
        TableName: this.store.tableName,
        ConsistentRead: true,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :seg)',
        ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
        ExpressionAttributeValues: { ':pk': valueKeys.run(runId).PK, ':seg': valueKeys.segmentPrefix },
      }),
    );
    return Items.map((item) => item.state as SegmentState);
  }

  /** Writes a month's roll-up items: one per scope (brand, each dealer), replacing the previous run's. */
  async writeKpis(period: string, sums: ScopedSums, runId: string, computedAt: string): Promise<void> {
    const items = Object.entries(sums).map(([scope, s]) => ({ ...valueKeys.kpi(period, scope), [ENTITY_TYPE_ATTRIBUTE]: 'KpiRollup', period, scope, sums: s, runId, computedAt }));
    await batchPutItems(this.store.doc, this.store.tableName, items);
  }

  async kpiRollup(period: string, scope: string): Promise<{ sums: KpiSums; computedAt: string } | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: valueKeys.kpi(period, scope) }));
    return Item ? { sums: Item.sums, computedAt: Item.computedAt } : null;
  }

  /** Scored customers by CLV, highest first, from `minClvMinor` up, optionally of one tier. */
  async byValue(first: number, after: string | null | undefined, filter: { tier?: Tier; minClvMinor?: number }): Promise<Page<CustomerRecord>> {
    const page = await queryPage(this.store.doc, this.store.tableName, {
      index: 'byValue',
      partition: valueKeys.byValuePartition,
      sortKeyFrom: filter.minClvMinor ? valueKeys.byValueSort(filter.minClvMinor, '') : undefined,
      first,
      after,
      newestFirst: true,
      filter: filter.tier ? { expression: '#v.#tier = :tier', names: { '#v': 'value', '#tier': 'tier' }, values: { ':tier': filter.tier } } : undefined,
    });
    return { ...page, items: page.items.map(customerEntity.fromItem) };
  }
}
