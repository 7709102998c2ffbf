import { InvariantError } from '../shared/errors.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { customerKeys } from '../customer/customer.js';
import type { Page } from '../store/cursor.js';
import { defineEntity, field, type Entity } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import { queryPage } from '../store/query-page.js';
import { backoffDelayMs, sleep } from '../store/retry.js';
import type { Store } from '../store/store.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item } from '../store/table.js';
import type { TransactItem } from '../store/transactions.js';
import { explainFailures, writeContributions, type Contribution, type Refusal } from '../store/fact-hooks.js';
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

/** Attempts at fitting a new interest key in before the event is reported as a temporary failure. */
const MAX_INTEREST_ATTEMPTS = 8;

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
   * Records one interaction once per source event, counting it in the customer's
   * interests and channels. The interest maps hold at most `MAX_INTERESTS` keys: a known
   * key, or a new one while there is room, is one atomic increment; a new key on a full
   * map evicts the weakest key in the same transaction, guarded by the map's size as it
   * was read (a concurrent newcomer changes it, and we read and decide again).
   */
  async recordInteraction(interaction: InteractionRecord, hooks: () => Promise<readonly Contribution[]> = async () => []): Promise<'ACCEPTED' | 'DUPLICATE' | 'CUSTOMER_NOT_FOUND' | Refusal> {
    const key = interestKey(interaction);
    let evict: { keys: string[]; size: number } | undefined;
    for (let attempt = 0; attempt < MAX_INTEREST_ATTEMPTS; attempt++) {
      if (attempt > 1) await sleep(backoffDelayMs(attempt)); // a second miss means other writers on this profile: spread out
      const [dedup, profile, stored] = this.interactionItems(interaction, key, evict).map((item): Contribution => ({ item }));
      const result = await writeContributions(this.store, [dedup!, profile!, stored!, ...(await hooks())]);
      if (result.ok) return 'ACCEPTED';
      if (result.failed.includes(dedup!)) return 'DUPLICATE';
      if (!result.failed.includes(profile!)) {
        // Only other domains' items failed: one that explains itself is the answer, else write again.
        const refusal = await explainFailures(result.failed.filter((c) => c !== stored));
        if (refusal) return refusal;
        continue;
      }
      const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: customerKeys.profile(interaction.customerId), ConsistentRead: true, ProjectionExpression: 'aggregates.interestCounts, aggregates.interestLast' }));
      if (!Item) return 'CUSTOMER_NOT_FOUND';
      const counts = (Item.aggregates?.interestCounts ?? {}) as Record<string, number>;
      const last = (Item.aggregates?.interestLast ?? {}) as Record<string, string>;
      evict = key && !(key in counts) ? { keys: interestsToEvict(counts, last, MAX_INTERESTS), size: Object.keys(counts).length } : undefined;
      if (evict && evict.keys.length === 0) evict = undefined;
      // A hook merged into the profile update fails with it: it may be the reason.
      const refusal = await explainFailures(result.failed.filter((c) => c !== profile && c !== stored));
      if (refusal) return refusal;
    }
    throw new InvariantError(`Interest map of customer ${interaction.customerId} kept changing; the event can be sent again`);
  }

  private interactionItems(interaction: InteractionRecord, key: string | null, evict?: { keys: string[]; size: number }): TransactItem[] {
    const { tableName } = this.store;
    const names: Record<string, string> = { '#agg': 'aggregates', '#ch': 'channels', '#c': interaction.channel };
    const values: Record<string, unknown> = { ':zero': 0, ':one': 1 };
    const sets = ['#agg.#ch.#c = if_not_exists(#agg.#ch.#c, :zero) + :one'];
    const removes: string[] = [];
    let condition = 'attribute_exists(PK)';
    if (key) {
      Object.assign(names, { '#ic': 'interestCounts', '#il': 'interestLast', '#k': key });
      values[':at'] = interaction.occurredAt;
      sets.push('#agg.#ic.#k = if_not_exists(#agg.#ic.#k, :zero) + :one', '#agg.#il.#k = :at');
      if (evict) {
        // The map is full: drop the weakest as read, if the map is still as read.
        evict.keys.forEach((k, i) => {
          names[`#e${i}`] = k;
          removes.push(`#agg.#ic.#e${i}`, `#agg.#il.#e${i}`);
        });
        values[':size'] = evict.size;
        condition += ' AND attribute_not_exists(#agg.#ic.#k) AND size(#agg.#ic) = :size';
      } else {
        values[':max'] = MAX_INTERESTS;
        condition += ' AND (attribute_not_exists(#agg.#ic) OR attribute_exists(#agg.#ic.#k) OR size(#agg.#ic) < :max)';
      }
    }
    return [
      { Put: { TableName: tableName, Item: sourceEventItem(interaction), ConditionExpression: 'attribute_not_exists(PK)' } },
      {
        Update: {
          TableName: tableName,
          Key: customerKeys.profile(interaction.customerId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      { Put: { TableName: tableName, Item: interactionEntity.toItem(interaction) } },
    ];
  }

  async interactionsOf(customerId: string, first: number, after?: string | null): Promise<Page<InteractionRecord>> {
    const page = await queryPage(this.store.doc, this.store.tableName, { partition: customerKeys.partition(customerId), sortKeyPrefix: factKeys.interactionPrefix, first, after, newestFirst: true });
    return { ...page, items: page.items.map(interactionEntity.fromItem) };
  }
}
