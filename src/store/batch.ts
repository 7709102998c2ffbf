import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PaddockError } from '../shared/errors.js';
import { backoffDelayMs, sleep } from './retry.js';
import type { Item, Key } from './table.js';

const MAX_GET_KEYS = 100; // BatchGetItem's limit per call
const MAX_WRITE_ITEMS = 25; // BatchWriteItem's limit per call
const MAX_ATTEMPTS = 8;

function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}

const keyString = (key: Key) => `${key.PK}\u0000${key.SK}`;

/**
 * Reads many items in as few round trips as DynamoDB allows: 100 keys a call, and the
 * keys DynamoDB leaves unprocessed (throttling, 16 MB responses) retried with backoff.
 * Returns a map keyed by `PK\0SK`; absent items are simply missing from it.
 */
export async function batchGetItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Key[],
  { consistentRead = false }: { consistentRead?: boolean } = {},
): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  const unique = [...new Map(keys.map((k) => [keyString(k), { PK: k.PK, SK: k.SK }])).values()];
  for (const group of chunk(unique, MAX_GET_KEYS)) {
    let pending: Key[] = group;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new PaddockError(`BatchGetItem left ${pending.length} keys unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) await sleep(backoffDelayMs(attempt));
      const result = await doc.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistentRead } } }),
      );
      for (const item of (result.Responses?.[tableName] ?? []) as Item[]) found.set(keyString(item), item);
      pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
    }
  }
  return found;
}

export function itemMapKey(key: Key): string {
  return keyString(key);
}

/** Writes many items (seeding, imports), 25 a call, retrying unprocessed items with backoff. */
export async function batchPutItems(doc: DynamoDBDocumentClient, tableName: string, items: readonly Item[]): Promise<void> {
  for (const group of chunk(items, MAX_WRITE_ITEMS)) {
    let pending = group.map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new PaddockError(`BatchWriteItem left ${pending.length} items unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) await sleep(backoffDelayMs(attempt));
      const result = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
}
