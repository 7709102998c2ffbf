import { InvariantError } from '../shared/errors.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { customerKeys } from '../customer/customer.js';
import type { Page } from '../store/cursor.js';
import { defineEntity, field, type Entity } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import { queryPage } from '../store/query-page.js';
import { backoffDelayMs, sleep } from '../store/retry.js';
import type { Store } from '../store/store.js';
import { batchGetItems, itemMapKey } from '../store/batch.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item } from '../store/table.js';
import type { TransactItem } from '../store/transactions.js';
import { explainFailures, fitsOneTransaction, writeContributions, type Contribution, type Refusal } from '../store/fact-hooks.js';
import type { Money } from '../shared/money.js';
import { AGGREGATE_LIMITS, MAX_INTERESTS, type AggregateList, type FinanceFact } from '../customer/profile-aggregates.js';
import { appendFactClause, interestsToEvict } from './aggregates.js';

/** A recorded interaction (customer data platform). */
export interface InteractionRecord {
  id: string;
  customerId: string;
  /**
   * Whose source system sent it: `BRAND` for the brand's own systems, `DEALER:<id>` for a
   * dealer's. Source event ids are unique only within their sender, so the dedup key
   * includes it: one dealer can neither see nor block another's events.
   */
  sourceTenant: string;
  sourceSystem: string;
  sourceEventId: string;
  channel: string;
  type: string;
  modelLine?: string;
  variant?: string;
  topic?: string;
  occurredAt: string;
  recordedAt: string;
}

const INTERACTION = 'INTERACTION';

/** An order line as the caller sent it (the price in its own currency, as entered). */
export interface OrderLine {
  sku: string;
  description: string;
  quantity: number;
  unitPrice: { amount: string; currency: string };
}

/** A lifestyle order (online shop or dealer counter), its total in euro cents. */
export interface OrderRecord {
  id: string;
  customerId: string;
  channel: 'ONLINE' | 'DEALER';
  lines: readonly OrderLine[];
  totalEurMinor: number;
  dealerId?: string;
  orderedAt: string;
}

/** A loan or lease on one of the customer's cars; the amounts in euro cents and as entered. */
export interface FinanceContractRecord extends FinanceFact {
  id: string;
  customerId: string;
  principal: Money;
  monthlyPayment: Money;
  termMonths: number;
}

/** A survey answer (NPS or CSAT) after a touchpoint. */
export interface SurveyRecord {
  id: string;
  customerId: string;
  at: string;
  kind: 'NPS' | 'CSAT';
  score: number;
  touchpoint: string;
  dealerId?: string;
  comment?: string;
}

/** Facts the value domain owns; other domains (club points on an order, say) add items to their transactions. */
export interface OrderRecorded {
  order: OrderRecord;
}
export interface FinanceContractRecorded {
  contract: FinanceContractRecord;
}
export interface InteractionRecorded {
  interaction: InteractionRecord;
}

declare module '../store/fact-hooks.js' {
  interface FactPayloads {
    OrderRecorded: OrderRecorded;
    FinanceContractRecorded: FinanceContractRecorded;
    InteractionRecorded: InteractionRecorded;
  }
}

export const factKeys = {
  fact: (customerId: string, kind: string, at: string, id: string) => ({ PK: customerKeys.partition(customerId), SK: joinKey(kind, at, id) }),
  interactionPrefix: `${INTERACTION}#`,
  /**
   * One item per source event: re-sending the same event finds it and changes nothing.
   * Both parts come from the source system, so they are encoded: {"sys#T", "e1"} and
   * {"sys", "T#e1"} are two events, not one.
   */
  interactionDedup: (sourceTenant: string, sourceSystem: string, sourceEventId: string) => ({ PK: joinKey('SOURCEEVENT', sourceTenant, sourceSystem, sourceEventId), SK: 'SOURCEEVENT' }),
};

/** An interaction in its customer's partition, by when it happened. */
export const interactionEntity = defineEntity<InteractionRecord>({
  name: 'Interaction',
  example: () => ({ id: '01JINTERACTION000000000000', customerId: '01JCUSTOMER0000000000000000', sourceTenant: 'BRAND', sourceSystem: 'web', sourceEventId: 'e1', channel: 'WEB', type: 'PAGE_VIEW', modelLine: 'TAYCAN', occurredAt: '2026-03-01T09:30:00.000Z', recordedAt: '2026-03-01T09:30:00.000Z' }),
  key: (i) => factKeys.fact(i.customerId, INTERACTION, i.occurredAt, i.id),
  fields: {
    id: field.string,
    customerId: field.string,
    // Items written before the tenant was recorded read as the brand's (it is only a label on old items).
    sourceTenant: field.withDefault(field.string, () => 'BRAND'),
    sourceSystem: field.string,
    sourceEventId: field.string,
    channel: field.string,
    type: field.string,
    modelLine: field.optional(field.string),
    variant: field.optional(field.string),
    topic: field.optional(field.string),
    occurredAt: field.string,
    recordedAt: field.string,
  },
});

// Revenue facts and survey answers live in their customer's partition, by when they happened; their kind is their entity type.
const money = field.map<Money>();

export const orderEntity = defineEntity<OrderRecord>({
  name: 'ORDER',
  example: () => ({ id: '01JORDER000000000000000000', customerId: '01JCUSTOMER0000000000000000', channel: 'DEALER', lines: [{ sku: 'WAP-CAP', description: 'Cap', quantity: 2, unitPrice: { amount: '45.00', currency: 'EUR' } }], totalEurMinor: 9_000, dealerId: '01JDEALER00000000000000000', orderedAt: '2026-03-01T09:30:00.000Z' }),
  key: (o) => factKeys.fact(o.customerId, 'ORDER', o.orderedAt, o.id),
  fields: {
    id: field.string,
    customerId: field.string,
    channel: field.oneOf(['ONLINE', 'DEALER'] as const),
    lines: field.listOfMaps<OrderLine>(),
    totalEurMinor: field.number,
    dealerId: field.optional(field.string),
    orderedAt: field.string,
  },
});

/** A contract counts from its first day. */
export const financeContractEntity = defineEntity<FinanceContractRecord>({
  name: 'FINANCE',
  example: () => ({ id: '01JFINANCE0000000000000000', customerId: '01JCUSTOMER0000000000000000', kind: 'LEASE', vin: 'WP0ZZZ99ZTS392124', principalMinor: 5_000_000, monthlyMinor: 120_000, startDate: '2026-01-02', endDate: '2029-01-02', principal: { amountMinor: 5_000_000, currency: 'EUR' }, monthlyPayment: { amountMinor: 120_000, currency: 'EUR' }, termMonths: 36 }),
  key: (f) => factKeys.fact(f.customerId, 'FINANCE', `${f.startDate}T00:00:00.000Z`, f.id),
  fields: {
    id: field.string,
    customerId: field.string,
    kind: field.oneOf(['LOAN', 'LEASE'] as const),
    vin: field.string,
    dealerId: field.optional(field.string),
    principalMinor: field.number,
    monthlyMinor: field.number,
    startDate: field.string,
    endDate: field.string,
    principal: money,
    monthlyPayment: money,
    termMonths: field.number,
  },
});

export const surveyEntity = defineEntity<SurveyRecord>({
  name: 'SURVEY',
  example: () => ({ id: '01JSURVEY00000000000000000', customerId: '01JCUSTOMER0000000000000000', at: '2026-03-01T09:30:00.000Z', kind: 'CSAT', score: 4, touchpoint: 'SERVICE', comment: 'Quick.' }),
  key: (v) => factKeys.fact(v.customerId, 'SURVEY', v.at, v.id),
  fields: {
    id: field.string,
    customerId: field.string,
    at: field.string,
    kind: field.oneOf(['NPS', 'CSAT'] as const),
    score: field.number,
    touchpoint: field.string,
    dealerId: field.optional(field.string),
    comment: field.optional(field.string),
  },
});

/** The dedup item of a source event, naming the interaction it became. */
export function sourceEventItem(interaction: InteractionRecord): Item {
  return { ...factKeys.interactionDedup(interaction.sourceTenant, interaction.sourceSystem, interaction.sourceEventId), [ENTITY_TYPE_ATTRIBUTE]: 'SourceEvent', customerId: interaction.customerId, interactionId: interaction.id };
}

/** Attempts at a customer's transaction that decide none of its events (conflicts, a full interest map changing) before they are reported as temporary failures. */
const MAX_INTEREST_ATTEMPTS = 8;

/**
 * Distinct interest keys one profile update counts. DynamoDB takes expressions of at most
 * 4 KB; each key appears three times in the update and once in its condition (≈ 120
 * characters with the prefixes a merge adds), so 16 keys and the 7 channels stay well
 * within it. A batch with more keys for one customer takes more transactions.
 */
const MAX_INTEREST_KEYS_PER_WRITE = 16;

/** One interaction to record, with every other domain's contribution to it (asked again on every attempt). */
export interface InteractionWrite {
  interaction: InteractionRecord;
  hooks?: () => Promise<readonly Contribution[]>;
}

export type InteractionOutcome = 'ACCEPTED' | 'DUPLICATE' | 'CUSTOMER_NOT_FOUND' | Refusal;

/** An interaction's outcome, or the fault (throttling, a timeout) that left nothing of it written: the caller may send it again. */
export type InteractionWriteResult = { outcome: InteractionOutcome } | { fault: unknown };

/** The profile's interest maps as read back after its update failed. */
interface InterestMaps {
  counts: Record<string, number>;
  last: Record<string, string>;
}

interface Pending {
  index: number;
  write: InteractionWrite;
}

/** One event's part of a customer's transaction; its dedup Put is told apart by identity when the transaction fails. */
interface ComposedEvent {
  pending: Pending;
  dedup: Contribution;
  stored: Contribution;
  hooks: readonly Contribution[];
}

/** A customer's transaction: its events, the one profile update counting them all, and everything to write. */
interface Composed {
  events: ComposedEvent[];
  profile: Contribution;
  contributions: Contribution[];
}

const dedupKeyOf = (i: InteractionRecord) => itemMapKey(factKeys.interactionDedup(i.sourceTenant, i.sourceSystem, i.sourceEventId));

/** The interest key of an interaction: the model line with the variant, else the topic. */
export function interestKey(i: Pick<InteractionRecord, 'modelLine' | 'variant' | 'topic'>): string | null {
  if (!i.modelLine && !i.topic) return null;
  return `${i.modelLine ?? 'ANY'}|${i.variant ?? i.topic ?? ''}`;
}

/**
 * The transaction item that appends one fact to a customer's aggregates. Its condition
 * fails when the customer does not exist or the list is at its cap (`AGGREGATE_LIMITS`);
 * `customerAppendFailure` tells the two apart.
 */
export function appendToCustomer(tableName: string, customerId: string, list: AggregateList, fact: unknown): TransactItem {
  const clause = appendFactClause(list, fact);
  return {
    Update: {
      TableName: tableName,
      Key: customerKeys.profile(customerId),
      UpdateExpression: `SET ${clause.expression}`,
      ConditionExpression: `attribute_exists(PK) AND ${clause.condition}`,
      ExpressionAttributeNames: clause.names,
      ExpressionAttributeValues: clause.values,
    },
  };
}

/**
 * Why an `appendToCustomer` item failed, read back consistently: the customer is gone, the
 * list is at its cap, or neither — then it was a concurrent write to the profile (another
 * fact, a rename), which a retry gets past. Only the first two are the caller's answer.
 */
export async function customerAppendFailure(store: Store, customerId: string, list: AggregateList): Promise<'CUSTOMER_NOT_FOUND' | 'LIMIT_REACHED' | 'CONFLICT'> {
  const { Item } = await store.doc.send(
    new GetCommand({ TableName: store.tableName, Key: customerKeys.profile(customerId), ConsistentRead: true, ProjectionExpression: 'PK, #agg.#list', ExpressionAttributeNames: { '#agg': 'aggregates', '#list': list } }),
  );
  if (!Item) return 'CUSTOMER_NOT_FOUND';
  const size = (Item.aggregates?.[list] as unknown[] | undefined)?.length ?? 0;
  return size >= AGGREGATE_LIMITS[list] ? 'LIMIT_REACHED' : 'CONFLICT';
}

/** Attempts at a fact whose profile append lost only to concurrent writes. */
const MAX_APPEND_ATTEMPTS = 4;

/**
 * Revenue facts, surveys and interactions. Each write stores the fact and updates the
 * customer's running aggregates in one transaction, so the scores job reads one item per
 * customer and a fact is never counted without being stored (or the other way round).
 */
export class FactRepository {
  constructor(private readonly store: Store) {}

  /**
   * Stores a fact item and appends its compact form to the customer's aggregates, with
   * every other domain's contribution to the fact (`hooks`, asked again on every attempt) in the same transaction. The
   * append and the item are this domain's own; a failed hook item that explains itself is
   * the answer (a {@link Refusal}), anything else a concurrent write, written again.
   */
  async record<R extends { customerId: string }>(entity: Entity<R>, record: R, list: AggregateList, fact: unknown, hooks: () => Promise<readonly Contribution[]> = async () => []): Promise<'RECORDED' | 'CUSTOMER_NOT_FOUND' | 'LIMIT_REACHED' | Refusal> {
    const { customerId } = record;
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const append: Contribution = { item: appendToCustomer(this.store.tableName, customerId, list, fact) };
      const put: Contribution = { item: { Put: { TableName: this.store.tableName, Item: entity.toItem(record), ConditionExpression: 'attribute_not_exists(PK)' } } };
      const result = await writeContributions(this.store, [append, put, ...(await hooks())]);
      if (result.ok) return 'RECORDED';
      if (result.failed.includes(append)) {
        const why = await customerAppendFailure(this.store, customerId, list);
        if (why !== 'CONFLICT') return why;
      }
      const refusal = await explainFailures(result.failed.filter((c) => c !== append && c !== put));
      if (refusal) return refusal;
    }
    throw new InvariantError(`Recording a ${entity.name} kept conflicting with other writes to customer ${customerId}`);
  }

  /**
   * Records one interaction once per source event (see `recordInteractions`); a fault is
   * thrown. The club events check-in records its attendance this way, with its own items.
   */
  async recordInteraction(interaction: InteractionRecord, hooks: () => Promise<readonly Contribution[]> = async () => []): Promise<InteractionOutcome> {
    const [result] = await this.recordInteractions([{ interaction, hooks }]);
    if (!result || 'fault' in result) throw result?.fault;
    return result.outcome;
  }

  /**
   * Records interactions, each once per source event, counting them in their customers'
   * interests and channels. One BatchGetItem finds the source events already stored
   * (DUPLICATE without a write); the rest are written per customer, all of a customer's
   * events in one transaction (several when they exceed DynamoDB's 100 items, a merge of
   * the hooks' items, or `MAX_INTEREST_KEYS_PER_WRITE`) with one profile update that adds
   * to the counters it touches. Customers are written in parallel, a customer's
   * transactions one after another. Each event's answer is its own:
   *
   * - a dedup Put that fails (a concurrent re-send won) makes that event DUPLICATE and the
   *   transaction is written again without it — never a rejection of its neighbours;
   * - a hook's item that fails and explains itself refuses that event alone (its `Refusal`);
   * - a profile update that fails is read back: no profile is CUSTOMER_NOT_FOUND for the
   *   customer's events; a full interest map evicts its weakest keys, guarded by the map's
   *   size as read (a concurrent newcomer changes it, and we read and decide again);
   * - a conflict with another transaction (DynamoDB's TransactionConflict) is written again
   *   after a backoff, never mistaken for a missing customer;
   * - a fault (throttling, a timeout) halves the transaction until it belongs to one event:
   *   that event alone gets `{ fault }`, nothing of it written, so a re-send is safe.
   */
  async recordInteractions(writes: readonly InteractionWrite[]): Promise<InteractionWriteResult[]> {
    const results: InteractionWriteResult[] = new Array(writes.length);
    let pending: Pending[] = writes.map((write, index) => ({ index, write }));
    while (pending.length > 0) {
      // DynamoDB takes one operation per item in a transaction: a source event sent twice in
      // one batch goes in a later round, where the first one's outcome decides it.
      const claimed = new Set<string>();
      const round: Pending[] = [];
      const later: Pending[] = [];
      for (const p of pending) {
        const key = dedupKeyOf(p.write.interaction);
        (claimed.has(key) ? later : round).push(p);
        claimed.add(key);
      }
      const fresh = await this.withoutStoredEvents(round, results);
      const byCustomer = new Map<string, Pending[]>();
      for (const p of fresh) byCustomer.set(p.write.interaction.customerId, [...(byCustomer.get(p.write.interaction.customerId) ?? []), p]);
      await Promise.all([...byCustomer.values()].map((events) => this.recordForCustomer(events, results)));
      pending = later;
    }
    return results;
  }

  /**
   * The events whose source event is not stored yet; the others are answered DUPLICATE. An
   * eventually consistent read suffices: a dedup item it finds exists (they are never
   * deleted), and one it misses fails its Put. One event alone skips it (its transaction
   * answers as well, in one request), and so does a batch whose read fails.
   */
  private async withoutStoredEvents(round: Pending[], results: InteractionWriteResult[]): Promise<Pending[]> {
    if (round.length < 2) return round;
    const keys = round.map(({ write: { interaction: i } }) => factKeys.interactionDedup(i.sourceTenant, i.sourceSystem, i.sourceEventId));
    const stored = await batchGetItems(this.store.doc, this.store.tableName, keys).catch(() => new Map<string, Item>());
    return round.filter((p) => {
      if (!stored.has(dedupKeyOf(p.write.interaction))) return true;
      results[p.index] = { outcome: 'DUPLICATE' };
      return false;
    });
  }

  /** Writes one customer's events (see `recordInteractions`), deciding every one of them in `results`. */
  private async recordForCustomer(events: Pending[], results: InteractionWriteResult[]): Promise<void> {
    const { customerId } = events[0]!.write.interaction;
    let queue = events;
    let cap = events.length; // events per transaction: halved on a fault, to find the event it belongs to
    let maps: InterestMaps | undefined;
    let attempt = 0;
    const decide = (p: Pending, result: InteractionWriteResult) => {
      results[p.index] = result;
      queue = queue.filter((q) => q !== p);
      attempt = 0;
    };
    while (queue.length > 0) {
      if (attempt >= MAX_INTEREST_ATTEMPTS) {
        const fault = new InvariantError(`Interactions of customer ${customerId} kept conflicting with other writes; the events can be sent again`);
        for (const p of queue) results[p.index] = { fault };
        return;
      }
      let composed: Composed | undefined;
      try {
        composed = await this.compose(customerId, queue.slice(0, cap), maps);
        const result = await writeContributions(this.store, composed.contributions);
        if (result.ok) {
          for (const e of composed.events) decide(e.pending, { outcome: 'ACCEPTED' });
          maps = undefined; // the maps changed: the next transaction guesses again
          continue;
        }
        attempt++;
        if (result.conflicted) {
          await sleep(backoffDelayMs(attempt));
          continue;
        }
        const failed = new Set(result.failed);
        const duplicates = composed.events.filter((e) => failed.has(e.dedup));
        for (const e of duplicates) decide(e.pending, { outcome: 'DUPLICATE' });
        if (duplicates.length > 0) continue; // the others, without them: their failures show again if real
        if (failed.has(composed.profile)) {
          maps = await this.interestMaps(customerId);
          if (!maps) {
            for (const p of queue) results[p.index] = { outcome: 'CUSTOMER_NOT_FOUND' };
            return;
          }
        }
        // A hook's item that explains itself refuses its event; a hook merged into the profile update fails with it, so it is asked too.
        for (const e of composed.events) {
          const refusal = await explainFailures(e.hooks.filter((c) => failed.has(c)));
          if (refusal) decide(e.pending, { outcome: refusal });
        }
        if (attempt > 1) await sleep(backoffDelayMs(attempt)); // a second miss means other writers on this profile: spread out
      } catch (fault) {
        const undecided = composed ? composed.events.map((e) => e.pending).filter((p) => queue.includes(p)) : queue.slice(0, cap);
        if (undecided.length > 1) cap = Math.ceil(undecided.length / 2);
        else if (undecided[0]) {
          decide(undecided[0], { fault });
          cap = queue.length;
        }
      }
    }
  }

  /**
   * The longest run of `candidates` (from the first) that fits one transaction with one
   * profile update: within DynamoDB's item limit and `MAX_INTEREST_KEYS_PER_WRITE`, and with
   * every hook's items mergeable. The first event always goes in (alone it is what a
   * single write would send; if even that cannot be written, the write says why).
   */
  private async compose(customerId: string, candidates: readonly Pending[], maps: InterestMaps | undefined): Promise<Composed> {
    let composed: Composed | undefined;
    const keys = new Set<string>();
    // Every candidate's hooks at once: hooks that read (the offers' books) then share one
    // batched read across the batch's events and customers, instead of one read per event.
    const hooksOf = await Promise.all(candidates.map(async (pending) => (await pending.write.hooks?.()) ?? []));
    for (const [index, pending] of candidates.entries()) {
      const { interaction } = pending.write;
      const key = interestKey(interaction);
      if (composed && key && !keys.has(key) && keys.size >= MAX_INTEREST_KEYS_PER_WRITE) break;
      const event: ComposedEvent = {
        pending,
        dedup: { item: { Put: { TableName: this.store.tableName, Item: sourceEventItem(interaction), ConditionExpression: 'attribute_not_exists(PK)' } } },
        stored: { item: { Put: { TableName: this.store.tableName, Item: interactionEntity.toItem(interaction) } } },
        hooks: hooksOf[index]!,
      };
      const events = [...(composed?.events ?? []), event];
      const profile: Contribution = { item: this.profileUpdate(customerId, events.map((e) => e.pending.write.interaction), maps) };
      const contributions = [profile, ...events.flatMap((e) => [e.dedup, e.stored, ...e.hooks])];
      if (composed && !fitsOneTransaction(contributions)) break;
      composed = { events, profile, contributions };
      if (key) keys.add(key);
    }
    return composed!;
  }

  /**
   * The one profile update counting `interactions`: per channel and per interest key an
   * atomic `+ n` (and the key's latest time), so it touches only the counters that change.
   * Its condition keeps the interest map within `MAX_INTERESTS`. Without `maps` it guesses:
   * either every key is already counted or there is room for all of them as new. With the
   * maps as read after a miss it decides: the keys it adds, the weakest others it evicts to
   * make room, guarded by the map's size and those keys' presence as read.
   */
  private profileUpdate(customerId: string, interactions: readonly InteractionRecord[], maps: InterestMaps | undefined): TransactItem {
    const names: Record<string, string> = { '#agg': 'aggregates', '#ch': 'channels' };
    const values: Record<string, unknown> = { ':zero': 0 };
    const sets: string[] = [];
    const removes: string[] = [];
    const conditions = ['attribute_exists(PK)'];
    const channels = new Map<string, number>();
    const interests = new Map<string, { n: number; at: string }>();
    for (const i of interactions) {
      channels.set(i.channel, (channels.get(i.channel) ?? 0) + 1);
      const key = interestKey(i);
      if (!key) continue;
      const seen = interests.get(key);
      interests.set(key, { n: (seen?.n ?? 0) + 1, at: seen && seen.at > i.occurredAt ? seen.at : i.occurredAt });
    }
    [...channels].forEach(([channel, n], c) => {
      names[`#c${c}`] = channel;
      values[`:c${c}`] = n;
      sets.push(`#agg.#ch.#c${c} = if_not_exists(#agg.#ch.#c${c}, :zero) + :c${c}`);
    });
    const keys = [...interests.keys()];
    if (keys.length > 0) {
      Object.assign(names, { '#ic': 'interestCounts', '#il': 'interestLast' });
      keys.forEach((key, k) => {
        names[`#k${k}`] = key;
        values[`:k${k}`] = interests.get(key)!.n;
        values[`:t${k}`] = interests.get(key)!.at;
        sets.push(`#agg.#ic.#k${k} = if_not_exists(#agg.#ic.#k${k}, :zero) + :k${k}`, `#agg.#il.#k${k} = :t${k}`);
      });
      const counted = (k: number) => `attribute_exists(#agg.#ic.#k${k})`;
      if (!maps) {
        values[':room'] = MAX_INTERESTS - keys.length;
        conditions.push(`(attribute_not_exists(#agg.#ic) OR size(#agg.#ic) <= :room OR (${keys.map((_, k) => counted(k)).join(' AND ')}))`);
      } else {
        const adding = keys.filter((key) => !(key in maps.counts)).length;
        interestsToEvict(maps.counts, maps.last, MAX_INTERESTS, { adding, keep: keys }).forEach((key, e) => {
          names[`#e${e}`] = key;
          removes.push(`#agg.#ic.#e${e}`, `#agg.#il.#e${e}`);
        });
        values[':size'] = Object.keys(maps.counts).length;
        conditions.push('size(#agg.#ic) = :size', ...keys.map((key, k) => (key in maps.counts ? counted(k) : `attribute_not_exists(#agg.#ic.#k${k})`)));
      }
    }
    return {
      Update: {
        TableName: this.store.tableName,
        Key: customerKeys.profile(customerId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  /** The profile's interest maps, read consistently; undefined when the customer is gone. */
  private async interestMaps(customerId: string): Promise<InterestMaps | undefined> {
    const { Item } = await this.store.doc.send(
      new GetCommand({ TableName: this.store.tableName, Key: customerKeys.profile(customerId), ConsistentRead: true, ProjectionExpression: 'PK, #agg.#ic, #agg.#il', ExpressionAttributeNames: { '#agg': 'aggregates', '#ic': 'interestCounts', '#il': 'interestLast' } }),
    );
    if (!Item) return undefined;
    return { counts: (Item.aggregates?.interestCounts ?? {}) as Record<string, number>, last: (Item.aggregates?.interestLast ?? {}) as Record<string, string> };
  }

  async interactionsOf(customerId: string, first: number, after?: string | null): Promise<Page<InteractionRecord>> {
    const page = await queryPage(this.store.doc, this.store.tableName, { partition: customerKeys.partition(customerId), sortKeyPrefix: factKeys.interactionPrefix, first, after, newestFirst: true });
    return { ...page, items: page.items.map(interactionEntity.fromItem) };
  }
}
