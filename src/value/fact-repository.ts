import { customerKeys } from '../customer/customer.js';
import type { Page } from '../store/cursor.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item } from '../store/table.js';
import { transactWrite, type TransactItem } from '../store/transactions.js';
import { appendFactClause, type AggregateList } from './aggregates.js';

/** A recorded interaction (customer data platform). */
export interface InteractionRecord {
  id: string;
  customerId: string;
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

export const factKeys = {
  fact: (customerId: string, kind: string, at: string, id: string) => ({ PK: `CUST#${customerId}`, SK: `${kind}#${at}#${id}` }),
  interactionPrefix: 'INTERACTION#',
  /** One item per source event: re-sending the same event finds it and changes nothing. */
  interactionDedup: (sourceSystem: string, sourceEventId: string) => ({ PK: `SOURCEEVENT#${sourceSystem}#${sourceEventId}`, SK: 'SOURCEEVENT' }),
};

/** The interest key of an interaction: the model line with the variant, else the topic. */
export function interestKey(i: Pick<InteractionRecord, 'modelLine' | 'variant' | 'topic'>): string | null {
  if (!i.modelLine && !i.topic) return null;
  return `${i.modelLine ?? 'ANY'}|${i.variant ?? i.topic ?? ''}`;
}

/** The transaction item that appends one fact to a customer's aggregates (the customer must exist). */
export function appendToCustomer(tableName: string, customerId: string, list: AggregateList, fact: unknown): TransactItem {
  const clause = appendFactClause(list, fact);
  return {
    Update: {
      TableName: tableName,
      Key: customerKeys.profile(customerId),
      UpdateExpression: `SET ${clause.expression}`,
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: clause.names,
      ExpressionAttributeValues: clause.values,
    },
  };
}

/**
 * Revenue facts, surveys and interactions. Each write stores the fact and updates the
 * customer's running aggregates in one transaction, so the scores job reads one item per
 * customer and a fact is never counted without being stored (or the other way round).
 */
export class FactRepository {
  constructor(private readonly store: Store) {}

  /** Stores a fact item and appends its compact form to the customer's aggregates. */
  async record(customerId: string, kind: 'ORDER' | 'FINANCE' | 'SURVEY', id: string, at: string, item: Record<string, unknown>, list: AggregateList, fact: unknown): Promise<'RECORDED' | 'CUSTOMER_NOT_FOUND'> {
    const result = await transactWrite(this.store.doc, [
      appendToCustomer(this.store.tableName, customerId, list, fact),
      { Put: { TableName: this.store.tableName, Item: { ...factKeys.fact(customerId, kind, at, id), [ENTITY_TYPE_ATTRIBUTE]: kind, ...item } as Item, ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
    return result.ok ? 'RECORDED' : 'CUSTOMER_NOT_FOUND';
  }

  /** Records one interaction once per source event, counting it in the customer's interests and channels. */
  async recordInteraction(interaction: InteractionRecord): Promise<'ACCEPTED' | 'DUPLICATE' | 'CUSTOMER_NOT_FOUND'> {
    const { tableName } = this.store;
    const key = interestKey(interaction);
    const names: Record<string, string> = { '#agg': 'aggregates', '#ch': 'channels', '#c': interaction.channel };
    const values: Record<string, unknown> = { ':zero': 0, ':one': 1 };
    const sets = ['#agg.#ch.#c = if_not_exists(#agg.#ch.#c, :zero) + :one'];
    if (key) {
      Object.assign(names, { '#ic': 'interestCounts', '#il': 'interestLast', '#k': key });
      values[':at'] = interaction.occurredAt;
      sets.push('#agg.#ic.#k = if_not_exists(#agg.#ic.#k, :zero) + :one', '#agg.#il.#k = :at');
    }
    const result = await transactWrite(this.store.doc, [
      { Put: { TableName: tableName, Item: { ...factKeys.interactionDedup(interaction.sourceSystem, interaction.sourceEventId), [ENTITY_TYPE_ATTRIBUTE]: 'SourceEvent', customerId: interaction.customerId, interactionId: interaction.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
      {
        Update: {
          TableName: tableName,
          Key: customerKeys.profile(interaction.customerId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      { Put: { TableName: tableName, Item: { ...factKeys.fact(interaction.customerId, 'INTERACTION', interaction.occurredAt, interaction.id), [ENTITY_TYPE_ATTRIBUTE]: 'Interaction', ...interaction } } },
    ]);
    if (result.ok) return 'ACCEPTED';
    return result.failedConditions.includes(0) ? 'DUPLICATE' : 'CUSTOMER_NOT_FOUND';
  }

  async interactionsOf(customerId: string, first: number, after?: string | null): Promise<Page<InteractionRecord>> {
    const page = await queryPage(this.store.doc, this.store.tableName, { partition: `CUST#${customerId}`, sortKeyPrefix: factKeys.interactionPrefix, first, after, newestFirst: true });
    return { ...page, items: page.items.map(({ PK: _pk, SK: _sk, [ENTITY_TYPE_ATTRIBUTE]: _t, ...rest }) => rest as unknown as InteractionRecord) };
  }
}
