import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { PaddockError } from '../shared/errors.js';
import { decodeCursor, encodeCursor, type CursorScope, type Page } from './cursor.js';
import { INDEXES, TABLE_KEYS, type IndexName, type Item } from './table.js';

export class InvalidCursorError extends PaddockError {
  constructor() {
    super('The cursor is not valid for this list.');
    this.name = 'InvalidCursorError';
  }
}

export interface PageQuery {
  index?: IndexName;
  partition: string;
  sortKeyPrefix?: string;
  /** Only sort keys at or above this value (with `newestFirst`, the list stops there). */
  sortKeyFrom?: string;
  first: number;
  after?: string | null;
  newestFirst?: boolean;
  /** Optional filter applied by DynamoDB after reading; pages keep reading until `first` items pass it. */
  filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
}

/**
 * One page of a Relay connection over a single partition (of the table or an index).
 *
 * It reads one item past the page to know `hasNextPage` without a second request,
 * and builds the cursor from the last item *returned* (not from DynamoDB's
 * `LastEvaluatedKey`, which may lie past items a filter skipped). A cursor is accepted
 * only for the query that issued it (see `decodeCursor`); anything else is an
 * `InvalidCursorError`, which the API answers as BAD_USER_INPUT on `after`.
 */
/**
 * DynamoDB calls one page may make. A filtered list keeps reading until `first` items
 * match; without a bound, a filter that matches nothing read the whole collection in one
 * request (linear in the brand's size). With it, a page costs at most this many reads
 * (each ≤ 200 items or 1 MB) and may hold fewer than `first` edges with `hasNextPage`.
 */
export const MAX_READS_PER_PAGE = 5;

export async function queryPage(doc: DynamoDBDocumentClient, tableName: string, query: PageQuery): Promise<Page<Item>> {
  const keys = query.index ? INDEXES[query.index] : { partitionKey: TABLE_KEYS.partitionKey, sortKey: TABLE_KEYS.sortKey };
  const scope: CursorScope = {
    indexName: query.index ? INDEXES[query.index].indexName : undefined,
    keyNames: query.index ? [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, keys.partitionKey, keys.sortKey] : [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey],
    partitionKey: keys.partitionKey,
    sortKey: keys.sortKey,
    partition: query.partition,
    // Exactly the range the key condition below reads: a prefix wins over a lower bound.
    sortKeyPrefix: query.sortKeyPrefix || undefined,
    sortKeyFrom: query.sortKeyPrefix ? undefined : query.sortKeyFrom || undefined,
    newestFirst: query.newestFirst,
  };
  let startKey: Record<string, string> | undefined;
  if (query.after) {
    startKey = decodeCursor(query.after, scope) ?? undefined;
    if (!startKey) throw new InvalidCursorError();
  }
  const fromCursor = startKey !== undefined;

  const names: Record<string, string> = { '#pk': keys.partitionKey, ...query.filter?.names };
  const values: Record<string, unknown> = { ':pk': query.partition, ...query.filter?.values };
  let keyCondition = '#pk = :pk';
  if (scope.sortKeyPrefix) {
    names['#sk'] = keys.sortKey;
    values[':skPrefix'] = scope.sortKeyPrefix;
    keyCondition += ' AND begins_with(#sk, :skPrefix)';
  } else if (scope.sortKeyFrom) {
    names['#sk'] = keys.sortKey;
    values[':skFrom'] = scope.sortKeyFrom;
    keyCondition += ' AND #sk >= :skFrom';
  }

  const wanted = query.first + 1;
  const collected: Item[] = [];
  let firstCall = true;
  let calls = 0;
  do {
    const input: QueryCommandInput = {
      TableName: tableName,
      IndexName: scope.indexName,
      KeyConditionExpression: keyCondition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: !query.newestFirst,
      ExclusiveStartKey: startKey,
      // Without a filter one call returns exactly what we need; with one, read wider pages.
      Limit: query.filter ? Math.max(wanted, 200) : wanted - collected.length,
      FilterExpression: query.filter?.expression,
    };
    let result;
    try {
      result = await doc.send(new QueryCommand(input));
    } catch (error) {
      // Defence in depth: should DynamoDB still refuse a start key that came from a client, that is the client's cursor, not a fault.
      if (firstCall && fromCursor && error instanceof Error && error.name === 'ValidationException') throw new InvalidCursorError();
      throw error;
    }
    firstCall = false;
    calls++;
    collected.push(...((result.Items ?? []) as Item[]));
    startKey = result.LastEvaluatedKey as Record<string, string> | undefined;
  } while (collected.length < wanted && startKey && calls < MAX_READS_PER_PAGE);

  const items = collected.slice(0, query.first);
  const cursors = items.map((item) => encodeCursor(scope, item));
  if (collected.length < wanted && startKey) {
    // Read budget spent before the page filled (a filter that matches little): answer what
    // was found, and let the next page resume where the reading stopped, not after the
    // last match — the items in between were read and did not match.
    return { items, cursors, hasNextPage: true, endCursor: encodeCursor(scope, startKey) };
  }
  return { items, cursors, hasNextPage: collected.length > query.first, endCursor: cursors.at(-1) ?? null };
}

/**
 * The newest items of one kind in a partition (sort keys `<prefix>…` that sort by time),
 * strongly consistent, at most `limit`, newest first: what a write recomputes from.
 */
export async function newestItems(doc: DynamoDBDocumentClient, tableName: string, partition: string, prefix: string, limit: number): Promise<Item[]> {
  const { Items = [] } = await doc.send(
    new QueryCommand({
      TableName: tableName,
      ConsistentRead: true,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#sk': TABLE_KEYS.sortKey },
      ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return Items as Item[];
}
