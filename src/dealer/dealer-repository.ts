import { InvariantError } from '../shared/errors.js';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getRecords } from '../store/entity.js';
import type { Page } from '../store/cursor.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { transactWrite } from '../store/transactions.js';
import { effectiveScopes } from '../auth/api-key.js';
import { apiKeyRecordEntity, apiKeyKeys, apiKeyLookupFromItem, apiKeyLookupItem, type ApiKeyLookup, type ApiKeyRecord } from './api-key-record.js';
import { dealerCodeClaimItem, dealerEntity, dealerKeys, type DealerRecord } from './dealer.js';

/** How many of a dealer's keys `Dealer.apiKeys` lists (newest first). */
export const MAX_LISTED_API_KEYS = 50;

/** Dealers and their API keys. */
export class DealerRepository {
  constructor(private readonly store: Store) {}

  getMany(ids: readonly string[]): Promise<Map<string, DealerRecord>> {
    return getRecords(this.store, dealerEntity, dealerKeys.profile, ids);
  }

  /** Creates a dealer and claims its code; a code is used once. */
  async create(dealer: DealerRecord): Promise<'CREATED' | 'CODE_TAKEN'> {
    const { tableName } = this.store;
    const result = await transactWrite(this.store.doc, [
      { Put: { TableName: tableName, Item: dealerCodeClaimItem(dealer.code, dealer.id), ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: tableName, Item: dealerEntity.toItem(dealer), ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
    return result.ok ? 'CREATED' : 'CODE_TAKEN';
  }

  async list(first: number, after?: string | null): Promise<Page<DealerRecord>> {
    const page = await queryPage(this.store.doc, this.store.tableName, { index: 'byCollection', partition: dealerKeys.collection, first, after });
    return { ...page, items: page.items.map(dealerEntity.fromItem) };
  }

  /** Stores a newly issued key (its hash only) as lookup and record items together. */
  async issueApiKey(key: ApiKeyRecord): Promise<'ISSUED' | 'DEALER_NOT_FOUND'> {
    const { tableName } = this.store;
    const result = await transactWrite(this.store.doc, [
      { ConditionCheck: { TableName: tableName, Key: dealerKeys.profile(key.dealerId), ConditionExpression: 'attribute_exists(PK)' } },
      { Put: { TableName: tableName, Item: apiKeyLookupItem(key), ConditionExpression: 'attribute_not_exists(PK)' } },
      { Put: { TableName: tableName, Item: apiKeyRecordEntity.toItem(key), ConditionExpression: 'attribute_not_exists(PK)' } },
    ]);
    if (result.ok) return 'ISSUED';
    if (result.failedConditions.includes(0)) return 'DEALER_NOT_FOUND';
    throw new InvariantError('API key collision: a freshly generated key hash already exists');
  }

  /**
   * The authentication read: one strongly consistent GetItem by the key's hash. Scopes come
   * back effective (with implied reads), so keys issued before that rule act like new ones.
   */
  async findApiKeyByHash(keyHash: string): Promise<ApiKeyLookup | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: apiKeyKeys.lookup(keyHash), ConsistentRead: true }));
    if (!Item) return null;
    const lookup = apiKeyLookupFromItem(Item);
    return { ...lookup, scopes: effectiveScopes(lookup.scopes) };
  }

  async getApiKey(dealerId: string, id: string): Promise<ApiKeyRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: apiKeyKeys.record(dealerId, id), ConsistentRead: true }));
    return Item ? apiKeyRecordEntity.fromItem(Item) : null;
  }

  /** The dealer's newest keys (at most `MAX_LISTED_API_KEYS`). */
  async apiKeysOf(dealerId: string): Promise<ApiKeyRecord[]> {
    const { Items = [] } = await this.store.doc.send(
      new QueryCommand({
        TableName: this.store.tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
        ExpressionAttributeValues: { ':pk': dealerKeys.parent(dealerId), ':prefix': apiKeyKeys.recordPrefix },
        // Key ids are ULIDs: newest first, and a bounded read however many keys a dealer was issued over the years.
        ScanIndexForward: false,
        Limit: MAX_LISTED_API_KEYS,
      }),
    );
    return Items.map(apiKeyRecordEntity.fromItem);
  }

  /** Revokes a key on both items; revoking twice keeps the first revocation time. */
  async revokeApiKey(key: ApiKeyRecord, now: string): Promise<ApiKeyRecord> {
    const { tableName } = this.store;
    const revokedAt = key.revokedAt ?? now;
    const setRevoked = {
      UpdateExpression: 'SET #revokedAt = if_not_exists(#revokedAt, :now)',
      ExpressionAttributeNames: { '#revokedAt': 'revokedAt' },
      ExpressionAttributeValues: { ':now': now },
    };
    await transactWrite(this.store.doc, [
      { Update: { TableName: tableName, Key: apiKeyKeys.lookup(key.keyHash), ...setRevoked } },
      { Update: { TableName: tableName, Key: apiKeyKeys.record(key.dealerId, key.id), ...setRevoked } },
    ]);
    return { ...key, revokedAt };
  }

  /** Notes that a key was used; called at most once per key per cache period, never per request. */
  async touchApiKey(dealerId: string, id: string, now: string): Promise<void> {
    await this.store.doc.send(
      new UpdateCommand({
        TableName: this.store.tableName,
        Key: apiKeyKeys.record(dealerId, id),
        UpdateExpression: 'SET #lastUsedAt = :now',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#lastUsedAt': 'lastUsedAt' },
        ExpressionAttributeValues: { ':now': now },
      }),
    );
  }
}
