import type { Page } from '../store/cursor.js';
import { badUserInput } from './errors.js';

export const MAX_PAGE_SIZE = 100;

/** `first` must be 1–100 (as GitHub's API): a larger page is refused, not silently cut. */
export function checkPageSize(first: number | null | undefined, argument = 'first'): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badUserInput(`\`${argument}\` must be between 1 and ${MAX_PAGE_SIZE}.`, argument);
  }
  return size;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * Builds a Relay connection from nodes with their own cursors. Nodes the caller may not
 * see arrive as `null` and are dropped (the cursors still move past them).
 */
export function toConnection<T>(entries: { cursor: string; node: T | null }[], hasNextPage: boolean, endCursor: string | null): Connection<T> {
  const edges = entries.filter((e): e is { cursor: string; node: T } => e.node !== null);
  return {
    edges,
    pageInfo: { hasNextPage, hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor: endCursor ?? edges.at(-1)?.cursor ?? null },
  };
}

/**
 * A page (of a repository or a service) as a connection; `nodes` may replace the items
 * (e.g. after access checks). `null` items are hidden from the caller and dropped.
 */
export function pageToConnection<T, N = T>(page: Page<T>, nodes?: (N | null)[]): Connection<NonNullable<N>> {
  const values = (nodes ?? page.items) as (NonNullable<N> | null)[];
  return toConnection(
    values.map((node, i) => ({ cursor: page.cursors[i]!, node })),
    page.hasNextPage,
    page.endCursor,
  );
}

/**
 * Pages over a small sorted list held on an item (e.g. a customer's VINs). The cursor is
 * the opaque form of the last key returned; resuming finds the first key after it.
 */
export function pageOfKeys(keys: readonly string[], first: number, after?: string | null): { keys: string[]; cursors: string[]; hasNextPage: boolean } {
  let start = 0;
  if (after) {
    // Checked before decoding, so a huge forged cursor costs nothing; keys here are short (VINs).
    const last = after.length <= 200 && /^[A-Za-z0-9_-]+$/.test(after) ? Buffer.from(after, 'base64url').toString('utf8') : '';
    if (!/^[\w#-]{1,100}$/.test(last)) throw badUserInput('The cursor is not valid for this list.', 'after');
    start = keys.findIndex((k) => k > last);
    if (start < 0) start = keys.length;
  }
  const slice = keys.slice(start, start + first);
  return { keys: slice, cursors: slice.map((k) => Buffer.from(k, 'utf8').toString('base64url')), hasNextPage: start + first < keys.length };
}
