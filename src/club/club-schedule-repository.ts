import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../shared/ids.js';
import { indexAttributes } from '../store/entity.js';
import { JobFailureLog } from '../store/job-failures.js';
import { outboxItem } from '../store/outbox.js';
import type { Store } from '../store/store.js';
import { INDEXES, type Item } from '../store/table.js';
import { transactWrite, type TransactItem } from '../store/transactions.js';
import { clubKeys, ledgerEntryEntity, lotEntity, lotScheduleKeys, membershipEntity, type LedgerEntryRecord, type LotRecord, type MembershipRecord } from './club-records.js';
import type { PointsExpiring } from './club-outbox.js';
import { lotDueOn, relevel } from './ledger.js';
import { membershipUpdate, statusChange } from './ledger-repository.js';
import { CLUB_RULES, type ClubRules } from './rules.js';

const SCHEDULE = INDEXES.bySchedule;

/**
 * The club's timed work in the sparse `BySchedule` index: lots at their warning day, then
 * at their expiry day; memberships at their level review day. Every write here is
 * conditioned on the state it was decided on, and takes the item out of the range it was
 * found in (or out of the index), so a rerun or a concurrent run finds nothing twice.
 */
export class ClubScheduleRepository {
  /** Items the club job could not process (see `store/job-failures.ts`). */
  readonly failures: JobFailureLog;

  constructor(
    private readonly store: Store,
    readonly rules: ClubRules = CLUB_RULES,
  ) {
    this.failures = new JobFailureLog(store);
  }

  private get table() {
    return this.store.tableName;
  }

  /** One page of a kind's shard, due on or before `today`, with the items it read. */
  async due(kind: 'LOT' | 'LEVEL', shard: number, today: string, limit: number, startKey?: Record<string, unknown>): Promise<{ items: Item[]; read: number; lastKey?: Record<string, unknown> }> {
    const result = await this.store.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: SCHEDULE.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk <= :dueBy',
        ExpressionAttributeNames: { '#pk': SCHEDULE.partitionKey, '#sk': SCHEDULE.sortKey },
        ExpressionAttributeValues: { ':pk': clubKeys.schedulePartition(kind, shard), ':dueBy': `${today}#\uffff` },
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    return { items: (result.Items ?? []) as Item[], read: result.ScannedCount ?? result.Items?.length ?? 0, lastKey: result.LastEvaluatedKey };
  }

  /** A lot read again after a lost condition (consistent). */
  async getLot(lot: Pick<LotRecord, 'customerId' | 'expiresOn' | 'id'>): Promise<LotRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: clubKeys.lot(lot.customerId, lot.expiresOn, lot.id), ConsistentRead: true }));
    return Item ? lotEntity.fromItem(Item) : null;
  }

  /** A membership read again after a lost condition (consistent). */
  async getMembership(customerId: string): Promise<MembershipRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: clubKeys.membership(customerId), ConsistentRead: true }));
    return Item ? membershipEntity.fromItem(Item) : null;
  }

  /** Writes one job step; false when its condition failed (the item changed: read it again and decide again). */
  private async write(items: TransactItem[]): Promise<boolean> {
    return (await transactWrite(this.store.doc, items)).ok;
  }

  /** `PointsExpiring` for the points the lot holds, once (warned false → true), and the lot moves to its expiry day. */
  warnLot(lot: LotRecord, at: Date): Promise<boolean> {
    const after: LotRecord = { ...lot, warned: true };
    const schedule = indexAttributes(lotScheduleKeys(after, lotDueOn(after, this.rules)));
    const detail: PointsExpiring = { customerId: lot.customerId, lotId: lot.id, points: lot.remaining, expiresOn: lot.expiresOn };
    return this.write([
      {
        Update: {
          TableName: this.table,
          Key: clubKeys.lot(lot.customerId, lot.expiresOn, lot.id),
          UpdateExpression: 'SET #warned = :true, #gsk = :gsk',
          ConditionExpression: '#warned = :false AND #remaining = :r AND attribute_not_exists(#expiredAt)',
          ExpressionAttributeNames: { '#warned': 'warned', '#remaining': 'remaining', '#expiredAt': 'expiredAt', '#gsk': SCHEDULE.sortKey },
          ExpressionAttributeValues: { ':true': true, ':false': false, ':r': lot.remaining, ':gsk': schedule[SCHEDULE.sortKey] },
        },
      },
      { Put: { TableName: this.table, Item: outboxItem('PointsExpiring', detail, at) } },
    ]);
  }

  /**
   * The EXPIRY entry for what the lot still holds, the lot marked expired (out of the
   * index) and the membership's balance and expired total — only if the lot still holds
   * exactly what was read and was not expired yet, so it happens once.
   */
  expireLot(lot: LotRecord, at: Date): Promise<boolean> {
    const when = at.toISOString();
    const entry: LedgerEntryRecord = {
      customerId: lot.customerId,
      id: newId(),
      kind: 'EXPIRY',
      points: -lot.remaining,
      at: when,
      rulesVersion: this.rules.version,
      source: lot.source,
      draws: [{ lotId: lot.id, expiresOn: lot.expiresOn, points: lot.remaining }],
    };
    return this.write([
      {
        Update: {
          TableName: this.table,
          Key: clubKeys.lot(lot.customerId, lot.expiresOn, lot.id),
          UpdateExpression: 'SET #remaining = :zero, #expiredAt = :at, #warned = :true REMOVE #gpk, #gsk',
          ConditionExpression: '#remaining = :r AND attribute_not_exists(#expiredAt)',
          ExpressionAttributeNames: { '#remaining': 'remaining', '#expiredAt': 'expiredAt', '#warned': 'warned', '#gpk': SCHEDULE.partitionKey, '#gsk': SCHEDULE.sortKey },
          ExpressionAttributeValues: { ':zero': 0, ':at': when, ':true': true, ':r': lot.remaining },
        },
      },
      { Put: { TableName: this.table, Item: ledgerEntryEntity.toItem(entry), ConditionExpression: 'attribute_not_exists(PK)' } },
      {
        // Expiry continues after a member left: no status condition, and no version (it only takes points out of lots).
        Update: {
          TableName: this.table,
          Key: clubKeys.membership(lot.customerId),
          UpdateExpression: 'ADD #balance :minus, #expiredTotal :r',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#balance': 'balance', '#expiredTotal': 'expiredTotal' },
          ExpressionAttributeValues: { ':minus': -lot.remaining, ':r': lot.remaining },
        },
      },
    ]);
  }

  /** An empty or expired lot leaves the index (emptied by partial draws that raced). */
  dropLot(lot: LotRecord): Promise<boolean> {
    return this.write([
      {
        Update: {
          TableName: this.table,
          Key: clubKeys.lot(lot.customerId, lot.expiresOn, lot.id),
          UpdateExpression: 'REMOVE #gpk, #gsk',
          ConditionExpression: '#remaining <= :zero OR attribute_exists(#expiredAt)',
          ExpressionAttributeNames: { '#remaining': 'remaining', '#expiredAt': 'expiredAt', '#gpk': SCHEDULE.partitionKey, '#gsk': SCHEDULE.sortKey },
          ExpressionAttributeValues: { ':zero': 0 },
        },
      },
    ]);
  }

  /** A lot found under a day that is not its next action's (a return raced the warning) moves to the right one. */
  moveLot(lot: LotRecord): Promise<boolean> {
    const schedule = indexAttributes(lotScheduleKeys(lot, lotDueOn(lot, this.rules)));
    return this.write([
      {
        Update: {
          TableName: this.table,
          Key: clubKeys.lot(lot.customerId, lot.expiresOn, lot.id),
          UpdateExpression: 'SET #gsk = :gsk',
          ConditionExpression: '#warned = :warned AND attribute_not_exists(#expiredAt)',
          ExpressionAttributeNames: { '#warned': 'warned', '#expiredAt': 'expiredAt', '#gsk': SCHEDULE.sortKey },
          ExpressionAttributeValues: { ':warned': lot.warned, ':gsk': schedule[SCHEDULE.sortKey] },
        },
      },
    ]);
  }

  /**
   * The level as of `at` (months that left the window no longer count), the next review
   * day (or out of the index), and `ClubStatusChanged` when the level moved — conditioned
   * on the version read. Returns the membership after, or null when it changed meanwhile.
   */
  async reviewLevel(m: MembershipRecord, at: Date): Promise<MembershipRecord | null> {
    const when = at.toISOString();
    const after: MembershipRecord = { ...m, ...relevel(m, m.qualifying, when, this.rules), version: m.version + 1 };
    const ok = await this.write([membershipUpdate(this.table, m, after, {}, 'version'), ...statusChange(this.table, m, after, 'REVIEW', when, this.rules)]);
    return ok ? after : null;
  }
}
