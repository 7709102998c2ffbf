/**
 * The shape of Paddock's one DynamoDB table. Both the application (and its local
 * engine) and the CDK stack import this module, so the table the tests run against
 * is the table that is deployed.
 *
 * Generic key attributes let one table hold every entity; each global secondary index
 * is named after the access pattern family it serves (see the README's table).
 */
export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;

export const INDEXES = {
  /** Children by their parent: a dealer's customers and serviced vehicles by due date; a customer's visits and reminders. */
  byParent: { indexName: 'ByParent', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  /** Every item of a kind in a stable order: all customers by name, all dealers by name. */
  byCollection: { indexName: 'ByCollection', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  /**
   * Sparse: only vehicles whose current service cycle has no reminder yet, sharded and
   * sorted by predicted due date, so the reminders job reads only what it acts on.
   */
  dueForReminder: { indexName: 'DueForReminder', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
  /** Scored customers by CLV (zero-padded), for "top customers" lists with a minimum CLV. */
  byValue: { indexName: 'ByValue', partitionKey: 'GSI4PK', sortKey: 'GSI4SK' },
  /**
   * Sparse: items that need an action at a time — club points lots to warn about and to
   * expire, waitlist holds that lapse, memberships whose status is due for review — by
   * kind and shard, sorted by when. An item leaves it (or moves to its next date) when
   * acted on, so a scheduled job reads only what it acts on.
   */
  bySchedule: { indexName: 'BySchedule', partitionKey: 'GSI5PK', sortKey: 'GSI5SK' },
} as const;

export type IndexName = keyof typeof INDEXES;

/** Items that should disappear by themselves carry an epoch-seconds TTL here. */
export const TTL_ATTRIBUTE = 'ttl';

/** Every item says what it is; `fromItem` functions check it. */
export const ENTITY_TYPE_ATTRIBUTE = 'entityType';

/** Key schema and attribute definitions in the form both the SDK and CloudFormation use. */
export function tableDefinition(tableName: string) {
  const keyAttributes = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...Object.values(INDEXES).flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: Object.values(INDEXES).map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const },
  };
}

/** A table item: key attributes plus the entity's own. */
export type Item = Record<string, unknown> & { PK: string; SK: string };
export type Key = { PK: string; SK: string };
