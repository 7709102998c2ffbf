import { joinKey } from '../store/key-part.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item, type Key } from '../store/table.js';
import type { DealerScope } from '../auth/api-key.js';

/**
 * An issued dealer API key. It is stored as two items written together:
 * - the *lookup* item under the key's hash, read on every authenticated request;
 * - the *record* item in the dealer's partition, for listing, revoking and `lastUsedAt`.
 * Keeping `lastUsedAt` off the lookup item means the hot read never contends with writes.
 */
export interface ApiKeyRecord {
  id: string;
  dealerId: string;
  name: string;
  prefix: string;
  keyHash: string;
  scopes: DealerScope[];
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

export const apiKeyKeys = {
  lookup: (keyHash: string): Key => ({ PK: `APIKEY#${keyHash}`, SK: 'APIKEY' }),
  record: (dealerId: string, id: string): Key => ({ PK: joinKey('DEALER', dealerId), SK: joinKey('APIKEY', id) }),
  recordPrefix: 'APIKEY#',
};

export function apiKeyLookupItem(k: ApiKeyRecord): Item {
  return {
    ...apiKeyKeys.lookup(k.keyHash),
    [ENTITY_TYPE_ATTRIBUTE]: 'ApiKeyLookup',
    id: k.id,
    dealerId: k.dealerId,
    scopes: k.scopes,
    expiresAt: k.expiresAt,
    revokedAt: k.revokedAt,
  };
}

export function apiKeyRecordItem(k: ApiKeyRecord): Item {
  return { ...apiKeyKeys.record(k.dealerId, k.id), [ENTITY_TYPE_ATTRIBUTE]: 'ApiKey', ...k };
}

export function apiKeyFromItem(item: Record<string, unknown>): ApiKeyRecord {
  return {
    id: item.id as string,
    dealerId: item.dealerId as string,
    name: item.name as string,
    prefix: item.prefix as string,
    keyHash: item.keyHash as string,
    scopes: item.scopes as DealerScope[],
    createdAt: item.createdAt as string,
    expiresAt: item.expiresAt as string | undefined,
    revokedAt: item.revokedAt as string | undefined,
    lastUsedAt: item.lastUsedAt as string | undefined,
  };
}

/** The part of a lookup item authentication needs. */
export interface ApiKeyLookup {
  id: string;
  dealerId: string;
  scopes: DealerScope[];
  expiresAt?: string;
  revokedAt?: string;
}
