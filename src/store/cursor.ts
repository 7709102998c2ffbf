import { createHash } from 'node:crypto';

/**
 * Connection cursors wrap the key of the last item returned, which DynamoDB takes back as
 * `ExclusiveStartKey`. They are opaque to clients, and nothing in one is trusted: a cursor
 * is accepted only for the very query that issued it (same index, partition, sort-key
 * range and order — a tag of these is part of the cursor), with exactly that query's key
 * attributes, its partition, a sort key inside its range and key values DynamoDB accepts.
 * So a forged or stale cursor can only be refused (a user error), never read elsewhere
 * and never reach DynamoDB as a key it would refuse (a fault).
 */

/** The query a cursor belongs to. */
export interface CursorScope {
  /** The index queried; absent for the table. */
  indexName?: string;
  /** Attribute names of the start key: the table's keys, then the index's when one is queried. */
  keyNames: readonly string[];
  /** The queried partition-key and sort-key attributes (the index's, for an index). */
  partitionKey: string;
  sortKey: string;
  partition: string;
  sortKeyPrefix?: string;
  sortKeyFrom?: string;
  newestFirst?: boolean;
}

/** Far above any key this table writes; DynamoDB's own limit for sort keys is 1,024 bytes. */
const MAX_KEY_VALUE_BYTES = 1_024;
/** Bounds the work of decoding: four key values of the largest size, base64url-encoded, fit. */
export const MAX_CURSOR_LENGTH = 6_000;

function scopeTag(scope: CursorScope): string {
  const bound = JSON.stringify([scope.indexName ?? '', scope.partition, scope.sortKeyPrefix ?? '', scope.sortKeyFrom ?? '', scope.newestFirst ? 1 : 0]);
  return createHash('sha256').update(bound).digest('base64url').slice(0, 12);
}

/** The cursor of an item returned by the query `scope`. */
export function encodeCursor(scope: CursorScope, item: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify([scopeTag(scope), ...scope.keyNames.map((name) => item[name])]), 'utf8').toString('base64url');
}

const isKeyValue = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && Buffer.byteLength(value, 'utf8') <= MAX_KEY_VALUE_BYTES;

/**
 * The start key a cursor stands for, if it was issued by the query `scope`; `null` for
 * anything else (never throws).
 *
 * @example
 * const start = decodeCursor(args.after, scope); // { PK: 'VEH#…', SK: 'VISIT#…' } or null
 */
export function decodeCursor(cursor: string, scope: CursorScope): Record<string, string> | null {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== scope.keyNames.length + 1 || value[0] !== scopeTag(scope)) return null;
  const values = value.slice(1);
  if (!values.every(isKeyValue)) return null;
  const key = Object.fromEntries(scope.keyNames.map((name, i) => [name, values[i] as string]));
  const sortKey = key[scope.sortKey]!;
  if (key[scope.partitionKey] !== scope.partition) return null;
  if (scope.sortKeyPrefix !== undefined && !sortKey.startsWith(scope.sortKeyPrefix)) return null;
  // DynamoDB orders strings by their UTF-8 bytes, and so must this check.
  if (scope.sortKeyFrom !== undefined && Buffer.compare(Buffer.from(sortKey, 'utf8'), Buffer.from(scope.sortKeyFrom, 'utf8')) < 0) return null;
  return key;
}

/** One page of a connection, as the repositories return it. */
export interface Page<T> {
  items: T[];
  /** One cursor per item, in order: a client may resume after any edge. */
  cursors: string[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/**
 * A page not read from the table: the few items a caller may see without a query (e.g.
 * itself, under the cursor `self`), or none. There is never a next page.
 *
 * @example
 * fixedPage([{ item: self, cursor: 'self' }]) // one item; fixedPage() // empty
 */
export function fixedPage<T>(entries: readonly { item: T; cursor: string }[] = []): Page<T> {
  return { items: entries.map((e) => e.item), cursors: entries.map((e) => e.cursor), endCursor: null, hasNextPage: false };
}
