import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Page } from '../store/cursor.js';
import { JobFailureLog } from '../store/job-failures.js';
import { outboxItem } from '../store/outbox.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { INDEXES, type Item } from '../store/table.js';
import { transactWrite, type TransactItem } from '../store/transactions.js';
import { reminderDueIndexAttributes, vehicleKeys } from '../vehicle/vehicle.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import type { OdometerReadingRequested } from './reading-request.js';
import { reminderEntity, reminderGlobalKey, reminderKeys, type MaintenanceReminderDue, type ReminderRecord, type ReminderStatus } from './reminder.js';

/** What a reminder's events say about it. */
function reminderDetail(reminder: ReminderRecord): MaintenanceReminderDue {
  return {
    reminderId: reminderGlobalKey(reminder),
    vin: reminder.vin,
    customerId: reminder.customerId,
    dealerId: reminder.dealerId,
    dueDate: reminder.dueDate,
    items: reminder.items.map((i) => i.code),
    channel: reminder.channel ?? null,
    deliverable: reminder.deliverable,
  };
}

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
          Item: outboxItem('MaintenanceReminderDue', reminderDetail(reminder), occurredAt),
        },
      },
    ]);
    return result.ok ? 'CREATED' : 'ALREADY_REMINDED';
  }

  /**
   * The items that bring a reminder forward (`before` as read, `after` as `broughtForward`
   * made it): the reminder updated in place — the same item, so an owner never holds two
   * reminders for one cycle — under the status and revision it was read in, and its
   * `MaintenanceReminderUpdated` event. Written in the transaction of the readings that
   * moved the date; if the owner acknowledges, books or dismisses it meanwhile, the
   * condition fails and the writer reads everything again.
   */
  broughtForwardItems(before: ReminderRecord, after: ReminderRecord, occurredAt: Date): TransactItem[] {
    const revision = before.revision ?? 1;
    return [
      {
        Update: {
          TableName: this.store.tableName,
          Key: reminderKeys.reminder(before.vin, before.cycle),
          UpdateExpression: 'SET #dueDate = :dueDate, #items = :items, #revision = :revision, #updatedAt = :updatedAt',
          // Reminders made before revisions have none: they are revision 1.
          ConditionExpression: `#status = :status AND ${revision === 1 ? '(attribute_not_exists(#revision) OR #revision = :read)' : '#revision = :read'}`,
          ExpressionAttributeNames: { '#dueDate': 'dueDate', '#items': 'items', '#revision': 'revision', '#updatedAt': 'updatedAt', '#status': 'status' },
          ExpressionAttributeValues: { ':dueDate': after.dueDate, ':items': after.items, ':revision': after.revision, ':updatedAt': after.updatedAt, ':status': before.status, ':read': revision },
        },
      },
      {
        Put: {
          TableName: this.store.tableName,
          Item: outboxItem('MaintenanceReminderUpdated', { ...reminderDetail(after), previousDueDate: before.dueDate, revision: after.revision ?? revision + 1 }, occurredAt),
        },
      },
    ];
  }

  /**
   * Marks the car's cycle as asked for a reading and writes `OdometerReadingRequested` —
   * one transaction, under conditions that make it happen at most once per cycle: the car
   * must be as it was read (its version), still in that cycle, and not asked in it. A
   * second run, a concurrent run or a retry finds the work done.
   *
   * An Update, not a Put of the whole car: it must not carry a stale copy of anything else.
   * It moves the version although it touches one attribute: the car's other writers (a
   * reading, a visit, a transfer) Put the whole item under a version condition, and one
   * that read the car before this update would otherwise pass its condition and write the
   * car back without `readingRequestedCycle` — and the owner could be asked twice. With the
   * version moved, that writer re-reads and keeps it (one retry, as after a reminder).
   */
  async requestReading(vehicle: VehicleRecord, request: OdometerReadingRequested, occurredAt: Date): Promise<'REQUESTED' | 'ALREADY_REQUESTED'> {
    const { tableName } = this.store;
    const result = await transactWrite(this.store.doc, [
      {
        Update: {
          TableName: tableName,
          Key: vehicleKeys.vehicle(vehicle.vin),
          UpdateExpression: 'SET #requested = :cycle, #version = #version + :one',
          ConditionExpression: '#version = :version AND #cycle = :cycle AND (attribute_not_exists(#requested) OR #requested <> :cycle)',
          ExpressionAttributeNames: { '#requested': 'readingRequestedCycle', '#cycle': 'reminderCycle', '#version': 'version' },
          ExpressionAttributeValues: { ':cycle': request.cycle, ':version': vehicle.version, ':one': 1 },
        },
      },
      { Put: { TableName: tableName, Item: outboxItem('OdometerReadingRequested', request, occurredAt) } },
    ]);
    return result.ok ? 'REQUESTED' : 'ALREADY_REQUESTED';
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

  /**
   * One page of a shard's cars whose reminder anchor lies in (`after`, `upTo`] — the
   * reading-request lead — leaving out, in the query, those already asked this cycle or
   * read since `staleBefore` (they are read but not returned: the job parses and decides
   * only what it may act on).
   */
  async readingCandidates(shard: number, after: string, upTo: string, staleBefore: string, limit: number, startKey?: Record<string, unknown>): Promise<{ items: Item[]; lastKey?: Record<string, unknown> }> {
    const index = INDEXES.dueForReminder;
    const result = await this.store.doc.send(
      new QueryCommand({
        TableName: this.store.tableName,
        IndexName: index.indexName,
        // reminderDueBy(day) sorts after every car due that day: the range starts after `after`.
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        FilterExpression: '(attribute_not_exists(#requested) OR #requested <> #cycle) AND #readAt < :staleBefore',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey, '#requested': 'readingRequestedCycle', '#cycle': 'reminderCycle', '#readAt': 'odometerReadAt' },
        ExpressionAttributeValues: { ':pk': vehicleKeys.reminderShard(shard), ':from': vehicleKeys.reminderDueBy(after), ':to': vehicleKeys.reminderDueBy(upTo), ':staleBefore': staleBefore },
        Limit: limit,
        ExclusiveStartKey: startKey,
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
