import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Author } from '../auth/policies.js';
import { customerKeys } from '../customer/customer.js';
import { InvariantError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { batchGetItems, itemMapKey } from '../store/batch.js';
import type { Page } from '../store/cursor.js';
import { getRecords, indexAttributes } from '../store/entity.js';
import { explainFailures, writeContributions, type Contribution, type Refusal } from '../store/fact-hooks.js';
import { outboxItem } from '../store/outbox.js';
import { queryPage } from '../store/query-page.js';
import { backoffDelayMs, sleep } from '../store/retry.js';
import type { Store } from '../store/store.js';
import { INDEXES, type Key } from '../store/table.js';
import type { TransactItem } from '../store/transactions.js';
import {
  accrualMarkerEntity,
  clubKeys,
  ledgerEntryEntity,
  lotEntity,
  lotScheduleKeys,
  membershipEntity,
  membershipScheduleKeys,
  memberNumberCounterEntity,
  MAX_MEMBERSHIP_GAPS,
  redemptionReturnEntity,
  type AccrualMarkerRecord,
  type AccrualSourceRef,
  type LedgerEntryRecord,
  type LotDraw,
  type LotRecord,
  type MembershipRecord,
  type TermsConsent,
} from './club-records.js';
import type { ClubStatusChanged } from './club-outbox.js';
import { availableFromFor, balanceOf, expiresOnFor, isLive, lotDueOn, monthOf, multiplied, planDraws, qualifyingPointsAt, relevel, settleOwed } from './ledger.js';
import { CLUB_RULES, levelRule, type ClubRules } from './rules.js';

/**
 * The club's ledger in DynamoDB: memberships, lots, entries and accrual markers, all in the
 * member's partition. Every write is one transaction with conditions that keep the four
 * invariants of `club-records.ts` under any concurrency:
 *
 * - spending takes from lots with `remaining >= :d` (or `= :d` when it empties one), so no
 *   lot goes below zero and nothing is sold twice; the membership only ADDs to `balance`;
 * - every write that puts points into lots ADDs to the membership's `credits`; the writes
 *   that make points owed or rewrite the membership (reversals, negative adjustments,
 *   join/leave, level changes and reviews) are conditioned on `version` and `credits` as
 *   read, so "owed > 0 only while every lot is empty" holds: they decided on every lot;
 * - a write that settles a debt is conditioned on `owed` as read;
 * - the usual accrual only ADDs (balance, this month's qualifying points) under the version
 *   and a bound on the month's points, so concurrent accruals of one member do not take
 *   turns, and the one that crosses a level threshold is decided again on a fresh read;
 * - an accrual is one marker per source document (`attribute_not_exists`), a return one
 *   marker per redemption, a reversal sets the accrual marker's `reversedBy` once.
 *
 * A lost condition is read again and decided again (bounded attempts with backoff); a
 * caller's own items (`extra`) that refuse are its answer.
 */
/** Attempts of one ledger write that keeps losing to concurrent writes on the same member, re-reading each time. */
const MAX_ATTEMPTS = 40;

/** A refusal of a ledger operation the caller can fix, by reason. */
export type LedgerRefusalReason = 'NOT_A_MEMBER' | 'INSUFFICIENT_POINTS';

export type RedeemResult =
  | { ok: true; entry: LedgerEntryRecord }
  | { ok: false; reason: LedgerRefusalReason; available: number }
  | { ok: false; refusal: Refusal };

export type ReturnResult = { ok: true; entry: LedgerEntryRecord } | { ok: false; refusal: Refusal };

export type JoinResult = { ok: true; membership: MembershipRecord; rejoined: boolean } | { ok: false; reason: 'ALREADY_MEMBER' | 'CUSTOMER_NOT_FOUND' };
export type LeaveResult = { ok: true; membership: MembershipRecord } | { ok: false; reason: 'NOT_A_MEMBER' };
export type AdjustResult = { ok: true; entry: LedgerEntryRecord } | { ok: false; reason: LedgerRefusalReason; available: number };
export type ReverseResult = { ok: true; entry: LedgerEntryRecord } | { ok: false; reason: 'NOT_A_MEMBER' | 'NOT_EARNED' | 'ALREADY_REVERSED' };

/** Totals a write ADDs to the membership (never SETs: redemptions and expiry do not hold its version). */
type Totals = Partial<Record<'balance' | 'earnedTotal' | 'redeemedTotal' | 'expiredTotal' | 'credits', number>>;

/** Fields only version-conditioned writes change. */
const VERSIONED_FIELDS = ['status', 'leftAt', 'gaps', 'consent', 'level', 'levelSince', 'owed', 'qualifying', 'levelReviewOn', 'version'] as const;

const SCHEDULE_PK = INDEXES.bySchedule.partitionKey;
const SCHEDULE_SK = INDEXES.bySchedule.sortKey;

/**
 * How a membership write is guarded:
 * - `version`: the membership as a whole as read (`version` and `credits`): it may SET any
 *   field, the qualifying months included, and make points owed;
 * - `owed`: only what is owed as read (a write that settles a debt first: a returned
 *   redemption, a positive adjustment);
 * - `active`: only "still a member" (spending, which only takes points out of lots);
 * - `exists`: nothing (expiry, which continues after a member left).
 */
export type MembershipGuard = 'version' | 'owed' | 'active' | 'exists';

/**
 * The membership Update of a ledger write: the versioned fields that differ between `before`
 * and `after` (and its `BySchedule` place when the review day or status moved), the totals
 * ADDed, under `guard`.
 */
export function membershipUpdate(tableName: string, before: MembershipRecord, after: MembershipRecord, add: Totals, guard: MembershipGuard): TransactItem {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  for (const f of VERSIONED_FIELDS) {
    if (JSON.stringify(before[f]) === JSON.stringify(after[f])) continue;
    names[`#${f}`] = f;
    if (after[f] === undefined) removes.push(`#${f}`);
    else (values[`:${f}`] = after[f]), sets.push(`#${f} = :${f}`);
  }
  const scheduleBefore = indexAttributes(membershipScheduleKeys(before));
  const scheduleAfter = indexAttributes(membershipScheduleKeys(after));
  if (JSON.stringify(scheduleBefore) !== JSON.stringify(scheduleAfter)) {
    names['#gpk'] = SCHEDULE_PK;
    names['#gsk'] = SCHEDULE_SK;
    if (scheduleAfter[SCHEDULE_PK]) (values[':gpk'] = scheduleAfter[SCHEDULE_PK]), (values[':gsk'] = scheduleAfter[SCHEDULE_SK]), sets.push('#gpk = :gpk', '#gsk = :gsk');
    else removes.push('#gpk', '#gsk');
  }
  const adds: string[] = [];
  for (const [f, n] of Object.entries(add) as [keyof Totals, number][]) {
    if (!n) continue;
    names[`#${f}`] = f;
    values[`:add_${f}`] = n;
    adds.push(`#${f} :add_${f}`);
  }
  let conditionExpression: string;
  if (guard === 'version') {
    Object.assign(names, { '#version': 'version', '#credits': 'credits' });
    Object.assign(values, { ':expectedVersion': before.version, ':expectedCredits': before.credits });
    conditionExpression = 'attribute_exists(PK) AND #version = :expectedVersion AND #credits = :expectedCredits';
  } else if (guard === 'owed') {
    names['#owed'] = 'owed';
    values[':expectedOwed'] = before.owed;
    conditionExpression = '#owed = :expectedOwed';
  } else if (guard === 'active') {
    names['#status'] = 'status';
    values[':active'] = 'ACTIVE';
    conditionExpression = '#status = :active';
  } else conditionExpression = 'attribute_exists(PK)';
  const update = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : ''].filter(Boolean).join(' ');
  // DynamoDB refuses empty placeholder maps.
  const common = {
    TableName: tableName,
    Key: clubKeys.membership(before.customerId),
    ConditionExpression: conditionExpression,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
  return update ? { Update: { ...common, UpdateExpression: update } } : { ConditionCheck: common };
}

/** A lot as stored: its record and its place in `BySchedule`. */
export function lotItem(lot: LotRecord, rules: ClubRules = CLUB_RULES) {
  return { ...lotEntity.toItem(lot), ...indexAttributes(lotScheduleKeys(lot, lotDueOn(lot, rules))) };
}

/** A new lot, written once. */
function putLot(tableName: string, lot: LotRecord, rules: ClubRules): TransactItem {
  return { Put: { TableName: tableName, Item: lotItem(lot, rules), ConditionExpression: 'attribute_not_exists(PK)' } };
}

/**
 * Takes `draw.points` from a lot read with `lot.remaining`: never below zero, never from an
 * expired lot. Emptying it (exactly what was read) also takes it out of `BySchedule`; a
 * partial draw leaves it there (a lot emptied by concurrent partial draws is dropped by the
 * job when it comes due).
 */
export function takeFromLot(tableName: string, lot: LotRecord, draw: LotDraw): TransactItem {
  const key = clubKeys.lot(lot.customerId, lot.expiresOn, lot.id);
  const names = { '#remaining': 'remaining', '#expiredAt': 'expiredAt' };
  if (draw.points >= lot.remaining) {
    return {
      Update: {
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET #remaining = :zero REMOVE #gpk, #gsk',
        ConditionExpression: '#remaining = :d AND attribute_not_exists(#expiredAt)',
        ExpressionAttributeNames: { ...names, '#gpk': SCHEDULE_PK, '#gsk': SCHEDULE_SK },
        ExpressionAttributeValues: { ':zero': 0, ':d': draw.points },
      },
    };
  }
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET #remaining = #remaining - :d',
      ConditionExpression: '#remaining >= :d AND attribute_not_exists(#expiredAt)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':d': draw.points },
    },
  };
}

/**
 * Gives `points` back to a lot (a returned redemption). A lot the expiry job already took
 * becomes unexpired with the points and re-enters `BySchedule` at its (past) expiry day, so
 * the next run expires them again: nothing is lost silently, nothing lives longer.
 */
export function giveBackToLot(tableName: string, lot: LotRecord, points: number, rules: ClubRules = CLUB_RULES): TransactItem {
  const after: LotRecord = { ...lot, remaining: lot.remaining + points, expiredAt: undefined };
  const schedule = indexAttributes(lotScheduleKeys(after, lotDueOn(after, rules)));
  return {
    Update: {
      TableName: tableName,
      Key: clubKeys.lot(lot.customerId, lot.expiresOn, lot.id),
      UpdateExpression: 'SET #remaining = #remaining + :d, #gpk = :gpk, #gsk = :gsk REMOVE #expiredAt',
      // The schedule place depends on `warned`, which only the job changes.
      ConditionExpression: 'attribute_exists(PK) AND #warned = :warned',
      ExpressionAttributeNames: { '#remaining': 'remaining', '#expiredAt': 'expiredAt', '#warned': 'warned', '#gpk': SCHEDULE_PK, '#gsk': SCHEDULE_SK },
      ExpressionAttributeValues: { ':d': points, ':gpk': schedule[SCHEDULE_PK], ':gsk': schedule[SCHEDULE_SK], ':warned': lot.warned },
    },
  };
}

function putEntry(tableName: string, entry: LedgerEntryRecord): TransactItem {
  return { Put: { TableName: tableName, Item: ledgerEntryEntity.toItem(entry), ConditionExpression: 'attribute_not_exists(PK)' } };
}

/** The outbox item of a level change, if the level changed. */
export function statusChange(tableName: string, before: MembershipRecord, after: MembershipRecord, cause: ClubStatusChanged['cause'], at: string, rules: ClubRules): TransactItem[] {
  if (before.level === after.level) return [];
  const detail: ClubStatusChanged = { customerId: after.customerId, number: after.number, previousLevel: before.level, level: after.level, qualifyingPoints: qualifyingPointsAt(after.qualifying, at, rules), cause, at };
  return [{ Put: { TableName: tableName, Item: outboxItem('ClubStatusChanged', detail, new Date(at)) } }];
}

/**
 * The membership Update of an accrual that only adds: balance, lifetime earned, credits and
 * this month's qualifying points (months that left the window dropped), settling what was
 * owed as read. Guarded by the version (no join, leave, level change or reversal since the
 * read), what is owed, and the month's points staying under `bound` (no threshold crossed
 * by this and concurrent accruals together: that one is decided on a fresh read).
 */
function accrualCounterUpdate(tableName: string, m: MembershipRecord, a: { month: string | null; points: number; settled: number; dropMonths: string[]; bound?: number }): TransactItem {
  const names: Record<string, string> = { '#version': 'version', '#owed': 'owed', '#balance': 'balance', '#earnedTotal': 'earnedTotal', '#credits': 'credits' };
  const values: Record<string, unknown> = { ':v': m.version, ':o': m.owed, ':p': a.points, ':one': 1 };
  const sets: string[] = [];
  const conditions = ['#version = :v', '#owed = :o'];
  if (a.month || a.dropMonths.length) names['#q'] = 'qualifying';
  if (a.month) {
    Object.assign(names, { '#m': a.month });
    Object.assign(values, { ':zero': 0 });
    sets.push('#q.#m = if_not_exists(#q.#m, :zero) + :p');
    if (a.bound !== undefined) {
      values[':bound'] = a.bound;
      conditions.push('(attribute_not_exists(#q.#m) OR #q.#m < :bound)');
    }
  }
  if (a.settled) (values[':owedAfter'] = m.owed - a.settled), sets.push('#owed = :owedAfter');
  const removes = a.dropMonths.map((month, i) => ((names[`#d${i}`] = month), `#q.#d${i}`));
  const update = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '', 'ADD #balance :p, #earnedTotal :p, #credits :one'].filter(Boolean).join(' ');
  return { Update: { TableName: tableName, Key: clubKeys.membership(m.customerId), UpdateExpression: update, ConditionExpression: conditions.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values } };
}

/** What a ledger write's attempt answers when it lost to a concurrent write: read again and decide again. */
const AGAIN = Symbol('again');

/**
 * Runs one ledger write's attempts — each reads, decides and writes under conditions —
 * until one answers, with backoff after each loss; a write that keeps losing is a fault.
 */
async function untilSettled<T>(what: string, attempt: () => Promise<T | typeof AGAIN>): Promise<T> {
  for (let n = 1; n <= MAX_ATTEMPTS; n++) {
    const outcome = await attempt();
    if (outcome !== AGAIN) return outcome;
    await sleep(backoffDelayMs(n, 10, 400));
  }
  throw new InvariantError(`${what} kept conflicting after ${MAX_ATTEMPTS} attempts`);
}

const own = (item: TransactItem): Contribution => ({ item });

/** The later of two instants (ISO strings compare as time). */
const later = (a: string, b: string) => (a > b ? a : b);

export class LedgerRepository {
  constructor(
    private readonly store: Store,
    readonly rules: ClubRules = CLUB_RULES,
  ) {}

  private get table() {
    return this.store.tableName;
  }

  /** A customer's membership (consistent read), or null when they never joined. */
  async getMembership(customerId: string): Promise<MembershipRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: clubKeys.membership(customerId), ConsistentRead: true }));
    return Item ? membershipEntity.fromItem(Item) : null;
  }

  /** Many memberships in as few BatchGetItem calls as possible (a list of customers with their `club`); absent ids are missing from the map. */
  getMemberships(customerIds: readonly string[]): Promise<Map<string, MembershipRecord>> {
    return getRecords(this.store, membershipEntity, clubKeys.membership, customerIds);
  }

  /** The marker of a source document's accrual (consistent read): null if it earned nothing (yet). */
  async getAccrual(customerId: string, source: AccrualSourceRef): Promise<AccrualMarkerRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: clubKeys.source(customerId, source), ConsistentRead: true }));
    return Item ? accrualMarkerEntity.fromItem(Item) : null;
  }

  /** One ledger entry by its key parts (consistent read). */
  async getEntry(customerId: string, at: string, entryId: string): Promise<LedgerEntryRecord | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.table, Key: clubKeys.entry(customerId, at, entryId), ConsistentRead: true }));
    return Item ? ledgerEntryEntity.fromItem(Item) : null;
  }

  /**
   * Lots that may still hold points at `at` (last day today or later), soonest expiry
   * first; lots past their day are skipped by the key range, so the read does not grow with
   * a member's history beyond the expiry horizon.
   */
  async liveLots(customerId: string, at: string, { consistent = true }: { consistent?: boolean } = {}): Promise<LotRecord[]> {
    const lots = await this.queryRange(clubKeys.membership(customerId).PK, `${clubKeys.lotPrefix}${at.slice(0, 10)}`, `${clubKeys.lotPrefix}\uffff`, consistent);
    return lots.map(lotEntity.fromItem).filter((l) => isLive(l, at));
  }

  /** Every lot a member ever had (the consistency check). */
  async allLots(customerId: string): Promise<LotRecord[]> {
    return (await this.queryRange(clubKeys.membership(customerId).PK, clubKeys.lotPrefix, `${clubKeys.lotPrefix}\uffff`)).map(lotEntity.fromItem);
  }

  /** Every entry of a member, oldest first (the consistency check). */
  async allEntries(customerId: string): Promise<LedgerEntryRecord[]> {
    return (await this.queryRange(clubKeys.membership(customerId).PK, clubKeys.entryPrefix, `${clubKeys.entryPrefix}\uffff`)).map(ledgerEntryEntity.fromItem);
  }

  /** The ledger, newest first, one page at a time. */
  async ledgerPage(customerId: string, first: number, after?: string | null): Promise<Page<LedgerEntryRecord>> {
    const page = await queryPage(this.store.doc, this.table, { partition: clubKeys.membership(customerId).PK, sortKeyPrefix: clubKeys.entryPrefix, first, after, newestFirst: true });
    return { ...page, items: page.items.map(ledgerEntryEntity.fromItem) };
  }

  /** `consistent`: the writes decide on what they read (default); a view may read at half the cost. */
  private async queryRange(pk: string, from: string, to: string, consistent = true): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.store.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': 'PK', '#sk': 'SK' },
          ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
          ConsistentRead: consistent,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /**
   * The items of one source document's accrual, for a fact hook or the event check-in (the
   * caller writes them in its own transaction, with the fact): the marker (only if absent:
   * once per source, whatever retries do), the ACCRUAL entry, the lot (pending for the
   * return window, less what settles a debt), the membership (balance, qualifying month,
   * level; conditioned on its version as read) and, when the level changes, the
   * `ClubStatusChanged` outbox event. Nothing for a member who left or zero points.
   *
   * `basePoints` are before the level's multiplier (`basePointsFor`, or an event's own
   * points). `at` dates the points (the document's day); `asOf` is when they are written
   * (default `at`): the level is judged then, so a document recorded late neither judges
   * the level as of its older date nor leaves a member below the level their later months
   * give. A failure of these items is never final: read the membership again (and the
   * marker: `getAccrual`) and ask again.
   */
  accrualContributions(m: MembershipRecord, a: { source: AccrualSourceRef; basePoints: number; at: string; asOf?: string }): Contribution[] {
    if (m.status !== 'ACTIVE') return [];
    const points = multiplied(a.basePoints, m.level, this.rules);
    if (points <= 0) return [];
    const entryId = newId();
    const { settled, toLot } = settleOwed(m.owed, points);
    const lot: LotRecord | null =
      toLot > 0
        ? { customerId: m.customerId, id: newId(), points: toLot, remaining: toLot, earnedAt: a.at, availableFrom: availableFromFor(a.at, this.rules), expiresOn: expiresOnFor(a.at, this.rules), source: a.source, warned: false }
        : null;
    const month = monthOf(a.at);
    const qualifies = this.rules.earning[a.source.type].qualifying;
    const qualifying = qualifies ? { ...m.qualifying, [month]: (m.qualifying[month] ?? 0) + points } : m.qualifying;
    // A document recorded late must not judge the level as of its own (older) date.
    const asOf = later(later(a.asOf ?? a.at, a.at), m.levelSince);
    const after: MembershipRecord = { ...m, ...relevel(m, qualifying, asOf, this.rules), owed: m.owed - settled };
    const entry: LedgerEntryRecord = { customerId: m.customerId, id: entryId, kind: 'ACCRUAL', points, at: a.at, rulesVersion: this.rules.version, source: a.source, ...(lot ? { lotId: lot.id } : {}), ...(settled ? { owedChange: settled } : {}) };
    const marker: AccrualMarkerRecord = { customerId: m.customerId, source: a.source, entryId, entryAt: a.at, points, ...(lot ? { lot: { id: lot.id, expiresOn: lot.expiresOn } } : {}) };
    const totals = { balance: points, earnedTotal: points, credits: 1 };
    // The usual accrual (this month's, no level or review change) only adds: concurrent ones
    // for the same member do not take turns. Anything else rewrites the membership as read.
    const onlyAdds = after.level === m.level && after.levelReviewOn === m.levelReviewOn && month === monthOf(asOf);
    const membership = onlyAdds
      ? accrualCounterUpdate(this.table, m, { month: qualifies ? month : null, points, settled, dropMonths: Object.keys(m.qualifying).filter((k) => k !== month && !(k in after.qualifying)), bound: qualifies ? this.levelBound(m, points, asOf) : undefined })
      : membershipUpdate(this.table, m, { ...after, version: m.version + 1 }, totals, 'version');
    return [
      { Put: { TableName: this.table, Item: accrualMarkerEntity.toItem(marker), ConditionExpression: 'attribute_not_exists(PK)' } },
      putEntry(this.table, entry),
      ...(lot ? [putLot(this.table, lot, this.rules)] : []),
      membership,
      ...statusChange(this.table, m, after, 'ACCRUAL', asOf, this.rules),
    ].map(own);
  }

  /**
   * Below what this month's qualifying points must stay, as the accrual lands, for its
   * "no level change" to hold with whatever other accruals of the month added meanwhile:
   * the next level's threshold less the other months and these points. None at the top.
   */
  private levelBound(m: MembershipRecord, points: number, asOf: string): number | undefined {
    const total = qualifyingPointsAt(m.qualifying, asOf, this.rules);
    const next = this.rules.levels.find((l) => l.qualifyingPoints > total + points);
    if (!next) return undefined;
    const thisMonth = m.qualifying[monthOf(asOf)] ?? 0;
    return next.qualifyingPoints - (total - thisMonth) - points;
  }

  /**
   * Spends points in one transaction with the caller's own items (`extra`: a voucher Put, a
   * stock decrement, a seat), from the soonest-expiring spendable lots; the entry records
   * every lot it drew from. Never oversold: each lot's draw is conditional, and a lost race
   * is read again and decided again. The caller's items should carry `explainFailure`; one
   * that refuses is returned as `{ ok: false, refusal }` and nothing is written.
   */
  async redeem(r: {
    customerId: string;
    points: number;
    source: { type: string; id: string };
    at: string;
    by: Author;
    extra?: Contribution[] | ((entryId: string) => Contribution[]);
  }): Promise<RedeemResult> {
    if (!Number.isInteger(r.points) || r.points <= 0) throw new InvariantError(`A redemption takes a positive whole number of points, not ${r.points}`);
    return untilSettled(`Redeeming for ${r.customerId}`, async () => {
      const [m, lots] = await Promise.all([this.getMembership(r.customerId), this.liveLots(r.customerId, r.at)]);
      if (!m || m.status !== 'ACTIVE') return { ok: false, reason: 'NOT_A_MEMBER', available: 0 };
      const { available } = balanceOf(m, lots, r.at, this.rules);
      const plan = planDraws(lots, r.points, r.at);
      if (r.points > available || plan.short > 0) return { ok: false, reason: 'INSUFFICIENT_POINTS', available: Math.max(0, available) };
      const entry: LedgerEntryRecord = { customerId: r.customerId, id: newId(), kind: 'REDEMPTION', points: -r.points, at: r.at, rulesVersion: this.rules.version, source: r.source, draws: plan.draws, by: r.by };
      const byId = new Map(lots.map((l) => [l.id, l]));
      const mine = [
        ...plan.draws.map((d) => takeFromLot(this.table, byId.get(d.lotId)!, d)),
        putEntry(this.table, entry),
        membershipUpdate(this.table, m, m, { balance: -r.points, redeemedTotal: r.points }, 'active'),
      ].map(own);
      const extra = typeof r.extra === 'function' ? r.extra(entry.id) : (r.extra ?? []);
      const result = await writeContributions(this.store, [...mine, ...extra]);
      if (result.ok) return { ok: true, entry };
      const refusal = await explainFailures(result.failed.filter((c) => !mine.includes(c)));
      if (refusal) return { ok: false, refusal };
      return AGAIN;
    });
  }

  /**
   * Gives a redemption's points back (a voucher cancelled, an event seat cancelled): a
   * REVERSAL entry that `reverses` it, the points settling any debt first, the rest back to
   * the lots it drew from (the latest-expiring first), with the caller's items (`extra`:
   * the voucher → CANCELLED). Once per redemption (a marker); a second call is refused
   * `ALREADY_REVERSED`, an unknown redemption `NOT_FOUND`.
   */
  async returnRedemption(r: { customerId: string; redemptionEntryId: string; redemptionAt: string; at: string; by: Author; reason: string; extra?: Contribution[] }): Promise<ReturnResult> {
    const redemption = await this.getEntry(r.customerId, r.redemptionAt, r.redemptionEntryId);
    if (!redemption || redemption.kind !== 'REDEMPTION') return { ok: false, refusal: { code: 'NOT_FOUND', message: 'There is no such redemption in this ledger.' } };
    const points = -redemption.points;
    const draws = redemption.draws ?? [];
    const lotKeys = draws.map((d) => clubKeys.lot(r.customerId, d.expiresOn, d.lotId));
    return untilSettled(`Returning redemption ${r.redemptionEntryId}`, async () => {
      const [m, marker, lotItems] = await Promise.all([
        this.getMembership(r.customerId),
        this.store.doc.send(new GetCommand({ TableName: this.table, Key: clubKeys.returned(r.customerId, r.redemptionEntryId), ConsistentRead: true })),
        batchGetItems(this.store.doc, this.table, lotKeys, { consistentRead: true }),
      ]);
      if (marker.Item) return { ok: false, refusal: { code: 'ALREADY_REVERSED', message: 'These points were already given back.' } };
      if (!m) throw new InvariantError(`Redemption ${r.redemptionEntryId} has no membership`);
      const lots = new Map(lotKeys.map((k: Key, i) => [draws[i]!.lotId, lotItems.get(itemMapKey(k))]));
      const { settled, toLot } = settleOwed(m.owed, points);
      // The latest-expiring lot first: what is given back stays spendable the longest.
      const givenBack: LotDraw[] = [];
      let left = toLot;
      for (const d of [...draws].reverse()) {
        if (left <= 0) break;
        const back = Math.min(d.points, left);
        givenBack.push({ ...d, points: back });
        left -= back;
      }
      const entry: LedgerEntryRecord = {
        customerId: r.customerId,
        id: newId(),
        kind: 'REVERSAL',
        points,
        at: r.at,
        rulesVersion: this.rules.version,
        ...(redemption.source ? { source: redemption.source } : {}),
        draws: givenBack,
        ...(settled ? { owedChange: settled } : {}),
        reverses: redemption.id,
        reason: r.reason,
        by: r.by,
      };
      const after: MembershipRecord = { ...m, owed: m.owed - settled };
      const mine = [
        { Put: { TableName: this.table, Item: redemptionReturnEntity.toItem({ customerId: r.customerId, redemptionEntryId: redemption.id, entryId: entry.id, at: r.at }), ConditionExpression: 'attribute_not_exists(PK)' } },
        ...givenBack.map((d) => {
          const item = lots.get(d.lotId);
          if (!item) throw new InvariantError(`Lot ${d.lotId} of redemption ${redemption.id} is missing`);
          return giveBackToLot(this.table, lotEntity.fromItem(item), d.points, this.rules);
        }),
        putEntry(this.table, entry),
        membershipUpdate(this.table, m, after, { balance: points, redeemedTotal: -points, credits: 1 }, 'owed'),
      ].map(own);
      const extra = r.extra ?? [];
      const result = await writeContributions(this.store, [...mine, ...extra]);
      if (result.ok) return { ok: true, entry };
      const refusal = await explainFailures(result.failed.filter((c) => !mine.includes(c)));
      if (refusal) return { ok: false, refusal };
      return AGAIN;
    });
  }

  /** The next membership number: an atomic counter, so two joins never share one (a lost join leaves a gap). */
  private async nextNumber(): Promise<string> {
    const { Attributes } = await this.store.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: clubKeys.numberCounter,
        UpdateExpression: 'SET #type = :type ADD #last :one',
        ExpressionAttributeNames: { '#type': 'entityType', '#last': 'last' },
        ExpressionAttributeValues: { ':type': memberNumberCounterEntity.name, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return `PC${String(memberNumberCounterEntity.fromItem(Attributes!).last).padStart(8, '0')}`;
  }

  /**
   * Makes a customer a member (a new number), or a former member a member again (the same
   * number, the same ledger, the new consent). `ALREADY_MEMBER` for an active member;
   * `CUSTOMER_NOT_FOUND` when there is no such customer.
   */
  async join(j: { customerId: string; consent: TermsConsent; at: string }): Promise<JoinResult> {
    return untilSettled(`Joining ${j.customerId}`, async () => {
      const m = await this.getMembership(j.customerId);
      if (m?.status === 'ACTIVE') return { ok: false, reason: 'ALREADY_MEMBER' };
      const customerExists: TransactItem = { ConditionCheck: { TableName: this.table, Key: customerKeys.profile(j.customerId), ConditionExpression: 'attribute_exists(PK)' } };
      let after: MembershipRecord;
      let write: TransactItem;
      if (m) {
        after = { ...m, ...relevel(m, m.qualifying, later(j.at, m.levelSince), this.rules), status: 'ACTIVE', gaps: [...(m.gaps ?? []), { from: m.leftAt ?? j.at, to: j.at }].slice(-MAX_MEMBERSHIP_GAPS), consent: j.consent, version: m.version + 1 };
        write = membershipUpdate(this.table, m, after, {}, 'version');
      } else {
        after = {
          customerId: j.customerId,
          number: await this.nextNumber(),
          status: 'ACTIVE',
          joinedAt: j.at,
          consent: j.consent,
          level: this.rules.levels[0]!.level,
          levelSince: j.at,
          balance: 0,
          owed: 0,
          qualifying: {},
          earnedTotal: 0,
          redeemedTotal: 0,
          expiredTotal: 0,
          version: 1,
          credits: 0,
        };
        write = { Put: { TableName: this.table, Item: membershipEntity.toItem(after), ConditionExpression: 'attribute_not_exists(PK)' } };
      }
      const result = await writeContributions(this.store, [own(customerExists), own(write), ...(m ? statusChange(this.table, m, after, 'JOIN', j.at, this.rules) : []).map(own)]);
      if (result.ok) return { ok: true, membership: after, rejoined: m !== null };
      if (result.failed.some((c) => c.item === customerExists)) return { ok: false, reason: 'CUSTOMER_NOT_FOUND' };
      return AGAIN;
    });
  }

  /** Ends a membership: no earning, no spending; the lots keep expiring on their days. */
  async leave(customerId: string, at: string): Promise<LeaveResult> {
    return untilSettled(`Leaving for ${customerId}`, async () => {
      const m = await this.getMembership(customerId);
      if (!m || m.status !== 'ACTIVE') return { ok: false, reason: 'NOT_A_MEMBER' };
      const after: MembershipRecord = { ...m, status: 'LEFT', leftAt: at, version: m.version + 1 };
      const result = await writeContributions(this.store, [own(membershipUpdate(this.table, m, after, {}, 'version'))]);
      if (result.ok) return { ok: true, membership: after };
      return AGAIN;
    });
  }

  /**
   * An ADJUSTMENT (the brand's correction, with its reason). Positive: settles a debt first,
   * the rest is a lot spendable at once with the normal expiry. Negative: drawn like a
   * redemption (spendable lots soonest-expiring first, then pending ones), the rest owed —
   * refused `INSUFFICIENT_POINTS` if that would take the available balance below −cap.
   */
  async adjust(a: { customerId: string; points: number; reason: string; at: string; by: Author }): Promise<AdjustResult> {
    if (!Number.isInteger(a.points) || a.points === 0) throw new InvariantError(`An adjustment is a non-zero whole number of points, not ${a.points}`);
    return untilSettled(`Adjusting ${a.customerId}`, async () => {
      const [m, lots] = await Promise.all([this.getMembership(a.customerId), this.liveLots(a.customerId, a.at)]);
      if (!m) return { ok: false, reason: 'NOT_A_MEMBER', available: 0 };
      const id = newId();
      let mine: TransactItem[];
      let entry: LedgerEntryRecord;
      if (a.points > 0) {
        const { settled, toLot } = settleOwed(m.owed, a.points);
        const lot: LotRecord | null =
          toLot > 0 ? { customerId: a.customerId, id: newId(), points: toLot, remaining: toLot, earnedAt: a.at, availableFrom: a.at, expiresOn: expiresOnFor(a.at, this.rules), source: { type: 'ADJUSTMENT', id }, warned: false } : null;
        entry = { customerId: a.customerId, id, kind: 'ADJUSTMENT', points: a.points, at: a.at, rulesVersion: this.rules.version, ...(lot ? { lotId: lot.id } : {}), ...(settled ? { owedChange: settled } : {}), reason: a.reason, by: a.by };
        mine = [...(lot ? [putLot(this.table, lot, this.rules)] : []), putEntry(this.table, entry), membershipUpdate(this.table, m, { ...m, owed: m.owed - settled }, { balance: a.points, credits: 1 }, 'owed')];
      } else {
        const taken = -a.points;
        const plan = planDraws(lots, taken, a.at, { includePending: true });
        const owedAfter = m.owed + plan.short;
        const byId = new Map(lots.map((l) => [l.id, l]));
        const lotsAfter = lots.map((l) => ({ ...l, remaining: l.remaining - (plan.draws.find((d) => d.lotId === l.id)?.points ?? 0) }));
        const cap = levelRule(m.level, this.rules).overdraftCap;
        if (owedAfter > cap || balanceOf({ ...m, owed: owedAfter }, lotsAfter, a.at, this.rules).available < -cap) {
          return { ok: false, reason: 'INSUFFICIENT_POINTS', available: balanceOf(m, lots, a.at, this.rules).available };
        }
        entry = { customerId: a.customerId, id, kind: 'ADJUSTMENT', points: a.points, at: a.at, rulesVersion: this.rules.version, draws: plan.draws, ...(plan.short ? { owedChange: -plan.short } : {}), reason: a.reason, by: a.by };
        mine = [...plan.draws.map((d) => takeFromLot(this.table, byId.get(d.lotId)!, d)), putEntry(this.table, entry), membershipUpdate(this.table, m, { ...m, owed: owedAfter, version: m.version + 1 }, { balance: a.points }, 'version')];
      }
      const result = await writeContributions(this.store, mine.map(own));
      if (result.ok) return { ok: true, entry };
      return AGAIN;
    });
  }

  /**
   * Reverses a source document's accrual (the order refunded, the visit cancelled): once
   * (the marker's `reversedBy`); a REVERSAL entry taking the points from the accrual's own
   * lot first, then the other live lots soonest-expiring first (pending ones included), the
   * rest owed — which may take the available balance below zero down to the level's cap,
   * beyond it shown as debt; later points settle it first. The qualifying points go too (the
   * level may fall: `ClubStatusChanged`).
   */
  async reverseAccrual(r: { customerId: string; source: AccrualSourceRef; reason: string; at: string; by: Author }): Promise<ReverseResult> {
    return untilSettled(`Reversing ${r.source.type} ${r.source.id}`, async () => {
      const [m, marker, lots] = await Promise.all([this.getMembership(r.customerId), this.getAccrual(r.customerId, r.source), this.liveLots(r.customerId, r.at)]);
      if (!m) return { ok: false, reason: 'NOT_A_MEMBER' };
      if (!marker) return { ok: false, reason: 'NOT_EARNED' };
      if (marker.reversedBy) return { ok: false, reason: 'ALREADY_REVERSED' };
      const plan = planDraws(lots, marker.points, r.at, { includePending: true, first: marker.lot?.id });
      const month = monthOf(marker.entryAt);
      const qualifying = this.rules.earning[r.source.type].qualifying && m.qualifying[month] ? { ...m.qualifying, [month]: Math.max(0, m.qualifying[month]! - marker.points) } : m.qualifying;
      const after: MembershipRecord = { ...m, ...relevel(m, qualifying, later(r.at, m.levelSince), this.rules), owed: m.owed + plan.short, version: m.version + 1 };
      const entry: LedgerEntryRecord = {
        customerId: r.customerId,
        id: newId(),
        kind: 'REVERSAL',
        points: -marker.points,
        at: r.at,
        rulesVersion: this.rules.version,
        source: r.source,
        draws: plan.draws,
        ...(plan.short ? { owedChange: -plan.short } : {}),
        reverses: marker.entryId,
        reason: r.reason,
        by: r.by,
      };
      const byId = new Map(lots.map((l) => [l.id, l]));
      const mine: TransactItem[] = [
        {
          Update: {
            TableName: this.table,
            Key: clubKeys.source(r.customerId, r.source),
            UpdateExpression: 'SET #reversedBy = :entry',
            ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#reversedBy)',
            ExpressionAttributeNames: { '#reversedBy': 'reversedBy' },
            ExpressionAttributeValues: { ':entry': entry.id },
          },
        },
        ...plan.draws.map((d) => takeFromLot(this.table, byId.get(d.lotId)!, d)),
        putEntry(this.table, entry),
        membershipUpdate(this.table, m, after, { balance: -marker.points, earnedTotal: -marker.points }, 'version'),
        ...statusChange(this.table, m, after, 'REVERSAL', later(r.at, m.levelSince), this.rules),
      ];
      const result = await writeContributions(this.store, mine.map(own));
      if (result.ok) return { ok: true, entry };
      return AGAIN;
    });
  }
}
