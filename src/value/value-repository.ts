import { GetCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchPutItems } from '../store/batch.js';
import { customerEntity, customerKeys, type CustomerRecord } from '../customer/customer.js';
import type { Page } from '../store/cursor.js';
import { outboxItem } from '../store/outbox.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { JobFailureLog } from '../store/job-failures.js';
import { SegmentCheckpoints } from '../store/segment-checkpoints.js';
import { defineEntity, field, type Field } from '../store/entity.js';
import { ENTITY_TYPE_ATTRIBUTE, INDEXES, type Key } from '../store/table.js';
import { transactWrite } from '../store/transactions.js';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { addSums, emptySums, FLAT_SUM_ATTRIBUTES, flattenSums, unflattenSums, type KpiSums, type ScopedSums } from './kpis.js';
import type { Tier } from './model.js';
import type { CustomerValue } from './scoring.js';

const SCORE_RUN = 'SCORERUN';
const SEGMENT = 'SEG';
const SEGMENT_SUMS = 'SUMS';
const segmentNumber = (segment: number) => String(segment).padStart(4, '0');

/** Scores, score-run checkpoints and KPI roll-ups. */
export const valueKeys = {
  byValuePartition: 'CUSTOMERVALUE',
  /** Zero-padded so the index sorts CLVs numerically. */
  byValueSort: (clvMinor: number, customerId: string) => `${String(Math.max(0, clvMinor)).padStart(15, '0')}#${customerId}`,
  run: (runId: string) => ({ PK: `${SCORE_RUN}#${runId}`, SK: 'RUN' }),
  segment: (runId: string, segment: number) => ({ PK: `${SCORE_RUN}#${runId}`, SK: `${SEGMENT}#${segmentNumber(segment)}` }),
  segmentPrefix: `${SEGMENT}#`,
  /** One segment's partial KPI sums of one month and scope: one small item per segment × scope, never one growing with dealers. */
  segmentSums: (runId: string, period: string, segment: number, scope: string) => ({ PK: `${SCORE_RUN}#${runId}`, SK: `${SEGMENT_SUMS}#${period}#${segmentNumber(segment)}#${scope}` }),
  segmentSumsPrefix: `${SEGMENT_SUMS}#`,
  /** A month's roll-up per scope: `BRAND` or a dealer's `dealerKeys.kpiScope`. */
  kpi: (period: string, scope: string) => ({ PK: `KPI#${period}`, SK: scope }),
};

/**
 * A segment's checkpoint: where to resume and a few counters — a bounded item whatever the
 * number of dealers (the partial KPI sums live in their own items, `SegmentSumsRecord`).
 */
export interface SegmentState {
  lastKey?: Record<string, unknown>;
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
  /** Partial-sum items written so far (a figure for the bench and the logs). */
  sumWrites?: number;
}

/**
 * A segment's partial KPI sums for one month and scope, as far as page `through` of the
 * segment. Stored flat (see `flattenSums`) so a flush adds to it in place with `ADD`.
 */
export interface SegmentSumsRecord {
  runId: string;
  period: string;
  segment: number;
  scope: string;
  through: number;
  sums: KpiSums;
}

const flatSumFields = Object.fromEntries(FLAT_SUM_ATTRIBUTES.map((name) => [name, field.optional(field.number)])) as Record<string, Field<number | undefined>>;

/** The item form of `SegmentSumsRecord`; written by `addSegmentSums`' update, read by `runSums`. */
export const segmentSumsEntity = defineEntity<Omit<SegmentSumsRecord, 'sums'> & Record<string, unknown>>({
  name: 'ScoreRunSegmentSums',
  key: (r) => valueKeys.segmentSums(r.runId, r.period, r.segment, r.scope),
  fields: { runId: field.string, period: field.string, segment: field.number, scope: field.string, through: field.number, ...flatSumFields },
  example: () => ({ runId: 'scores-2026-12-01T01:00:00.000Z', period: '2026-11', segment: 3, scope: 'BRAND', through: 12, ...flattenSums({ ...emptySums(), customersScored: 1_180, clvSum: 9_400_000_000, npsCount: 96, npsPromoters: 51, npsDetractors: 12 }) }),
});

function segmentSumsFromItem(item: Record<string, unknown>): SegmentSumsRecord {
  const { runId, period, segment, scope, through, ...flat } = segmentSumsEntity.fromItem(item);
  return { runId, period, segment, scope, through, sums: unflattenSums(flat) };
}

export class ValueRepository {
  /** Where the scores job lists customers it could not process. */
  readonly failures: JobFailureLog;

  private readonly checkpoints: SegmentCheckpoints<SegmentState>;

  constructor(private readonly store: Store) {
    this.failures = new JobFailureLog(store);
    this.checkpoints = new SegmentCheckpoints(store, { segment: valueKeys.segment, run: valueKeys.run, segmentEntity: 'ScoreRunSegment', runEntity: 'ScoreRun' });
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
    return this.checkpoints.state(runId, segment);
  }

  /** Saves a segment's progress over the progress this worker read (see `SegmentCheckpoints.save`); false when another worker owns it. */
  saveSegmentState(runId: string, segment: number, state: SegmentState, readPages: number): Promise<boolean> {
    return this.checkpoints.save(runId, segment, state, readPages);
  }

  /** Counts a segment on its run exactly once (see `SegmentCheckpoints.count`). */
  countSegment(runId: string, segment: number): Promise<{ count: number; firstTime: boolean }> {
    return this.checkpoints.count(runId, segment);
  }

  /**
   * Adds one flush window's sums to a segment's partial item for one month and scope,
   * exactly once per page. `pages` are the window's per-page sums (page numbers counted
   * from the segment's start), `after` the page the window starts after, `through` the
   * page it ends on. The item remembers the page it is complete through; the update only
   * applies over an item not past `after`. When it is (a redelivered segment replaying
   * pages a crashed worker had flushed, or a second worker on the segment), only the pages
   * beyond what the item holds are added — a replayed page reads the same customers and
   * scores them alike, so each page lands once in every scope.
   */
  async addSegmentSums(runId: string, segment: number, period: string, scope: string, pages: readonly { page: number; sums: KpiSums }[], after: number, through: number): Promise<void> {
    for (let holds = after; ; ) {
      const delta = emptySums();
      for (const p of pages) if (p.page > holds) addSums(delta, p.sums);
      const flat = flattenSums(delta);
      if (Object.keys(flat).length === 0) return; // nothing this item lacks
      const names: Record<string, string> = { '#through': 'through', '#type': ENTITY_TYPE_ATTRIBUTE, '#runId': 'runId', '#period': 'period', '#segment': 'segment', '#scope': 'scope' };
      const values: Record<string, unknown> = { ':through': through, ':after': holds, ':type': segmentSumsEntity.name, ':runId': runId, ':period': period, ':segment': segment, ':scope': scope };
      const adds = Object.entries(flat).map(([name, value], i) => {
        names[`#a${i}`] = name;
        values[`:a${i}`] = value;
        return `#a${i} :a${i}`;
      });
      try {
        await this.store.doc.send(
          new UpdateCommand({
            TableName: this.store.tableName,
            Key: valueKeys.segmentSums(runId, period, segment, scope),
            UpdateExpression: `ADD ${adds.join(', ')} SET #through = :through, #type = :type, #runId = :runId, #period = :period, #segment = :segment, #scope = :scope`,
            ConditionExpression: 'attribute_not_exists(#through) OR #through <= :after',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: valueKeys.segmentSums(runId, period, segment, scope), ConsistentRead: true, ProjectionExpression: '#through', ExpressionAttributeNames: { '#through': 'through' } }));
      const held = Number(Item?.through ?? 0);
      if (held >= through) return; // already holds the whole window
      holds = held;
    }
  }

  /**
   * Every segment's partial sums of a run, merged per month and scope: a Query over the
   * run's `SUMS#` items, followed to its last page (one item per segment × month × scope,
   * so a run of many dealers spans many pages).
   */
  async runSums(runId: string): Promise<Map<string, ScopedSums>> {
    const merged = new Map<string, ScopedSums>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.store.doc.send(
        new QueryCommand({
          TableName: this.store.tableName,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sums)',
          ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
          ExpressionAttributeValues: { ':pk': valueKeys.run(runId).PK, ':sums': valueKeys.segmentSumsPrefix },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { period, scope, sums } = segmentSumsFromItem(item);
        let scoped = merged.get(period);
        if (!scoped) merged.set(period, (scoped = {}));
        addSums((scoped[scope] ??= emptySums()), sums);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return merged;
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
