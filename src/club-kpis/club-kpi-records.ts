import { CLUB_LEVELS, type ClubLevel } from '../club/rules.js';
import { defineEntity, field } from '../store/entity.js';
import type { Key } from '../store/table.js';

/**
 * The club's KPI roll-up: the figures the brand's finance and club teams read, computed
 * once a day by the club run from every membership (and the active members' profiles),
 * the past events' seat counters and the brand's value KPIs, so that reading them is one
 * GetItem. One item per day (a year ago's is the base of the last-12-months figures, and
 * the days are the trend) plus the latest, which `clubKpis` reads.
 */

const CLUB_KPI = 'CLUBKPI';

export const clubKpiKeys = {
  /** The roll-up of one day (`YYYY-MM-DD`, UTC). */
  day: (day: string): Key => ({ PK: CLUB_KPI, SK: day }),
  /** A copy of the newest roll-up. */
  latest: { PK: CLUB_KPI, SK: 'LATEST' } as Key,
};

/** Sums over every membership, active or not. */
export interface MemberSums {
  active: number;
  /** Memberships that ended (LEFT): their points keep expiring; they may rejoin. */
  former: number;
  /** Active members by level. */
  byLevel: Record<ClubLevel, number>;
  /** Σ points in lots, pending included (Σ balance + owed over memberships, by the ledger's invariant). */
  pointsOutstanding: number;
  /** Σ points members owe (reversals after spending), not yet settled. */
  pointsOwed: number;
  /** Lifetime totals (net of reversals and returned redemptions). */
  pointsEarned: number;
  pointsRedeemed: number;
  pointsExpired: number;
  /** Active members with a car bought by the basis month's end, and those with two or more (the value KPI's definition). */
  buyers: number;
  repeatBuyers: number;
  /** Active members without a profile (erased): counted as members, not as buyers. */
  withoutProfile: number;
}

/** Seat counters summed over the events that ended in the window. */
export interface EventSums {
  /** First start counted (`YYYY-MM-DD`): a year before the roll-up's day. */
  from: string;
  events: number;
  capacity: number;
  confirmedSeats: number;
  checkedInSeats: number;
}

/** The brand's repeat-purchase sums of the value KPIs the members' are taken from. */
export interface BrandBuyers {
  /** The KPI month (`YYYY-MM`); members are counted at its end too. */
  period: string;
  buyers: number;
  repeatBuyers: number;
}

/** Points earned and redeemed since the roll-up of a year before. */
export interface PointsFlow {
  since: string;
  pointsEarned: number;
  pointsRedeemed: number;
}

export interface ClubKpiRollupRecord {
  day: string;
  computedAt: string;
  rulesVersion: string;
  /** The value of a point at the time (`ClubRules.pointValueEurMinor`). */
  pointValueEurMinor: number;
  members: MemberSums;
  events: EventSums;
  /** Absent before the first scores run. */
  brandBuyers?: BrandBuyers;
  /** Absent until a roll-up of a year before exists. */
  last12Months?: PointsFlow;
  /** Items the computation read (memberships, profiles, events and the few single items). */
  itemsRead: number;
}

const emptyLevels = () => Object.fromEntries(CLUB_LEVELS.map((l) => [l, 0])) as Record<ClubLevel, number>;

export function emptyMemberSums(): MemberSums {
  return { active: 0, former: 0, byLevel: emptyLevels(), pointsOutstanding: 0, pointsOwed: 0, pointsEarned: 0, pointsRedeemed: 0, pointsExpired: 0, buyers: 0, repeatBuyers: 0, withoutProfile: 0 };
}

export const clubKpiRollupEntity = defineEntity<ClubKpiRollupRecord>({
  name: 'ClubKpiRollup',
  example: () => ({
    day: '2026-11-21',
    computedAt: '2026-11-21T01:00:04.000Z',
    rulesVersion: 'club-2026.1',
    pointValueEurMinor: 1,
    members: { active: 120, former: 4, byLevel: { MEMBER: 80, SILVER: 25, GOLD: 12, PLATINUM: 3 }, pointsOutstanding: 1_250_000, pointsOwed: 500, pointsEarned: 2_000_000, pointsRedeemed: 600_000, pointsExpired: 150_500, buyers: 118, repeatBuyers: 77, withoutProfile: 0 },
    events: { from: '2025-11-21', events: 6, capacity: 120, confirmedSeats: 104, checkedInSeats: 93 },
    brandBuyers: { period: '2026-11', buyers: 200, repeatBuyers: 108 },
    last12Months: { since: '2025-11-21', pointsEarned: 900_000, pointsRedeemed: 310_000 },
    itemsRead: 250,
  }),
  key: (r) => clubKpiKeys.day(r.day),
  fields: {
    day: field.string,
    computedAt: field.string,
    rulesVersion: field.string,
    pointValueEurMinor: field.number,
    members: field.map<MemberSums>(),
    events: field.map<EventSums>(),
    brandBuyers: field.optional(field.map<BrandBuyers>()),
    last12Months: field.optional(field.map<PointsFlow>()),
    itemsRead: field.number,
  },
});
