import type { MembershipRecord } from '../club/club-records.js';
import { CLUB_LEVELS, type ClubLevel } from '../club/rules.js';
import type { CustomerRecord } from '../customer/customer.js';
import type { ClubEventRecord } from '../events/event-records.js';
import { buyerStanding } from '../value/kpis.js';
import type { ClubKpiRollupRecord, EventSums, MemberSums } from './club-kpi-records.js';

/**
 * The club's KPIs, pure: how one membership and one past event add to the roll-up's sums,
 * and the ratios read from them. Definitions (what the README states):
 *
 * - Active members: memberships with status ACTIVE, also by level.
 * - Points liability: points outstanding — every point in a lot, pending ones included,
 *   i.e. Σ (balance + owed) — × the value of a point (`pointValueEurMinor`), in EUR.
 * - Redemption rate: points redeemed ÷ points earned, lifetime and over the last 12
 *   months (the difference to the roll-up of a year before); both net of reversals.
 * - Event fill rate: confirmed seats ÷ capacity, no-show rate: confirmed seats not checked
 *   in ÷ confirmed seats — of the events that started in the 12 months before the day
 *   and have ended (cancelled ones left out).
 * - Repeat purchase, members vs non-members: of customers with a car bought, the share
 *   with two or more — members (active) from their profiles, non-members as the brand's
 *   figure of the same month (value KPIs) minus the members'.
 */

/** Adds one membership, and an active member's profile (undefined when erased), to the sums; `end` is the repeat-purchase basis (epoch ms), none before any scores run. */
export function addMember(s: MemberSums, m: Pick<MembershipRecord, 'status' | 'level' | 'balance' | 'owed' | 'earnedTotal' | 'redeemedTotal' | 'expiredTotal'>, profile: Pick<CustomerRecord, 'aggregates'> | undefined, end: number | undefined): void {
  s.pointsOutstanding += m.balance + m.owed;
  s.pointsOwed += m.owed;
  s.pointsEarned += m.earnedTotal;
  s.pointsRedeemed += m.redeemedTotal;
  s.pointsExpired += m.expiredTotal;
  if (m.status !== 'ACTIVE') {
    s.former += 1;
    return;
  }
  s.active += 1;
  s.byLevel[m.level] += 1;
  if (!profile) {
    s.withoutProfile += 1;
    return;
  }
  if (end === undefined) return;
  const standing = buyerStanding(profile.aggregates, end);
  if (standing.buyer) s.buyers += 1;
  if (standing.repeat) s.repeatBuyers += 1;
}

/** Whether an event counts for the fill and no-show rates on `now`: held (not cancelled) and over. */
export function isPastEvent(e: Pick<ClubEventRecord, 'status' | 'endsAt'>, now: string): boolean {
  return e.status === 'SCHEDULED' && e.endsAt <= now;
}

/** Adds a past event's seats (see {@link isPastEvent}). */
export function addEvent(s: EventSums, e: Pick<ClubEventRecord, 'capacity' | 'confirmedSeats' | 'checkedInSeats'>): void {
  s.events += 1;
  s.capacity += e.capacity;
  s.confirmedSeats += e.confirmedSeats;
  s.checkedInSeats += e.checkedInSeats;
}

/** A share and what it rests on. */
export interface ClubRate {
  /** part ÷ whole, three decimals; null when the whole is 0. */
  value: number | null;
  part: number;
  whole: number;
}

export const rate = (part: number, whole: number): ClubRate => ({ value: whole > 0 ? Math.round((part / whole) * 1000) / 1000 : null, part, whole });

export interface ClubKpiView {
  asOf: string;
  computedAt: string;
  activeMembers: number;
  formerMembers: number;
  activeMembersByLevel: { level: ClubLevel; members: number }[];
  pointsOutstanding: number;
  pointsOwed: number;
  pointsEarned: number;
  pointsRedeemed: number;
  pointsExpired: number;
  pointValueEurMinor: number;
  /** pointsOutstanding × pointValueEurMinor. */
  pointsLiabilityEurMinor: number;
  redemptionRate: ClubRate;
  /** Null until a roll-up of a year before exists. */
  redemptionRateLast12Months: ClubRate | null;
  last12MonthsSince: string | null;
  eventsFrom: string;
  pastEvents: number;
  eventFillRate: ClubRate;
  eventNoShowRate: ClubRate;
  /** The value KPI month the repeat-purchase figures rest on; null before any scores run. */
  repeatPurchaseBasis: string | null;
  repeatPurchaseRateMembers: ClubRate | null;
  repeatPurchaseRateNonMembers: ClubRate | null;
}

/** The figures of a roll-up. */
export function toClubKpiView(r: ClubKpiRollupRecord): ClubKpiView {
  const m = r.members;
  const e = r.events;
  const brand = r.brandBuyers;
  return {
    asOf: r.day,
    computedAt: r.computedAt,
    activeMembers: m.active,
    formerMembers: m.former,
    activeMembersByLevel: CLUB_LEVELS.map((level) => ({ level, members: m.byLevel[level] ?? 0 })),
    pointsOutstanding: m.pointsOutstanding,
    pointsOwed: m.pointsOwed,
    pointsEarned: m.pointsEarned,
    pointsRedeemed: m.pointsRedeemed,
    pointsExpired: m.pointsExpired,
    pointValueEurMinor: r.pointValueEurMinor,
    pointsLiabilityEurMinor: m.pointsOutstanding * r.pointValueEurMinor,
    redemptionRate: rate(m.pointsRedeemed, m.pointsEarned),
    redemptionRateLast12Months: r.last12Months ? rate(r.last12Months.pointsRedeemed, r.last12Months.pointsEarned) : null,
    last12MonthsSince: r.last12Months?.since ?? null,
    eventsFrom: e.from,
    pastEvents: e.events,
    eventFillRate: rate(e.confirmedSeats, e.capacity),
    eventNoShowRate: rate(e.confirmedSeats - e.checkedInSeats, e.confirmedSeats),
    repeatPurchaseBasis: brand?.period ?? null,
    repeatPurchaseRateMembers: brand ? rate(m.repeatBuyers, m.buyers) : null,
    // The brand's figure counts everyone; a member who bought since the scores run may tip it below zero for a day.
    repeatPurchaseRateNonMembers: brand ? rate(Math.max(0, brand.repeatBuyers - m.repeatBuyers), Math.max(0, brand.buyers - m.buyers)) : null,
  };
}
