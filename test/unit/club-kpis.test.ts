import { describe, expect, it } from 'vitest';
import { clubKpiRollupEntity, emptyMemberSums } from '../../src/club-kpis/club-kpi-records.js';
import { addEvent, addMember, isPastEvent, rate, toClubKpiView } from '../../src/club-kpis/club-kpis.js';
import { emptyAggregates } from '../../src/customer/profile-aggregates.js';
import { membershipEntity } from '../../src/club/club-records.js';

const purchase = (at: string) => ({ at, vin: 'V', dealerId: 'D1', modelLine: 'MACAN' as const, variant: 'Macan', powertrain: 'PETROL' as const, priceMinor: 1 });

describe('Club KPIs (pure)', () => {
  it('counts an active member by level and as a buyer at the basis month’s end; a former member only by points', () => {
    // Prepare
    const s = emptyMemberSums();
    const end = Date.parse('2026-11-30T23:59:59.999Z');
    const twoCars = { aggregates: { ...emptyAggregates(), purchases: [purchase('2025-01-01T00:00:00.000Z'), purchase('2026-12-02T00:00:00.000Z')] } };

    // Act
    addMember(s, membershipEntity.make({ status: 'ACTIVE', level: 'GOLD', balance: 100, owed: 20, earnedTotal: 500, redeemedTotal: 380, expiredTotal: 0 }), twoCars, end);
    addMember(s, membershipEntity.make({ status: 'LEFT', level: 'SILVER', balance: 50, owed: 0, earnedTotal: 50, redeemedTotal: 0, expiredTotal: 10 }), twoCars, end);
    addMember(s, membershipEntity.make({ status: 'ACTIVE', level: 'MEMBER', balance: 0, owed: 0, earnedTotal: 0, redeemedTotal: 0, expiredTotal: 0 }), undefined, end);

    // Assess: the second car is after the basis month, so not (yet) a repeat buyer
    expect(s).toEqual({ active: 2, former: 1, byLevel: { MEMBER: 1, SILVER: 0, GOLD: 1, PLATINUM: 0 }, pointsOutstanding: 170, pointsOwed: 20, pointsEarned: 550, pointsRedeemed: 380, pointsExpired: 10, buyers: 1, repeatBuyers: 0, withoutProfile: 1 });
  });

  it('counts only events held and over', () => {
    const now = '2026-12-01T03:00:00.000Z';
    expect(isPastEvent({ status: 'SCHEDULED', endsAt: '2026-12-01T03:00:00.000Z' }, now)).toBe(true);
    expect(isPastEvent({ status: 'SCHEDULED', endsAt: '2026-12-01T03:00:00.001Z' }, now)).toBe(false);
    expect(isPastEvent({ status: 'CANCELLED', endsAt: '2026-01-01T00:00:00.000Z' }, now)).toBe(false);
    const e = { from: '2025-12-01', events: 0, capacity: 0, confirmedSeats: 0, checkedInSeats: 0 };
    addEvent(e, { capacity: 12, confirmedSeats: 9, checkedInSeats: 7 });
    expect(e).toEqual({ from: '2025-12-01', events: 1, capacity: 12, confirmedSeats: 9, checkedInSeats: 7 });
  });

  it('answers no ratio where there is nothing to divide by, and no split before the first scores run or a year of roll-ups', () => {
    expect(rate(0, 0)).toEqual({ value: null, part: 0, whole: 0 });
    expect(rate(2, 3)).toEqual({ value: 0.667, part: 2, whole: 3 });
    const view = toClubKpiView({ ...clubKpiRollupEntity.make(), brandBuyers: undefined, last12Months: undefined, events: { from: '2025-11-21', events: 0, capacity: 0, confirmedSeats: 0, checkedInSeats: 0 } });
    expect(view).toMatchObject({ repeatPurchaseBasis: null, repeatPurchaseRateMembers: null, repeatPurchaseRateNonMembers: null, redemptionRateLast12Months: null, last12MonthsSince: null, eventFillRate: { value: null }, eventNoShowRate: { value: null } });
    expect(view.pointsLiabilityEurMinor).toBe(1_250_000);
  });
});
