import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Page } from '../store/cursor.js';
import { JobFailureLog } from '../store/job-failures.js';
import { outboxItem } from '../store/outbox.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { INDEXES, type Item } from '../store/table.js';
import { transactWrite } from '../store/transactions.js';
import { reminderDueIndexAttributes, vehicleKeys } from '../vehicle/vehicle.js';
import { reminderEntity, reminderGlobalKey, reminderKeys, type ReminderRecord, type ReminderStatus } from './reminder.js';

/** Maintenance reminders: created by the job, moved through their lifecycle by people. */
export class ReminderRepository {
  /** Where the reminders job lists cars it could not process. */
  readonly failures: JobFailureLog;

  constructor(private readonly store: Store) {
    this.failures = new JobFailureLog(store);
  }

  async get(vin: string, cycle: number): Promise<ReminderRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: reminderKeys.reminder(vin, cycle), ConsistentRead: true }));
    return Item ? reminderEntity.fromItem(Item) : null;
  }

  /**
   * Creates the reminder of the vehicle's current cycle, marks the cycle reminded (which
   * takes the car out of the DueForReminder index) and writes the `MaintenanceReminderDue`
   * event to the outbox — one transaction. The reminder's key is the cycle and the vehicle
   * must still be in that cycle, un-reminded: a second run, a concurrent run or a resumed
   * run can only find the work done.
   */
  async createForCycle(reminder: ReminderRecord, occurredAt: Date): Promise<'CREATED' | 'ALREADY_REMINDED'> {
    const { tableName } = this.store;
    const result = await transactWrite(this.store.doc, [
      { Put: { TableName: tableName, Item: reminderEntity.toItem(reminder), ConditionExpression: 'attribute_not_exists(PK)' } },
      {
        Update: {
          TableName: tableName,
          Key: vehicleKeys.vehicle(reminder.vin),
          // The version moves too, so a concurrent reading or visit re-reads the vehicle instead of undoing this.
          UpdateExpression: 'SET #reminded = :cycle, #version = #version + :one REMOVE #g3pk, #g3sk',
          ConditionExpression: '#cycle = :cycle AND #reminded < :cycle',
          ExpressionAttributeNames: { '#reminded': 'remindedCycle', '#cycle': 'reminderCycle', '#version': 'version', '#g3pk': reminderDueIndexAttributes[0], '#g3sk': reminderDueIndexAttributes[1] },
          ExpressionAttributeValues: { ':cycle': reminder.cycle, ':one': 1 },
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: outboxItem(
            'MaintenanceReminderDue',
            {
              reminderId: reminderGlobalKey(reminder),
              vin: reminder.vin,
              customerId: reminder.customerId,
              dealerId: reminder.dealerId,
              dueDate: reminder.dueDate,
              items: reminder.items.map((i) => i.code),
              channel: reminder.channel ?? null,
              deliverable: reminder.deliverable,
            },
            occurredAt,
          ),
        },
      },
    ]);
    return result.ok ? 'CREATED' : 'ALREADY_REMINDED';
  }

  /** One page of a shard of the DueForReminder index: cars due on or before `dueBy`. */
  async dueForReminder(shard: number, dueBy: string, limit: number, startKey?: Record<string, unknown>): Promise<{ items: Item[]; lastKey?: Record<string, unknown> }> {
    const index = INDEXES.dueForReminder;
    const result = await this.store.doc.send(
      new QueryCommand({
        TableName: this.store.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk <= :dueBy',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
        ExpressionAttributeValues: { ':pk': vehicleKeys.reminderShard(shard), ':dueBy': vehicleKeys.reminderDueBy(dueBy) },
        Limit: limit,
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return { items: (result.Items ?? []) as Item[], lastKey: result.LastEvaluatedKey };
  }

  private statusFilter(status?: ReminderStatus | null) {
    return status ? { expression: '#status = :status', names: { '#status': 'status' }, values: { ':status': status } } : undefined;
  }

  async ofVehicle(vin: string, first: number, after?: string | null, status?: ReminderStatus | null): Promise<Page<ReminderRecord>> {
    const page = await queryPage(this.store.doc, this.store.tableName, { partition: vehicleKeys.partition(vin), sortKeyPrefix: reminderKeys.prefix, first, after, newestFirst: true, filter: this.statusFilter(status) });
    return { ...page, items: page.items.map(reminderEntity.fromItem) };
  }

  async ofCustomer(customerId: string, first: number, after?: string | null, status?: ReminderStatus | null): Promise<Page<ReminderRecord>> {
    const page = await queryPage(this.store.doc, this.store.tableName, {
      index: 'byParent',
      partition: reminderKeys.customerParent(customerId),
      sortKeyPrefix: reminderKeys.customerPrefix,
      first,
      after,
      newestFirst: true,
      filter: this.statusFilter(status),
    });
    return { ...page, items: page.items.map(reminderEntity.fromItem) };
  }

  /**
   * Moves a reminder to a new status if it is still in one of `from` — so that, say, a
   * reminder completed by a visit cannot be dismissed afterwards by a stale screen.
   */
  async transition(reminder: ReminderRecord, from: readonly ReminderStatus[], to: ReminderStatus, fields: Record<string, unknown>): Promise<ReminderRecord | null> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':to': to };
    const sets = ['#status = :to'];
    Object.entries(fields).forEach(([field, value], i) => {
      names[`#f${i}`] = field;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    from.forEach((status, i) => (values[`:from${i}`] = status));
    try {
      const { Attributes } = await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: reminderKeys.reminder(reminder.vin, reminder.cycle),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? reminderEntity.fromItem(Attributes) : null;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return null;
      throw error;
    }
  }
}
