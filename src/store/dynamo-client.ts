import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoClientOptions {
  /** Set for DynamoDB Local; absent in AWS, where the SDK finds the regional endpoint. */
  endpoint?: string;
  region: string;
}

/**
 * One document client per process (module-level in handlers), injected everywhere else.
 * Local endpoints get static dummy credentials: DynamoDB Local accepts any, and the
 * SDK must never look for real ones on a developer's machine.
 */
export function createDocumentClient({ endpoint, region }: DynamoClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 5,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
