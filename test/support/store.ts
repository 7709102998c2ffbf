import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { ensureTable } from '../../src/local/table-admin.js';
import { createDocumentClient } from '../../src/store/dynamo-client.js';
import type { Store } from '../../src/store/store.js';
import { createRepositories, type Repositories } from '../../src/composition.js';

export interface TestStore extends Store {
  endpoint: string;
  repos: Repositories;
  drop(): Promise<void>;
}

/**
 * A fresh table (same definition as the deployed one) in the run's DynamoDB Local, or in
 * the engine at `endpoint` (see `ownEngine`).
 */
export async function createTestStore({ doc, endpoint = inject('dynamodbEndpoint') }: { doc?: DynamoDBDocumentClient; endpoint?: string } = {}): Promise<TestStore> {
  const tableName = `paddock-test-${randomUUID().slice(0, 8)}`;
  const client = new DynamoDBClient({ endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(client, tableName);
  const documentClient = doc ?? createDocumentClient({ endpoint, region: 'eu-central-1' });
  return {
    endpoint,
    tableName,
    doc: documentClient,
    repos: createRepositories({ doc: documentClient, tableName }),
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      client.destroy();
    },
  };
}

/**
 * An engine of the test file's own. DynamoDB Local slows down as a run piles up writes;
 * the files that write thousands of items (job tests, the seed) run on their own engine so
 * they neither suffer nor cause that slowdown. Stopped by PID after the file.
 */
export function ownEngine() {
  let engine: DynamoDbLocal | undefined;
  beforeAll(async () => {
    engine = await startDynamoDbLocal();
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
  });
  return { createStore: () => createTestStore({ endpoint: engine!.endpoint }) };
}

/** Every item of one entity type in the table (a test's whole-table look; never in product code). */
export async function itemsOfType(store: Store, type: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(new ScanCommand({ TableName: store.tableName, ExclusiveStartKey: startKey, FilterExpression: 'entityType = :t', ExpressionAttributeValues: { ':t': type } }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
