import type { Key } from './table.js';

/**
 * Connection cursors wrap DynamoDB's `LastEvaluatedKey`. They are opaque (base64url
 * JSON) and validated on the way back in: a forged cursor can only fail, never read
 * outside the partition the query names, because the partition comes from the query.
 */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): (Key & Record<string, string>) | null {
  if (cursor.length > 1_000 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const entries = Object.entries(value);
    if (entries.length === 0 || entries.length > 4 || !entries.every(([, v]) => typeof v === 'string')) return null;
    const record = value as Record<string, string>;
    return typeof record.PK === 'string' && typeof record.SK === 'string' ? (record as Key & Record<string, string>) : null;
  } catch {
    return null;
  }
}

/** One page of a connection, as the repositories return it. */
export interface Page<T> {
  items: T[];
  /** One cursor per item, in order: a client may resume after any edge. */
  cursors: string[];
  endCursor: string | null;
  hasNextPage: boolean;
}
