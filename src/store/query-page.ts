import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { PaddockError } from '../shared/errors.js';
import { decodeCursor, encodeCursor, type Page } from './cursor.js';
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
 * `LastEvaluatedKey`, which may lie past items a filter skipped). A cursor from
 * another partition is rejected, so cursors cannot be used to read elsewhere.
 */
export async function queryPage(doc: DynamoDBDocumentClient, tableName: string, query: PageQuery): Promise<Page<Item>> {
  const keys = query.index ? INDEXES[query.index] : { partitionKey: TABLE_KEYS.partitionKey, sortKey: TABLE_KEYS.sortKey };
  let startKey: Record<string, string> | undefined;
  if (query.after) {
    const decoded = decodeCursor(query.after);
    if (!decoded || decoded[keys.partitionKey] !== query.partition) throw new InvalidCursorError();
    startKey = decoded;
  }

  const names: Record<string, string> = { '#pk': keys.partitionKey, ...query.filter?.names };
  const values: Record<string, unknown> = { ':pk': query.partition, ...query.filter?.values };
  let keyCondition = '#pk = :pk';
  if (query.sortKeyPrefix) {
    names['#sk'] = keys.sortKey;
    values[':skPrefix'] = query.sortKeyPrefix;
    keyCondition += ' AND begins_with(#sk, :skPrefix)';
  } else if (query.sortKeyFrom) {
    names['#sk'] = keys.sortKey;
    values[':skFrom'] = query.sortKeyFrom;
    keyCondition += ' AND #sk >= :skFrom';
  }

  const wanted = query.first + 1;
  const collected: Item[] = [];
  do {
    const input: QueryCommandInput = {
      TableName: tableName,
      IndexName: query.index ? INDEXES[query.index].indexName : undefined,
      KeyConditionExpression: keyCondition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: !query.newestFirst,
      ExclusiveStartKey: startKey,
      // Without a filter one call returns exactly what we need; with one, read wider pages.
      Limit: query.filter ? Math.max(wanted, 200) : wanted - collected.length,
      FilterExpression: query.filter?.expression,
    };
    const result = await doc.send(new QueryCommand(input));
    collected.push(...((result.Items ?? []) as Item[]));
    startKey = result.LastEvaluatedKey as Record<string, string> | undefined;
  } while (collected.length < wanted && startKey);

  const items = collected.slice(0, query.first);
  const cursorOf = (item: Item) => {
    const key: Record<string, unknown> = { PK: item.PK, SK: item.SK };
    if (query.index) {
      key[keys.partitionKey] = item[keys.partitionKey];
      key[keys.sortKey] = item[keys.sortKey];
    }
    return encodeCursor(key);
  };
  const cursors = items.map(cursorOf);
  return { items, cursors, hasNextPage: collected.length > query.first, endCursor: cursors.at(-1) ?? null };
}
