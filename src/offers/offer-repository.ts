import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { clubKeys } from '../club/club-records.js';
import type { CustomerRecord } from '../customer/customer.js';
import { InvariantError } from '../shared/errors.js';
import { batchGetItems, itemMapKey } from '../store/batch.js';
import type { Page } from '../store/cursor.js';
import { outboxItem } from '../store/outbox.js';
import { queryPage } from '../store/query-page.js';
import { SegmentCheckpoints } from '../store/segment-checkpoints.js';
import { backoffDelayMs, sleep } from '../store/retry.js';
import type { Store } from '../store/store.js';
import { INDEXES, type Item } from '../store/table.js';
import { transactWrite, type TransactItem } from '../store/transactions.js';
import type { OfferDefinition } from './catalogue.js';
import { bookEntryOf, type DecisionPlan } from './decide.js';
import {
  BRAND_STATS_SCOPE,
  bookEntity,
  dealerStatsScope,
  decisionEntity,
  offerEntity,
  offerKeys,
  offerVersionEntity,
  OPEN_STATUSES,
  responseReceiptEntity,
  statsAddition,
  statsShard,
  STATUS_STEP,
  type BookEntry,
  type DecisionResponse,
  type DecisionStatus,
  type OfferBookRecord,
  type OfferDecisionRecord,
  type ResponseStatus,
  type StatsCounter,
} from './offer-records.js';
import { OFFER_RULES, type OfferRules } from './offer-rules.js';
import type { OffersSegmentState } from './offers-job.js';

/** A channel's or dealer's report of what the customer did with an offer. */
export interface ResponseReport {
  customerId: string;
  decisionId: string;
  status: ResponseStatus;
  channel: string;
  channelEventId: string;
  at: string;
  /** Who sends it (`sourceTenantOf`): channel event ids are unique only per sender. */
  tenant: string;
}

export type ResponseOutcome =
  | { kind: 'RECORDED' | 'DUPLICATE'; decision: OfferDecisionRecord }
  | { kind: 'NOT_FOUND' }
  | { kind: 'OUT_OF_ORDER'; current: DecisionStatus }
  | { kind: 'CLOSED'; current: DecisionStatus }
  | { kind: 'BEFORE_DECISION' }
  | { kind: 'RECEIPT_MISMATCH' };

/** What the nightly job reads for a page of customers besides their profiles. */
export interface OfferState {
  books: Map<string, OfferBookRecord>;
  /** Customers who are active club members. */
  members: Set<string>;
}

/** Attempts of a response that loses to concurrent writes on its decision or book before it is a fault. */
const MAX_RESPONSE_ATTEMPTS = 6;
const FINAL_RESPONSES: readonly ResponseStatus[] = ['ACCEPTED', 'DECLINED'];
const FOLLOW_UP_INDEX = INDEXES.byParent;

type StatsKey = { scope: string; month: string; offerCode: string; shard: number };

/**
 * Everything offers read and write: the catalogue (current and version items), decisions,
 * the customer's offer book, response receipts and the follow-up lists. Every write that
 * changes a decision changes its book entry in the same transaction, conditioned on the
 * book's version, so the nightly job, a response and a conversion never overwrite each
 * other: the loser re-reads and decides again.
 */
export class OfferRepository {
  /** The nightly job's per-segment checkpoints and run counter. */
  readonly checkpoints: SegmentCheckpoints<OffersSegmentState>;

  constructor(
    private readonly store: Store,
    private readonly rules: OfferRules = OFFER_RULES,
  ) {
    this.checkpoints = new SegmentCheckpoints(store, { segment: offerKeys.runSegment, run: offerKeys.runCount, segmentEntity: 'OffersRunSegment', runEntity: 'OffersRun' });
  }

  private get table() {
    return this.store.tableName;
  }

  // ---------------------------------------------------------------- catalogue

  /** The current version of an offer (consistent: an admin's next step builds on it). */
  async getOffer(code: string): Promise<OfferDefinition | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: offerKeys.current(code), ConsistentRead: true }));
    return Item ? offerEntity.fromItem(Item) : null;
  }

  /** One version of an offer, as a decision made from it saw it. */
  async getOfferVersion(code: string, version: number): Promise<OfferDefinition | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: offerKeys.version(code, version) }));
    return Item ? offerVersionEntity.fromItem(Item) : null;
  }

  /** The catalogue by code; retired offers only when asked for. */
  async listCatalogue(first: number, after?: string | null, includeRetired = false): Promise<Page<OfferDefinition>> {
    const filter = includeRetired ? undefined : { expression: '#status = :active', names: { '#status': 'status' }, values: { ':active': 'ACTIVE' } };
    const page = await queryPage(this.store.doc, this.table, { index: 'byCollection', partition: offerKeys.collection, first, after, filter });
    return { ...page, items: page.items.map(offerEntity.fromItem) };
  }

  /** Every offer's current version, retired ones included (the job loads the catalogue once per invocation; a few hundred items at most). */
  async allOffers(): Promise<OfferDefinition[]> {
    const offers: OfferDefinition[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.store.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: INDEXES.byCollection.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': INDEXES.byCollection.partitionKey },
          ExpressionAttributeValues: { ':pk': offerKeys.collection },
          ExclusiveStartKey: startKey,
        }),
      );
      offers.push(...(result.Items ?? []).map(offerEntity.fromItem));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return offers;
  }

  /**
   * Saves a version of an offer: the current item and an immutable version item, in one
   * transaction. `expectedVersion` null creates version 1 (`EXISTS` when the code is
   * taken); otherwise the current item must still be that version (`STALE` when someone
   * saved first) and `offer.version` is the next one.
   */
  async saveOffer(offer: OfferDefinition, expectedVersion: number | null): Promise<'SAVED' | 'EXISTS' | 'STALE'> {
    if (offer.version !== (expectedVersion ?? 0) + 1) throw new InvariantError(`Offer ${offer.code} version ${offer.version} does not follow ${expectedVersion ?? 'nothing'}`);
    const current: TransactItem =
      expectedVersion === null
        ? { Put: { TableName: this.table, Item: offerEntity.toItem(offer), ConditionExpression: 'attribute_not_exists(PK)' } }
        : { Put: { TableName: this.table, Item: offerEntity.toItem(offer), ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } } };
    const version: TransactItem = { Put: { TableName: this.table, Item: offerVersionEntity.toItem(offer), ConditionExpression: 'attribute_not_exists(PK)' } };
    const result = await transactWrite(this.store.doc, [current, version]);
    if (result.ok) return 'SAVED';
    return expectedVersion === null ? 'EXISTS' : 'STALE';
  }

  // ---------------------------------------------------------------- books and decisions

  async getBook(customerId: string, consistent = true): Promise<OfferBookRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: offerKeys.book(customerId), ConsistentRead: consistent }));
    return Item ? bookEntity.fromItem(Item) : null;
  }

  async getDecision(customerId: string, decisionId: string, consistent = false): Promise<OfferDecisionRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: offerKeys.decision(customerId, decisionId), ConsistentRead: consistent }));
    return Item ? decisionEntity.fromItem(Item) : null;
  }

  /** A customer's decisions, newest first (decision ids are ULIDs: time order). */
  async decisionsOf(customerId: string, limit = 100): Promise<OfferDecisionRecord[]> {
    const result = await this.store.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': offerKeys.decision(customerId, '').PK, ':prefix': offerKeys.decisionPrefix },
        ScanIndexForward: false,
        Limit: Math.min(100, Math.max(1, limit)),
      }),
    );
    return (result.Items ?? []).map(decisionEntity.fromItem);
  }

  /** Decisions by key in as few BatchGetItem calls as possible, keyed by decision id; absent ones are missing. */
  async decisionsByIds(keys: readonly { customerId: string; decisionId: string }[]): Promise<Map<string, OfferDecisionRecord>> {
    const found = await batchGetItems(this.store.doc, this.table, keys.map((k) => offerKeys.decision(k.customerId, k.decisionId)));
    const byId = new Map<string, OfferDecisionRecord>();
    for (const k of keys) {
      const item = found.get(itemMapKey(offerKeys.decision(k.customerId, k.decisionId)));
      if (item) byId.set(k.decisionId, decisionEntity.fromItem(item));
    }
    return byId;
  }

  /**
   * The offer books and club memberships of a page of customers, in one BatchGetItem per
   * 100 keys (eventually consistent: a stale book only fails its version condition, and
   * the job re-reads that one customer). A book that does not parse is left out of the
   * map and reported, so the job can skip that customer as a poison record.
   */
  async stateOf(customerIds: readonly string[]): Promise<OfferState & { malformed: Map<string, unknown> }> {
    const keys = customerIds.flatMap((id) => [offerKeys.book(id), clubKeys.membership(id)]);
    const found = await batchGetItems(this.store.doc, this.table, keys);
    const books = new Map<string, OfferBookRecord>();
    const members = new Set<string>();
    const malformed = new Map<string, unknown>();
    for (const id of customerIds) {
      const book = found.get(itemMapKey(offerKeys.book(id)));
      if (book) {
        try {
          books.set(id, bookEntity.fromItem(book));
        } catch (error) {
          malformed.set(id, error);
        }
      }
      // Only the status is read: the club's membership item is the club's to parse.
      if (found.get(itemMapKey(clubKeys.membership(id)))?.status === 'ACTIVE') members.add(id);
    }
    return { books, members, malformed };
  }

  /**
   * Writes one customer's nightly plan in one transaction: new decisions (with an
   * `OfferDecided` event each unless held out), closed decisions (with `OfferWithdrawn`
   * for a withdrawn treatment decision), the book under its version (created when there
   * was none), and the decisions' statistics. `STALE`: the book or a decision moved since
   * it was read (a response, a conversion, another worker) — nothing was written; re-read
   * consistently and plan again.
   */
  async applyPlan(customer: Pick<CustomerRecord, 'id'>, book: OfferBookRecord | null, plan: DecisionPlan, now: Date): Promise<'WRITTEN' | 'UNCHANGED' | 'STALE'> {
    if (plan.unchanged) return 'UNCHANGED';
    const at = now.toISOString();
    const customerId = customer.id;
    const items: TransactItem[] = [];
    const stats = new Map<string, { key: StatsKey; add: Partial<Record<StatsCounter, number>> }>();
    const shard = statsShard(customerId, this.rules.statsShards);
    const count = (entry: Pick<BookEntry, 'offerCode' | 'dealerId'>, month: string, counter: StatsCounter) => {
      for (const scope of [BRAND_STATS_SCOPE, ...(entry.dealerId ? [dealerStatsScope(entry.dealerId)] : [])]) {
        const id = JSON.stringify([scope, month, entry.offerCode]);
        const s = stats.get(id) ?? { key: { scope, month, offerCode: entry.offerCode, shard }, add: {} };
        s.add[counter] = (s.add[counter] ?? 0) + 1;
        stats.set(id, s);
      }
    };

    for (const d of plan.decide) {
      if (d.customerId !== customerId) throw new InvariantError(`Decision ${d.id} is for ${d.customerId}, not ${customerId}`);
      items.push({ Put: { TableName: this.table, Item: decisionEntity.toItem(d), ConditionExpression: 'attribute_not_exists(PK)' } });
      if (!d.holdout) {
        items.push({
          Put: {
            TableName: this.table,
            Item: outboxItem(
              'OfferDecided',
              { decisionId: d.id, customerId, offerCode: d.offerCode, offerVersion: d.offerVersion, kind: d.kind, name: d.name, channel: d.channel, rank: d.rank, validUntil: d.validUntil, ...(d.dealerId ? { dealerId: d.dealerId } : {}), decidedAt: d.decidedAt },
              now,
            ),
          },
        });
      }
      count(d, d.decidedOn.slice(0, 7), d.holdout ? 'decidedC' : 'decidedT');
    }

    for (const c of plan.close) {
      const entry = book?.entries[c.decisionId];
      if (!entry) throw new InvariantError(`Plan closes decision ${c.decisionId}, which the book of ${customerId} does not hold`);
      items.push({
        Update: {
          TableName: this.table,
          Key: offerKeys.decision(customerId, c.decisionId),
          UpdateExpression: 'SET #status = :status, #statusAt = :at, #closedReason = :reason REMOVE #gsiPk, #gsiSk',
          ConditionExpression: '#status IN (:o0, :o1, :o2)',
          ExpressionAttributeNames: { '#status': 'status', '#statusAt': 'statusAt', '#closedReason': 'closedReason', '#gsiPk': FOLLOW_UP_INDEX.partitionKey, '#gsiSk': FOLLOW_UP_INDEX.sortKey },
          ExpressionAttributeValues: { ':status': c.status, ':at': at, ':reason': c.reason, ':o0': OPEN_STATUSES[0], ':o1': OPEN_STATUSES[1], ':o2': OPEN_STATUSES[2] },
        },
      });
      if (c.status === 'WITHDRAWN' && !entry.holdout) items.push({ Put: { TableName: this.table, Item: outboxItem('OfferWithdrawn', { decisionId: c.decisionId, customerId, offerCode: entry.offerCode, reason: c.reason, at }, now) } });
    }

    items.push(this.bookWrite(customerId, book, plan, at.slice(0, 10), at));
    for (const { key, add } of stats.values()) items.push(statsAddition(this.table, key, add));
    const result = await transactWrite(this.store.doc, items);
    return result.ok ? 'WRITTEN' : 'STALE';
  }

  /** The book's part of a plan: a new book, or an update of the entries the plan touches under the version read. */
  private bookWrite(customerId: string, book: OfferBookRecord | null, plan: DecisionPlan, today: string, at: string): TransactItem {
    if (!book) {
      if (plan.close.length || plan.prune.length) throw new InvariantError(`Plan for ${customerId} closes or prunes entries of a book that does not exist`);
      const fresh: OfferBookRecord = { customerId, entries: Object.fromEntries(plan.decide.map((d) => [d.id, bookEntryOf(d)])), decidedOn: today, version: 1 };
      return { Put: { TableName: this.table, Item: bookEntity.toItem(fresh), ConditionExpression: 'attribute_not_exists(PK)' } };
    }
    // DynamoDB refuses names and values an expression does not use: the closing ones only when the plan closes something.
    const names: Record<string, string> = { '#entries': 'entries', '#version': 'version', '#decidedOn': 'decidedOn', ...(plan.close.length ? { '#status': 'status', '#closedAt': 'closedAt' } : {}) };
    const values: Record<string, unknown> = { ':read': book.version, ':next': book.version + 1, ':today': today, ...(plan.close.length ? { ':at': at } : {}) };
    const sets = ['#version = :next', '#decidedOn = :today'];
    const removes: string[] = [];
    plan.decide.forEach((d, i) => {
      names[`#n${i}`] = d.id;
      values[`:n${i}`] = bookEntryOf(d);
      sets.push(`#entries.#n${i} = :n${i}`);
    });
    plan.close.forEach((c, i) => {
      names[`#c${i}`] = c.decisionId;
      values[`:c${i}`] = c.status;
      sets.push(`#entries.#c${i}.#status = :c${i}`, `#entries.#c${i}.#closedAt = :at`);
    });
    plan.prune.forEach((id, i) => {
      names[`#p${i}`] = id;
      removes.push(`#entries.#p${i}`);
    });
    return {
      Update: {
        TableName: this.table,
        Key: offerKeys.book(customerId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: '#version = :read',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  // ---------------------------------------------------------------- responses

  /**
   * Records a channel's or dealer's report on a decision, once per channel event:
   * forward only (DECIDED → SENT → OPENED → ACCEPTED | DECLINED, steps may be skipped),
   * never on a holdout decision (it was never delivered: NOT_FOUND) nor a closed one. One
   * transaction writes the receipt (the idempotency key), the decision (status, the
   * response, off the follow-up list when final) and its book entry (status, the decline's
   * date for the cool-down) under the book's version; a loss to a concurrent write is read
   * and decided again.
   */
  async respond(r: ResponseReport): Promise<ResponseOutcome> {
    const receiptKey = offerKeys.responseReceipt(r.tenant, r.channel, r.channelEventId);
    for (let attempt = 1; attempt <= MAX_RESPONSE_ATTEMPTS; attempt++) {
      // The receipt after the decision: a concurrent re-send's transaction writes both, so a
      // decision that already shows its status comes with a receipt this read will see —
      // read together, the re-send could look like an ACCEPTED after ACCEPTED (OUT_OF_ORDER).
      const [decision, book] = await Promise.all([this.getDecision(r.customerId, r.decisionId, true), this.getBook(r.customerId, true)]);
      const receiptRead = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: receiptKey, ConsistentRead: true }));
      if (receiptRead.Item) {
        const receipt = responseReceiptEntity.fromItem(receiptRead.Item);
        const same = receipt.customerId === r.customerId && receipt.decisionId === r.decisionId && receipt.status === r.status;
        if (!same) return { kind: 'RECEIPT_MISMATCH' };
        // The decision as the receipt's transaction left it (the one read above may predate it).
        const current = await this.getDecision(r.customerId, r.decisionId, true);
        return current ? { kind: 'DUPLICATE', decision: current } : { kind: 'RECEIPT_MISMATCH' };
      }
      if (!decision || decision.holdout) return { kind: 'NOT_FOUND' };
      if (r.at < decision.decidedAt) return { kind: 'BEFORE_DECISION' };
      if (!OPEN_STATUSES.includes(decision.status)) {
        if (decision.status === 'EXPIRED' || decision.status === 'WITHDRAWN') return { kind: 'CLOSED', current: decision.status };
        return { kind: 'OUT_OF_ORDER', current: decision.status };
      }
      if (STATUS_STEP[r.status] <= STATUS_STEP[decision.status]) return { kind: 'OUT_OF_ORDER', current: decision.status };

      const response: DecisionResponse = { status: r.status, channel: r.channel, channelEventId: r.channelEventId, at: r.at, reportedBy: r.tenant };
      const final = FINAL_RESPONSES.includes(r.status);
      const items: TransactItem[] = [
        { Put: { TableName: this.table, Item: responseReceiptEntity.toItem({ tenant: r.tenant, channel: r.channel, channelEventId: r.channelEventId, customerId: r.customerId, decisionId: r.decisionId, status: r.status, at: r.at }), ConditionExpression: 'attribute_not_exists(PK)' } },
        {
          Update: {
            TableName: this.table,
            Key: offerKeys.decision(r.customerId, r.decisionId),
            UpdateExpression: `SET #status = :status, #statusAt = :at, #responses = list_append(if_not_exists(#responses, :none), :response)${final ? ' REMOVE #gsiPk, #gsiSk' : ''}`,
            ConditionExpression: '#status = :read',
            ExpressionAttributeNames: { '#status': 'status', '#statusAt': 'statusAt', '#responses': 'responses', ...(final ? { '#gsiPk': FOLLOW_UP_INDEX.partitionKey, '#gsiSk': FOLLOW_UP_INDEX.sortKey } : {}) },
            ExpressionAttributeValues: { ':status': r.status, ':at': r.at, ':none': [], ':response': [response], ':read': decision.status },
          },
        },
      ];
      if (book?.entries[r.decisionId]) {
        items.push({
          Update: {
            TableName: this.table,
            Key: offerKeys.book(r.customerId),
            UpdateExpression: `SET #entries.#id.#status = :status, #version = :next${r.status === 'DECLINED' ? ', #entries.#id.#declinedAt = :at' : ''}`,
            ConditionExpression: '#version = :read',
            ExpressionAttributeNames: { '#entries': 'entries', '#id': r.decisionId, '#status': 'status', '#version': 'version', ...(r.status === 'DECLINED' ? { '#declinedAt': 'declinedAt' } : {}) },
            ExpressionAttributeValues: { ':status': r.status, ':read': book.version, ':next': book.version + 1, ...(r.status === 'DECLINED' ? { ':at': r.at } : {}) },
          },
        });
      }
      const result = await transactWrite(this.store.doc, items);
      if (result.ok) return { kind: 'RECORDED', decision: { ...decision, status: r.status, statusAt: r.at, responses: [...decision.responses, response], followUp: decision.followUp } };
      await sleep(backoffDelayMs(attempt, 10, 400));
    }
    throw new InvariantError(`Recording a response to decision ${r.decisionId} kept conflicting after ${MAX_RESPONSE_ATTEMPTS} attempts`);
  }

  // ---------------------------------------------------------------- follow-ups

  /** A dealer's open treatment decisions to follow up, highest expected value first. */
  async followUps(dealerId: string, first: number, after?: string | null): Promise<Page<OfferDecisionRecord>> {
    const page = await queryPage(this.store.doc, this.table, { index: 'byParent', partition: offerKeys.followUpPartition(dealerId), first, after });
    return { ...page, items: page.items.map((item: Item) => decisionEntity.fromItem(item)) };
  }
}
