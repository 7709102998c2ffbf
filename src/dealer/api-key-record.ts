import { defineEntity, field, readItem, type Field } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import { dealerKeys } from './dealer.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item, type Key } from '../store/table.js';
import type { DealerScope } from '../auth/api-key.js';
import { KEY_PART, keyShape, nodeKey } from '../shared/ids.js';

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

const API_KEY = 'APIKEY';

export const apiKeyKeys = {
  lookup: (keyHash: string): Key => ({ PK: `${API_KEY}#${keyHash}`, SK: API_KEY }),
  record: (dealerId: string, id: string): Key => ({ PK: dealerKeys.parent(dealerId), SK: joinKey(API_KEY, id) }),
  recordPrefix: `${API_KEY}#`,
};

const scopesField = field.listOf(field.string) as Field<DealerScope[]>;

export const apiKeyRecordEntity = defineEntity<ApiKeyRecord>({
  name: 'ApiKey',
  example: () => ({ id: '01JAPIKEY00000000000000000', dealerId: '01JDEALER00000000000000000', name: 'DMS', prefix: 'pdk_3fK9Qa', keyHash: 'b'.repeat(64), scopes: ['customers:read', 'vehicles:read'], createdAt: '2026-03-01T09:30:00.000Z' }),
  key: (k) => apiKeyKeys.record(k.dealerId, k.id),
  fields: {
    id: field.string,
    dealerId: field.string,
    name: field.string,
    prefix: field.string,
    keyHash: field.string,
    scopes: scopesField,
    createdAt: field.string,
    expiresAt: field.optional(field.string),
    revokedAt: field.optional(field.string),
    lastUsedAt: field.optional(field.string),
  },
});

const LOOKUP_ENTITY = 'ApiKeyLookup';

/** The lookup item carries only what authentication needs, so the hot read stays small. */
export function apiKeyLookupItem(k: ApiKeyRecord): Item {
  return { ...apiKeyKeys.lookup(k.keyHash), [ENTITY_TYPE_ATTRIBUTE]: LOOKUP_ENTITY, id: k.id, dealerId: k.dealerId, scopes: k.scopes, expiresAt: k.expiresAt, revokedAt: k.revokedAt };
}

export function apiKeyLookupFromItem(item: Record<string, unknown>): ApiKeyLookup {
  return readItem<ApiKeyLookup>(LOOKUP_ENTITY, { id: field.string, dealerId: field.string, scopes: scopesField, expiresAt: field.optional(field.string), revokedAt: field.optional(field.string) }, item);
}

/** The part of a lookup item authentication needs. */
export interface ApiKeyLookup {
  id: string;
  dealerId: string;
  scopes: DealerScope[];
  expiresAt?: string;
  revokedAt?: string;
}

/** `DealerApiKey` global ids: `<dealer ULID>/<key ULID>`. */
export const DEALER_API_KEY_NODE = nodeKey('DealerApiKey', keyShape(KEY_PART.ulid, '/', KEY_PART.ulid));
