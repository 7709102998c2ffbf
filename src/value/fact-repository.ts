import { InvariantError } from '../shared/errors.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { customerKeys } from '../customer/customer.js';
import type { Page } from '../store/cursor.js';
import { defineEntity, field } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import { queryPage } from '../store/query-page.js';
import { backoffDelayMs, sleep } from '../store/retry.js';
import type { Store } from '../store/store.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item } from '../store/table.js';
import { transactWrite, type TransactItem } from '../store/transactions.js';
import { AGGREGATE_LIMITS, MAX_INTERESTS, type AggregateList } from '../customer/profile-aggregates.js';
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

/** A revenue fact or survey answer in its customer's partition, by when it happened; its kind is its entity type. */
export function factItem(customerId: string, kind: 'ORDER' | 'FINANCE' | 'SURVEY', at: string, id: string, attributes: Record<string, unknown>): Item {
  return { ...factKeys.fact(customerId, kind, at, id), [ENTITY_TYPE_ATTRIBUTE]: kind, ...attributes };
}

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

  /** Stores a fact item and appends its compact form to the customer's aggregates. */
  async record(customerId: string, kind: 'ORDER' | 'FINANCE' | 'SURVEY', id: string, at: string, item: Record<string, unknown>, list: AggregateList, fact: unknown): Promise<'RECORDED' | 'CUSTOMER_NOT_FOUND' | 'LIMIT_REACHED'> {
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const result = await transactWrite(this.store.doc, [
        appendToCustomer(this.store.tableName, customerId, list, fact),
        { Put: { TableName: this.store.tableName, Item: factItem(customerId, kind, at, id, item), ConditionExpression: 'attribute_not_exists(PK)' } },
      ]);
      if (result.ok) return 'RECORDED';
      const why = await customerAppendFailure(this.store, customerId, list);
      if (why !== 'CONFLICT') return why;
    }
    throw new InvariantError(`Recording a ${kind} kept conflicting with other writes to customer ${customerId}`);
  }

  /**
   * Records one interaction once per source event, counting it in the customer's
   * interests and channels. The interest maps hold at most `MAX_INTERESTS` keys: a known
   * key, or a new one while there is room, is one atomic increment; a new key on a full
   * map evicts the weakest key in the same transaction, guarded by the map's size as it
   * was read (a concurrent newcomer changes it, and we read and decide again).
   */
  async recordInteraction(interaction: InteractionRecord): Promise<'ACCEPTED' | 'DUPLICATE' | 'CUSTOMER_NOT_FOUND'> {
    const key = interestKey(interaction);
    let evict: { keys: string[]; size: number } | undefined;
    for (let attempt = 0; attempt < MAX_INTEREST_ATTEMPTS; attempt++) {
      if (attempt > 1) await sleep(backoffDelayMs(attempt)); // a second miss means other writers on this profile: spread out
      const result = await transactWrite(this.store.doc, this.interactionItems(interaction, key, evict));
      if (result.ok) return 'ACCEPTED';
      if (result.failedConditions.includes(0)) return 'DUPLICATE';
      const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: customerKeys.profile(interaction.customerId), ConsistentRead: true, ProjectionExpression: 'aggregates.interestCounts, aggregates.interestLast' }));
      if (!Item) return 'CUSTOMER_NOT_FOUND';
      const counts = (Item.aggregates?.interestCounts ?? {}) as Record<string, number>;
      const last = (Item.aggregates?.interestLast ?? {}) as Record<string, string>;
      evict = key && !(key in counts) ? { keys: interestsToEvict(counts, last, MAX_INTERESTS), size: Object.keys(counts).length } : undefined;
      if (evict && evict.keys.length === 0) evict = undefined;
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
