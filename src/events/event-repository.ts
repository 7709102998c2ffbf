import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Page } from '../store/cursor.js';
import { getRecords, indexAttributes } from '../store/entity.js';
import type { Contribution } from '../store/fact-hooks.js';
import { JobFailureLog } from '../store/job-failures.js';
import { outboxItem, type PaddockEventType, type PaddockEvents } from '../store/outbox.js';
import { queryPage } from '../store/query-page.js';
import type { Store } from '../store/store.js';
import { INDEXES, type Item } from '../store/table.js';
import type { TransactItem } from '../store/transactions.js';
import { customerKeys } from '../customer/customer.js';
import {
  clubEventEntity,
  clubEventIndexes,
  ENDED_STATUSES,
  eventKeys,
  registrationEntity,
  type ClubEventRecord,
  type EventRegistrationRecord,
  type SeatCounters,
} from './event-records.js';

/** A change to an event's counters (each a signed delta) and what must still hold for it. */
export interface CounterChange extends Partial<SeatCounters> {
  capacity?: number;
}

export interface EventGuard {
  /** The event is still SCHEDULED. */
  scheduled?: boolean;
  /** At least this many seats are free (before the change). */
  seatsAtLeast?: number;
  /** Fewer than this many seats are free (a member is waitlisted only while the event is full for them). */
  seatsBelow?: number;
  /** The arrival counter is still the one read: the change takes the next number (`sequence + 1`). */
  sequence?: number;
  /** Fewer than this many registrations wait (the waitlist's bound). */
  waitlistedBelow?: number;
  /** Exactly this many registrations wait: nobody joined or left the waitlist since it was read (see `Offers.guard`). */
  waitlistedIs?: number;
  /** The capacity is still the one read (a capacity change computes its delta from it). */
  capacity?: number;
}

const COUNTERS: readonly (keyof CounterChange)[] = ['capacity', 'seatsLeft', 'confirmedSeats', 'heldSeats', 'waitlisted', 'checkedIn', 'checkedInSeats'];

/**
 * Club events and their registrations. Reads are plain; writes are transaction items the
 * services compose (with the ledger's, the value domain's and the outbox's), each
 * guarded by a condition so that a lost race is detected and read again, never applied
 * on stale data.
 */
export class EventRepository {
  /** Where the holds job lists holds it could not process. */
  readonly failures: JobFailureLog;

  constructor(readonly store: Store) {
    this.failures = new JobFailureLog(store);
  }

  get table(): string {
    return this.store.tableName;
  }

  /** One event, strongly consistent: what writes start from. */
  async get(id: string): Promise<ClubEventRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: eventKeys.event(id), ConsistentRead: true }));
    return Item ? clubEventEntity.fromItem(Item) : null;
  }

  getMany(ids: readonly string[]): Promise<Map<string, ClubEventRecord>> {
    return getRecords(this.store, clubEventEntity, eventKeys.event, ids);
  }

  /** A member's registration for an event, strongly consistent. */
  async getRegistration(eventId: string, customerId: string): Promise<EventRegistrationRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: eventKeys.registration(eventId, customerId), ConsistentRead: true }));
    return Item ? registrationEntity.fromItem(Item) : null;
  }

  /** Many registrations by `<event id>.<customer id>` (the loaders' batched read); absent ones are missing from the map. */
  getRegistrations(keys: readonly string[]): Promise<Map<string, EventRegistrationRecord>> {
    return getRecords(this.store, registrationEntity, (key) => {
      const [eventId = '', customerId = ''] = key.split('.');
      return eventKeys.registration(eventId, customerId);
    }, keys);
  }

  /** Events starting at or after `from`, soonest first: every event, or those one dealer hosts. */
  async list(first: number, after: string | null | undefined, from: string, hostDealerId?: string): Promise<Page<ClubEventRecord>> {
    const page = hostDealerId
      ? await queryPage(this.store.doc, this.table, { index: 'byParent', partition: eventKeys.hostedBy(hostDealerId), sortKeyFrom: from, first, after })
      : await queryPage(this.store.doc, this.table, { index: 'byCollection', partition: eventKeys.collection, sortKeyFrom: from, first, after });
    return { ...page, items: page.items.map(clubEventEntity.fromItem) };
  }

  /** Every registration of an event (any status), by member id. */
  async registrationsOf(eventId: string, first: number, after?: string | null): Promise<Page<EventRegistrationRecord>> {
    const page = await queryPage(this.store.doc, this.table, { partition: eventKeys.partition(eventId), sortKeyPrefix: eventKeys.registrationPrefix, first, after });
    return { ...page, items: page.items.map(registrationEntity.fromItem) };
  }

  /** The waitlist in arrival order (the sparse `EVENTWAIT` partition: only WAITLISTED registrations). */
  async waitlistOf(eventId: string, first: number, after?: string | null): Promise<Page<EventRegistrationRecord>> {
    const page = await queryPage(this.store.doc, this.table, { index: 'byCollection', partition: eventKeys.waitlist(eventId), first, after });
    return { ...page, items: page.items.map(registrationEntity.fromItem) };
  }

  /** A member's registrations, newest first. */
  async ofMember(customerId: string, first: number, after?: string | null): Promise<Page<EventRegistrationRecord>> {
    const page = await queryPage(this.store.doc, this.table, { index: 'byParent', partition: customerKeys.partition(customerId), sortKeyPrefix: eventKeys.registrationPrefix, first, after, newestFirst: true });
    return { ...page, items: page.items.map(registrationEntity.fromItem) };
  }

  /** One page of the holds of a shard that are due at `now` (sparse `bySchedule`: only OFFERED registrations). */
  async dueHolds(shard: number, now: string, limit: number, startKey?: Record<string, unknown>): Promise<{ items: Item[]; lastKey?: Record<string, unknown> }> {
    const index = INDEXES.bySchedule;
    const result = await this.store.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk <= :due',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
        ExpressionAttributeValues: { ':pk': eventKeys.holdShard(shard), ':due': eventKeys.holdsDueBy(now) },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return { items: (result.Items ?? []) as Item[], lastKey: result.LastEvaluatedKey };
  }

  /** A new event; fails only if its (fresh) id exists. */
  created(event: ClubEventRecord): TransactItem {
    return { Put: { TableName: this.table, Item: clubEventEntity.toItem(event), ConditionExpression: 'attribute_not_exists(PK)' } };
  }

  /**
   * A registration written as `after`: new (no item, or one that ended — a member may
   * register again after cancelling), or a transition from the version read.
   */
  registrationWrite(after: EventRegistrationRecord, before: EventRegistrationRecord | null): TransactItem {
    const Item = registrationEntity.toItem(after);
    if (!before) return { Put: { TableName: this.table, Item, ConditionExpression: 'attribute_not_exists(PK)' } };
    return {
      Put: {
        TableName: this.table,
        Item,
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': before.version },
      },
    };
  }

  /**
   * The event's counters moved by `change` (signed deltas), with field changes (`set`,
   * index keys following a new start), under `guard`. DynamoDB conditions compare but do
   * not add, which is why the free seats are an attribute of their own (`seatsLeft`).
   */
  eventUpdate(eventId: string, change: CounterChange, guard: EventGuard = {}, set: Partial<ClubEventRecord> = {}): TransactItem {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const adds: string[] = [];
    const sets: string[] = [];
    const conditions = ['attribute_exists(PK)'];
    for (const counter of COUNTERS) {
      const delta = change[counter];
      if (!delta) continue;
      names[`#${counter}`] = counter;
      values[`:${counter}`] = delta;
      adds.push(`#${counter} :${counter}`);
    }
    Object.entries(set).forEach(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      sets.push(`#s${i} = :s${i}`);
    });
    if (set.startsAt) {
      const moved = indexAttributes(clubEventIndexes({ id: eventId, startsAt: set.startsAt, hostDealerId: set.hostDealerId }));
      Object.entries(moved).forEach(([name, value], i) => {
        names[`#i${i}`] = name;
        values[`:i${i}`] = value;
        sets.push(`#i${i} = :i${i}`);
      });
    }
    if (guard.scheduled) {
      names['#status'] = 'status';
      values[':scheduled'] = 'SCHEDULED';
      conditions.push('#status = :scheduled');
    }
    if (guard.seatsAtLeast !== undefined || guard.seatsBelow !== undefined) names['#free'] = 'seatsLeft';
    if (guard.seatsAtLeast !== undefined) {
      values[':atLeast'] = guard.seatsAtLeast;
      conditions.push('#free >= :atLeast');
    }
    if (guard.seatsBelow !== undefined) {
      values[':below'] = guard.seatsBelow;
      conditions.push('#free < :below');
    }
    if (guard.sequence !== undefined) {
      names['#seq'] = 'sequence';
      values[':seqRead'] = guard.sequence;
      values[':seqNext'] = guard.sequence + 1;
      conditions.push('#seq = :seqRead');
      sets.push('#seq = :seqNext');
    }
    if (guard.waitlistedBelow !== undefined || guard.waitlistedIs !== undefined) names['#waiting'] = 'waitlisted';
    if (guard.waitlistedBelow !== undefined) {
      values[':waitBound'] = guard.waitlistedBelow;
      conditions.push('#waiting < :waitBound');
    }
    if (guard.waitlistedIs !== undefined) {
      values[':waitRead'] = guard.waitlistedIs;
      conditions.push('#waiting = :waitRead');
    }
    if (guard.capacity !== undefined) {
      names['#cap'] = 'capacity';
      values[':capRead'] = guard.capacity;
      conditions.push('#cap = :capRead');
    }
    const update = [sets.length ? `SET ${sets.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : ''].filter(Boolean).join(' ');
    const key = eventKeys.event(eventId);
    const common = { TableName: this.table, Key: key, ConditionExpression: conditions.join(' AND '), ExpressionAttributeNames: names, ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}) };
    if (!update) return { ConditionCheck: common };
    return { Update: { ...common, UpdateExpression: update } };
  }

  /** An outbox event in the same transaction as the change it reports. */
  outbox<E extends PaddockEventType>(type: E, detail: PaddockEvents[E], at: Date): Contribution {
    return { item: { Put: { TableName: this.table, Item: outboxItem(type, detail, at) } } };
  }
}

/** Whether a registration still holds a place (a seat, a hold, or a place in the queue). */
export const isActive = (r: EventRegistrationRecord) => !ENDED_STATUSES.includes(r.status);
