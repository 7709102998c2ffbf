import type { Author } from '../auth/policies.js';
import { customerKeys } from '../customer/customer.js';
import { defineEntity, field } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import type { Key } from '../store/table.js';
import { CLUB_LEVELS, type AccrualSource, type ClubLevel } from './rules.js';

/**
 * What the club keeps, all in the member's customer partition (one Query reads a member's
 * club): the membership (status, balance, qualifying points by month), the points lots,
 * the append-only ledger entries, and one marker per source document that earned points
 * (the idempotency key of accrual, and the way back to the lot when it is reversed).
 *
 * Invariants the ledger keeps (checked by `ledger-consistency.ts`):
 * - `membership.balance` = Σ `entry.points` (entries are never changed or deleted);
 * - Σ `lot.remaining` − `membership.owed` = `membership.balance`;
 * - a lot's `remaining` = its `points` − every draw on it + every return to it;
 * - `owed` > 0 only while every lot is empty (accruals settle it before they make a lot).
 */

const CLUB = 'CLUB';
const CLUB_DUE = 'CLUBDUE';
/** Partition of the `ByCollection` index listing every membership, by number. */
const CLUB_MEMBERS = 'CLUBMEMBERS';

/** Shards of a kind's partition in `BySchedule`, so a busy day is not one hot partition. */
export const SCHEDULE_SHARDS = 4;

/** Which shard of `BySchedule` an id falls in (stable: a character code sum). */
export function scheduleShard(id: string): number {
  let sum = 0;
  for (let i = 0; i < id.length; i++) sum += id.charCodeAt(i);
  return sum % SCHEDULE_SHARDS;
}

export const clubKeys = {
  membership: (customerId: string): Key => ({ PK: customerKeys.partition(customerId), SK: joinKey(CLUB, 'MEMBER') }),
  /** Lots sort by expiry date: the soonest-expiring first is the order points are spent in. */
  lot: (customerId: string, expiresOn: string, lotId: string): Key => ({ PK: customerKeys.partition(customerId), SK: joinKey(CLUB, 'LOT', expiresOn, lotId) }),
  lotPrefix: `${joinKey(CLUB, 'LOT')}#`,
  /** Entries sort by time, newest last; `ledger(first, after)` pages them newest first. */
  entry: (customerId: string, at: string, entryId: string): Key => ({ PK: customerKeys.partition(customerId), SK: joinKey(CLUB, 'ENTRY', at, entryId) }),
  entryPrefix: `${joinKey(CLUB, 'ENTRY')}#`,
  /** One per source document that earned points: written with the accrual, only if absent. */
  source: (customerId: string, source: AccrualSourceRef): Key => ({ PK: customerKeys.partition(customerId), SK: joinKey(CLUB, 'SOURCE', source.type, source.id) }),
  /** One per redemption given back (voucher cancelled, seat cancelled): written with the REVERSAL, only if absent. */
  returned: (customerId: string, redemptionEntryId: string): Key => ({ PK: customerKeys.partition(customerId), SK: joinKey(CLUB, 'RETURN', redemptionEntryId) }),
  /** The counter membership numbers are drawn from (gaps are possible, repeats are not). */
  numberCounter: { PK: joinKey(CLUB, 'COUNTER'), SK: 'MEMBERSHIPNUMBER' } as Key,
  membersCollection: CLUB_MEMBERS,
  /** A `BySchedule` partition of the club: `LOT` (warnings, expiry) or `LEVEL` (status review). */
  schedulePartition: (kind: 'LOT' | 'LEVEL', shard: number) => joinKey(CLUB_DUE, kind, String(shard)),
  scheduleSort: (at: string, customerId: string, id: string) => joinKey(at, customerId, id),
};

/** A source document that earns points, as the ledger refers to it (its type and the document's id). */
export interface AccrualSourceRef {
  type: AccrualSource;
  id: string;
}

export const MEMBERSHIP_STATUSES = ['ACTIVE', 'LEFT'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

/** How the customer agreed to the club terms: who recorded it, through which channel, when. */
export interface TermsConsent {
  /** Where the agreement was given: `APP`, `WEB`, `DEALER`, `PHONE`, `PAPER`. */
  source: string;
  at: string;
  recordedBy: Author;
}

/** A time out of the club: left on `from`, joined again on `to`. */
export interface MembershipGap {
  from: string;
  to: string;
}

/** How many gaps a membership remembers: leaving and rejoining more often than this is not a real member's pattern. */
export const MAX_MEMBERSHIP_GAPS = 20;

export interface MembershipRecord {
  customerId: string;
  /** The membership number printed on the card (`PC` and 8 digits). */
  number: string;
  status: MembershipStatus;
  joinedAt: string;
  /** The last time the member left (they may rejoin: same number, same ledger). */
  leftAt?: string;
  /**
   * The times the customer was out of the club, from leaving to rejoining (the newest
   * `MAX_MEMBERSHIP_GAPS`): documents dated inside one earn nothing (see `earnsOnDocumentOf`).
   */
  gaps?: MembershipGap[];
  consent: TermsConsent;
  level: ClubLevel;
  levelSince: string;
  /** Σ of every ledger entry's points. */
  balance: number;
  /** Points reversed after they were spent, not yet settled by new points (≥ 0). */
  owed: number;
  /** Qualifying points earned per calendar month (`YYYY-MM`); the level rests on the last `qualifyingWindowMonths`. */
  qualifying: Record<string, number>;
  /** Lifetime totals, for KPIs: points earned, spent on rewards and events, expired. */
  earnedTotal: number;
  redeemedTotal: number;
  expiredTotal: number;
  /** The day the level must be reviewed (the oldest qualifying month leaves the window); sparse index `LEVEL`. */
  levelReviewOn?: string;
  /**
   * Optimistic concurrency for what changes the membership as a whole: join, leave, level
   * changes and reviews, reversals and negative adjustments (they make points owed).
   */
  version: number;
  /**
   * How many writes have put points into lots (every accrual, every returned redemption,
   * every positive adjustment), ADDed by each. A write that makes points owed or rewrites
   * the qualifying months is conditioned on it, so it never misses a lot or a month's
   * points written meanwhile, while accruals themselves need not take turns on `version`.
   */
  credits: number;
}

export function membershipScheduleKeys(m: MembershipRecord) {
  return m.levelReviewOn && m.status === 'ACTIVE'
    ? { bySchedule: { pk: clubKeys.schedulePartition('LEVEL', scheduleShard(m.customerId)), sk: clubKeys.scheduleSort(m.levelReviewOn, m.customerId, 'LEVEL') } }
    : {};
}

export const membershipEntity = defineEntity<MembershipRecord>({
  name: 'ClubMembership',
  example: () => ({
    customerId: '01JCUSTOMER0000000000000000',
    number: 'PC00000042',
    status: 'ACTIVE',
    joinedAt: '2026-01-10T09:00:00.000Z',
    leftAt: '2026-02-01T09:00:00.000Z',
    gaps: [{ from: '2026-02-01T09:00:00.000Z', to: '2026-02-20T09:00:00.000Z' }],
    consent: { source: 'APP', at: '2026-01-10T09:00:00.000Z', recordedBy: { kind: 'customer', id: '01JCUSTOMER0000000000000000' } },
    level: 'SILVER',
    levelSince: '2026-03-01T00:00:00.000Z',
    balance: 5_400,
    owed: 0,
    qualifying: { '2026-01': 900, '2026-03': 4_500 },
    earnedTotal: 5_400,
    redeemedTotal: 0,
    expiredTotal: 0,
    levelReviewOn: '2027-02-01',
    version: 3,
    credits: 2,
  }),
  key: (m) => clubKeys.membership(m.customerId),
  indexes: (m) => ({ byCollection: { pk: CLUB_MEMBERS, sk: m.number }, ...membershipScheduleKeys(m) }),
  fields: {
    customerId: field.string,
    number: field.string,
    status: field.oneOf(MEMBERSHIP_STATUSES),
    joinedAt: field.string,
    leftAt: field.optional(field.string),
    gaps: field.optional(field.listOfMaps<MembershipGap>()),
    consent: field.map<TermsConsent>(),
    level: field.oneOf(CLUB_LEVELS),
    levelSince: field.string,
    balance: field.number,
    owed: field.number,
    qualifying: field.map<Record<string, number>>(),
    earnedTotal: field.number,
    redeemedTotal: field.number,
    expiredTotal: field.number,
    levelReviewOn: field.optional(field.string),
    version: field.number,
    credits: field.number,
  },
});

/** Points earned together, spent and expiring together. */
export interface LotRecord {
  customerId: string;
  id: string;
  /** Points the lot was created with (after the level multiplier and any debt settled). */
  points: number;
  remaining: number;
  earnedAt: string;
  /** Spendable from this instant (the return window after `earnedAt`); pending before it. */
  availableFrom: string;
  /** Last day the points can be spent (`YYYY-MM-DD`); they expire the day after. */
  expiresOn: string;
  /** The document that earned it, or the entry (an adjustment) that made it. */
  source: { type: string; id: string };
  /** Whether `PointsExpiring` has been published for it. */
  warned: boolean;
  /** Set when the expiry job wrote its EXPIRY entry. */
  expiredAt?: string;
}

/**
 * A lot's place in `BySchedule`: at the day its next action is due (`dueOn`: its warning
 * day until warned, then the day after its last day, when it expires — see `ledger.ts`
 * `lotDueOn`), gone once empty or expired. Keyed by the action's own day, so the daily job
 * reads a lot only on the day it acts on it.
 */
export function lotScheduleKeys(lot: LotRecord, dueOn: string) {
  if (lot.remaining <= 0 || lot.expiredAt) return {};
  return { bySchedule: { pk: clubKeys.schedulePartition('LOT', scheduleShard(lot.id)), sk: clubKeys.scheduleSort(dueOn, lot.customerId, lot.id) } };
}

export const lotEntity = defineEntity<LotRecord>({
  name: 'ClubPointsLot',
  example: () => ({
    customerId: '01JCUSTOMER0000000000000000',
    id: '01JLOT00000000000000000000',
    points: 450,
    remaining: 450,
    earnedAt: '2026-03-01T09:30:00.000Z',
    availableFrom: '2026-03-15T09:30:00.000Z',
    expiresOn: '2028-03-31',
    source: { type: 'SERVICE_VISIT', id: '01JVISIT000000000000000000' },
    warned: false,
  }),
  key: (l) => clubKeys.lot(l.customerId, l.expiresOn, l.id),
  // The warning day is a rule (`expiryWarningDays`); lots are written by the ledger, which knows it.
  fields: {
    customerId: field.string,
    id: field.string,
    points: field.number,
    remaining: field.number,
    earnedAt: field.string,
    availableFrom: field.string,
    expiresOn: field.string,
    source: field.map<{ type: string; id: string }>(),
    warned: field.boolean,
    expiredAt: field.optional(field.string),
  },
});

export const ENTRY_KINDS = ['ACCRUAL', 'REDEMPTION', 'EXPIRY', 'REVERSAL', 'ADJUSTMENT'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** Points taken from (negative entries) or given back to (a returned redemption) one lot. */
export interface LotDraw {
  lotId: string;
  /** Part of the lot's key. */
  expiresOn: string;
  points: number;
}

/** One line of the ledger, never changed once written. */
export interface LedgerEntryRecord {
  customerId: string;
  id: string;
  kind: EntryKind;
  /** Signed: + for accruals, positive adjustments and returned redemptions; − otherwise. */
  points: number;
  at: string;
  /** The club rules in force (`CLUB_RULES.version`). */
  rulesVersion: string;
  /** The document behind it: a source document for accruals and their reversals, a reward or event for redemptions. */
  source?: { type: string; id: string };
  /** The lots it drew from or returned to, in order (redemptions, expiry, reversals). */
  draws?: LotDraw[];
  /** The lot an accrual or positive adjustment created. */
  lotId?: string;
  /** Of the points, how many settled what the member owed instead of making a lot (+) or became owed (−). */
  owedChange?: number;
  /** The entry a reversal undoes. */
  reverses?: string;
  /** Required for adjustments. */
  reason?: string;
  /** Who wrote it; absent for the jobs and for accruals on facts. */
  by?: Author;
}

export const ledgerEntryEntity = defineEntity<LedgerEntryRecord>({
  name: 'ClubLedgerEntry',
  example: () => ({
    customerId: '01JCUSTOMER0000000000000000',
    id: '01JENTRY000000000000000000',
    kind: 'REDEMPTION',
    points: -300,
    at: '2026-04-02T10:00:00.000Z',
    rulesVersion: 'club-2026.1',
    source: { type: 'REWARD', id: '01JREWARD00000000000000000' },
    draws: [{ lotId: '01JLOT00000000000000000000', expiresOn: '2028-03-31', points: 300 }],
    by: { kind: 'customer', id: '01JCUSTOMER0000000000000000' },
  }),
  key: (e) => clubKeys.entry(e.customerId, e.at, e.id),
  fields: {
    customerId: field.string,
    id: field.string,
    kind: field.oneOf(ENTRY_KINDS),
    points: field.number,
    at: field.string,
    rulesVersion: field.string,
    source: field.optional(field.map<{ type: string; id: string }>()),
    draws: field.optional(field.listOfMaps<LotDraw>()),
    lotId: field.optional(field.string),
    owedChange: field.optional(field.number),
    reverses: field.optional(field.string),
    reason: field.optional(field.string),
    by: field.optional(field.map<Author>()),
  },
});

/** The idempotency key of an accrual: at most one per source document, ever. */
export interface AccrualMarkerRecord {
  customerId: string;
  source: AccrualSourceRef;
  entryId: string;
  entryAt: string;
  points: number;
  /** The lot the accrual made (none when all of it settled what was owed). */
  lot?: { id: string; expiresOn: string };
  /** Set, once, by the reversal of these points. */
  reversedBy?: string;
}

export const accrualMarkerEntity = defineEntity<AccrualMarkerRecord>({
  name: 'ClubAccrualSource',
  example: () => ({
    customerId: '01JCUSTOMER0000000000000000',
    source: { type: 'ORDER', id: '01JORDER000000000000000000' },
    entryId: '01JENTRY000000000000000000',
    entryAt: '2026-03-01T09:30:00.000Z',
    points: 180,
    lot: { id: '01JLOT00000000000000000000', expiresOn: '2028-03-31' },
  }),
  key: (m) => clubKeys.source(m.customerId, m.source),
  fields: {
    customerId: field.string,
    source: field.map<AccrualSourceRef>(),
    entryId: field.string,
    entryAt: field.string,
    points: field.number,
    lot: field.optional(field.map<{ id: string; expiresOn: string }>()),
    reversedBy: field.optional(field.string),
  },
});


/** The idempotency key of giving a redemption back: at most once per redemption. */
export interface RedemptionReturnRecord {
  customerId: string;
  redemptionEntryId: string;
  /** The REVERSAL entry that gave the points back. */
  entryId: string;
  at: string;
}

export const redemptionReturnEntity = defineEntity<RedemptionReturnRecord>({
  name: 'ClubRedemptionReturn',
  example: () => ({ customerId: '01JCUSTOMER0000000000000000', redemptionEntryId: '01JENTRY000000000000000000', entryId: '01JENTRY000000000000000001', at: '2026-04-03T10:00:00.000Z' }),
  key: (r) => clubKeys.returned(r.customerId, r.redemptionEntryId),
  fields: { customerId: field.string, redemptionEntryId: field.string, entryId: field.string, at: field.string },
});

/** The last membership number drawn (an atomic `ADD`; the number is `PC` and it, 8 digits). */
export interface MemberNumberCounterRecord {
  last: number;
}

export const memberNumberCounterEntity = defineEntity<MemberNumberCounterRecord>({
  name: 'ClubMemberNumberCounter',
  example: () => ({ last: 42 }),
  key: () => clubKeys.numberCounter,
  fields: { last: field.number },
});
