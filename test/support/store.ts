import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../src/local/table-admin.js';
import { createDocumentClient } from '../../src/store/dynamo-client.js';
import type { Store } from '../../src/store/store.js';
import { createRepositories, type Repositories } from '../../src/graphql/repositories.js';

export interface TestStore extends Store {
  endpoint: string;
  repos: Repositories;
  drop(): Promise<void>;
}

/** A fresh table (same definition as the deployed one) in the run's DynamoDB Local. */
export async function createTestStore(doc?: DynamoDBDocumentClient): Promise<TestStore> {
  const endpoint = inject('dynamodbEndpoint');
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
