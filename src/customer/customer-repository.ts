import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { batchGetItems, itemMapKey } from '../store/batch.js';
import type { Page } from '../store/cursor.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { transactWrite } from '../store/transactions.js';
import { normaliseEmail } from '../shared/validation.js';
import type { ModelLine } from '../vehicle/model-lines.js';
import { dealerKeys } from '../dealer/dealer.js';
import {
  customerFromItem,
  customerKeys,
  customerToItem,
  dealerLinkItem,
  nameSortKey,
  searchTextOf,
  type Consent,
  type CustomerRecord,
} from './customer.js';

export type CustomerChanges = Partial<Pick<CustomerRecord, 'firstName' | 'lastName' | 'email' | 'phone' | 'birthDate' | 'preferredLanguage' | 'address'>>;

export interface CustomerListFilter {
  search?: string;
  modelLine?: ModelLine;
}

/** Customers, their email claims and their dealer links. */
export class CustomerRepository {
  constructor(private readonly store: Store) {}

  async getMany(ids: readonly string[]): Promise<Map<string, CustomerRecord>> {
    const items = await batchGetItems(this.store.doc, this.store.tableName, ids.map(customerKeys.profile));
    const result = new Map<string, CustomerRecord>();
    for (const id of ids) {
      const item = items.get(itemMapKey(customerKeys.profile(id)));
      if (item) result.set(id, customerFromItem(item));
    }
    return result;
  }

  async get(id: string): Promise<CustomerRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: customerKeys.profile(id), ConsistentRead: true }));
    return Item ? customerFromItem(Item) : null;
  }

  /**
   * Creates the profile, claims its normalised email (one profile per email) and, when
   * a dealer creates the customer, links them — all or nothing.
   */
  async create(input: CustomerRecord, linkDealerId?: string): Promise<'CREATED' | 'EMAIL_TAKEN' | 'DEALER_NOT_FOUND'> {
    const { tableName } = this.store;
    const customer = linkDealerId ? { ...input, dealerIds: [...new Set([...input.dealerIds, linkDealerId])] } : input;
    const result = await transactWrite(this.store.doc, [
      { Put: { TableName: tableName, Item: { ...customerKeys.emailClaim(normaliseEmail(customer.email)), entityType: 'EmailClaim', customerId: customer.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: tableName, Item: customerToItem(customer), ConditionExpression: 'attribute_not_exists(PK)' } },
      ...(linkDealerId
        ? [
            { ConditionCheck: { TableName: tableName, Key: dealerKeys.profile(linkDealerId), ConditionExpression: 'attribute_exists(PK)' } },
            { Put: { TableName: tableName, Item: dealerLinkItem(customer.id, linkDealerId, customer.createdAt) } },
          ]
        : []),
    ]);
    if (result.ok) return 'CREATED';
    return result.failedConditions.includes(0) ? 'EMAIL_TAKEN' : 'DEALER_NOT_FOUND';
  }

  /**
   * Applies changes if the profile is still at `expectedVersion` (optimistic concurrency:
   * two editors with the same version, exactly one wins). An email change moves the
   * email claim in the same transaction.
   */
  async update(current: CustomerRecord, expectedVersion: number, changes: CustomerChanges, now: string): Promise<'UPDATED' | 'STALE_VERSION' | 'EMAIL_TAKEN'> {
    const { tableName } = this.store;
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as CustomerChanges;
    const merged = { ...current, ...defined };
    const sets: string[] = ['#version = #version + :one', '#updatedAt = :now', '#searchText = :searchText', '#gsi2sk = :gsi2sk'];
    const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt', '#searchText': 'searchText', '#gsi2sk': 'GSI2SK' };
    const values: Record<string, unknown> = {
      ':one': 1,
      ':now': now,
      ':expected': expectedVersion,
      ':searchText': searchTextOf(merged),
      ':gsi2sk': nameSortKey(merged),
    };
    for (const [field, value] of Object.entries(defined)) {
      names[`#f_${field}`] = field;
      values[`:f_${field}`] = value;
      sets.push(`#f_${field} = :f_${field}`);
    }
    const updateProfile = {
      TableName: tableName,
      Key: customerKeys.profile(current.id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    const oldEmail = normaliseEmail(current.email);
    const newEmail = changes.email === undefined ? oldEmail : normaliseEmail(changes.email);
    if (newEmail === oldEmail) {
      try {
        await this.store.doc.send(new UpdateCommand(updateProfile));
        return 'UPDATED';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'STALE_VERSION';
        throw error;
      }
    }
    const result = await transactWrite(this.store.doc, [
      { Update: updateProfile },
      { Put: { TableName: tableName, Item: { ...customerKeys.emailClaim(newEmail), entityType: 'EmailClaim', customerId: current.id }, ConditionExpression: 'attribute_not_exists(PK)' } },
      { Delete: { TableName: tableName, Key: customerKeys.emailClaim(oldEmail), ConditionExpression: 'customerId = :id', ExpressionAttributeValues: { ':id': current.id } } },
    ]);
    if (result.ok) return 'UPDATED';
    return result.failedConditions.includes(1) && !result.failedConditions.includes(0) ? 'EMAIL_TAKEN' : 'STALE_VERSION';
  }

  /** Records consents per channel (the latest statement per channel wins) and bumps the version. */
  async setConsents(id: string, consents: Consent[], now: string): Promise<'UPDATED' | 'NOT_FOUND'> {
    const names: Record<string, string> = { '#consents': 'consents', '#version': 'version', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':one': 1, ':now': now };
    const sets = ['#version = #version + :one', '#updatedAt = :now'];
    consents.forEach((consent, i) => {
      names[`#c${i}`] = consent.channel;
      values[`:c${i}`] = consent;
      sets.push(`#consents.#c${i} = :c${i}`);
    });
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: customerKeys.profile(id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return 'UPDATED';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'NOT_FOUND';
      throw error;
    }
  }

  /** All customers by name (the admin console's list), optionally filtered. */
  async list(first: number, after: string | null | undefined, filter: CustomerListFilter): Promise<Page<CustomerRecord>> {
    const conditions: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (filter.search) {
      conditions.push('contains(#searchText, :search)');
      names['#searchText'] = 'searchText';
      values[':search'] = filter.search.trim().toLowerCase();
    }
    if (filter.modelLine) {
      conditions.push('#vc.#ml > :zero');
      names['#vc'] = 'vehicleCounts';
      names['#ml'] = filter.modelLine;
      values[':zero'] = 0;
    }
    const page = await queryPage(this.store.doc, this.store.tableName, {
      index: 'byCollection',
      partition: customerKeys.collection,
      first,
      after,
      filter: conditions.length ? { expression: conditions.join(' AND '), names, values } : undefined,
    });
    return { ...page, items: page.items.map(customerFromItem) };
  }

  /** Ids of a dealer's customers, one page at a time (the ByParent index under the dealer). */
  async customerIdsOfDealer(dealerId: string, first: number, after?: string | null): Promise<Page<string>> {
    const page = await queryPage(this.store.doc, this.store.tableName, {
      index: 'byParent',
      partition: dealerKeys.parent(dealerId),
      sortKeyPrefix: dealerKeys.customerLinkPrefix,
      first,
      after,
    });
    return { ...page, items: page.items.map((item) => item.customerId as string) };
  }

  /** Links a customer to a dealer; linking twice keeps the first `linkedAt`. */
  async linkToDealer(customerId: string, dealerId: string, now: string): Promise<'LINKED' | 'CUSTOMER_NOT_FOUND' | 'DEALER_NOT_FOUND'> {
    const { tableName } = this.store;
    const link = dealerLinkItem(customerId, dealerId, now);
    const result = await transactWrite(this.store.doc, [
      {
        Update: {
          TableName: tableName,
          Key: customerKeys.profile(customerId),
          UpdateExpression: 'ADD #dealerIds :dealer',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#dealerIds': 'dealerIds' },
          ExpressionAttributeValues: { ':dealer': new Set([dealerId]) },
        },
      },
      { ConditionCheck: { TableName: tableName, Key: dealerKeys.profile(dealerId), ConditionExpression: 'attribute_exists(PK)' } },
      linkUpsert(tableName, link),
    ]);
    if (result.ok) return 'LINKED';
    return result.failedConditions.includes(0) ? 'CUSTOMER_NOT_FOUND' : 'DEALER_NOT_FOUND';
  }
}

/** A link written as an update so that re-linking keeps the original `linkedAt`. */
export function linkUpsert(tableName: string, link: ReturnType<typeof dealerLinkItem>) {
  return {
    Update: {
      TableName: tableName,
      Key: { PK: link.PK, SK: link.SK },
      UpdateExpression: 'SET #et = :et, #g1pk = :g1pk, #g1sk = :g1sk, #cid = :cid, #did = :did, #linkedAt = if_not_exists(#linkedAt, :linkedAt)',
      ExpressionAttributeNames: { '#et': 'entityType', '#g1pk': 'GSI1PK', '#g1sk': 'GSI1SK', '#cid': 'customerId', '#did': 'dealerId', '#linkedAt': 'linkedAt' },
      ExpressionAttributeValues: {
        ':et': link.entityType,
        ':g1pk': link.GSI1PK,
        ':g1sk': link.GSI1SK,
        ':cid': link.customerId,
        ':did': link.dealerId,
        ':linkedAt': link.linkedAt,
      },
    },
  };
}
