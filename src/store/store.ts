import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What every repository needs: the injected client and the table's name. */
export interface Store {
  doc: DynamoDBDocumentClient;
  tableName: string;
}
