import { describe, expect, it } from 'vitest';
import { lotAction } from '../../src/club/club-job.js';
import { lotEntity, membershipEntity, type LedgerEntryRecord, type LotRecord } from '../../src/club/club-records.js';
import { balanceOf, earnsOnDocumentOf, expiresOnFor, expiryDayFor, levelFor, levelReviewOnFor, lotDueOn, planDraws, pointsFor, prunedQualifying, qualifyingPointsAt, relevel, settleOwed, warnOnFor } from '../../src/club/ledger.js';
import { ledgerDiscrepancies } from '../../src/club/ledger-consistency.js';
import { sourceDocumentId } from '../../src/club/membership-service.js';
import { toGlobalId } from '../../src/shared/ids.js';

const lot = (id: string, remaining: number, expiresOn: string, overrides: Partial<LotRecord> = {}): LotRecord =>
  lotEntity.make({ id, points: remaining, remaining, expiresOn, earnedAt: '2026-01-01T00:00:00.000Z', availableFrom: '2026-01-15T00:00:00.000Z', warned: false, ...overrides });
const AT = '2026-03-01T10:00:00.000Z';

describe('Club ledger rules', () => {
  it('expires points at the end of the month 24 months after they were earned, warns 30 days before, expires the day after', () => {
    expect(expiresOnFor('2026-03-01T09:30:00.000Z')).toBe('2028-03-31');
    expect(expiresOnFor('2026-01-31T23:59:59.000Z')).toBe('2028-01-31');
    expect(expiresOnFor('2026-02-15T00:00:00.000Z')).toBe('2028-02-29');
    expect(warnOnFor('2028-03-31')).toBe('2028-03-01');
    expect(expiryDayFor('2028-02-29')).toBe('2028-03-01');
    expect(lotDueOn({ warned: false, expiresOn: '2028-03-31' })).toBe('2028-03-01');
    expect(lotDueOn({ warned: true, expiresOn: '2028-03-31' })).toBe('2028-04-01');
  });

  it('earns rate × level multiplier, rounded down once', () => {
    expect(pointsFor('SERVICE_VISIT', 45_000, 'MEMBER')).toBe(450);
    expect(pointsFor('SERVICE_VISIT', 45_000, 'SILVER')).toBe(562);
    expect(pointsFor('ORDER', 9_999, 'GOLD')).toBe(299); // 99.99 × 2 × 1.5 = 299.97
    expect(pointsFor('VEHICLE_PURCHASE', 12_000_000, 'MEMBER')).toBe(12_000);
    expect(pointsFor('FINANCE_CONTRACT', 5_000_000, 'PLATINUM')).toBe(5_000);
    expect(pointsFor('ORDER', -100, 'MEMBER')).toBe(0);
  });

  it('rests the level on qualifying points of the last 12 calendar months, never the balance', () => {
    const q = { '2025-03': 4_000, '2025-09': 2_000, '2026-02': 10_000 };
    expect(qualifyingPointsAt(q, '2026-02-28T00:00:00.000Z')).toBe(16_000);
    expect(levelFor(q, '2026-02-28T00:00:00.000Z')).toBe('GOLD');
    expect(levelFor(q, '2026-03-01T00:00:00.000Z')).toBe('SILVER'); // March 2025 left the window
    expect(levelFor({}, AT)).toBe('MEMBER');
    expect(levelFor({ '2026-03': 40_000 }, AT)).toBe('PLATINUM');
    expect(prunedQualifying(q, '2026-03-01T00:00:00.000Z')).toEqual({ '2025-09': 2_000, '2026-02': 10_000 });
  });

  it('reviews a level on the first day its oldest month with points leaves the window, never the lowest level', () => {
    expect(levelReviewOnFor({ '2025-03': 4_000, '2026-02': 10_000 }, 'GOLD', '2026-02-10T00:00:00.000Z')).toBe('2026-03-01');
    expect(levelReviewOnFor({ '2026-02': 10_000 }, 'MEMBER', '2026-02-10T00:00:00.000Z')).toBeUndefined();
    const m = membershipEntity.make({ level: 'GOLD', levelSince: '2026-02-01T00:00:00.000Z' });
    expect(relevel(m, { '2025-03': 4_000, '2026-02': 12_000 }, '2026-03-01T00:00:00.000Z')).toEqual({ qualifying: { '2026-02': 12_000 }, level: 'SILVER', levelSince: '2026-03-01T00:00:00.000Z', levelReviewOn: '2027-02-01' });
    expect(relevel(m, { '2026-02': 20_000 }, AT).levelSince).toBe('2026-02-01T00:00:00.000Z');
  });

  it('shows available (spendable less owed, down to −cap), pending and debt', () => {
    const lots = [lot('A', 100, '2027-01-31'), lot('B', 50, '2027-02-28', { availableFrom: '2026-03-10T00:00:00.000Z' }), lot('C', 70, '2026-02-28'), lot('D', 30, '2028-01-31', { expiredAt: AT })];
    expect(balanceOf({ level: 'MEMBER', owed: 0 }, lots, AT)).toEqual({ available: 100, pending: 50, debt: 0 });
    expect(balanceOf({ level: 'SILVER', owed: 800 }, [], AT)).toEqual({ available: -500, pending: 0, debt: 300 });
    expect(balanceOf({ level: 'MEMBER', owed: 20 }, [], AT)).toEqual({ available: 0, pending: 0, debt: 20 });
  });

  it('draws the soonest-expiring spendable lots first, a named lot before all, pending lots only for corrections', () => {
    const lots = [lot('A', 100, '2027-01-31'), lot('B', 50, '2026-12-31'), lot('P', 500, '2026-11-30', { availableFrom: '2026-03-10T00:00:00.000Z' }), lot('X', 80, '2026-02-28')];
    expect(planDraws(lots, 80, AT)).toEqual({ draws: [{ lotId: 'B', expiresOn: '2026-12-31', points: 50 }, { lotId: 'A', expiresOn: '2027-01-31', points: 30 }], short: 0 });
    expect(planDraws(lots, 200, AT)).toEqual({ draws: [{ lotId: 'B', expiresOn: '2026-12-31', points: 50 }, { lotId: 'A', expiresOn: '2027-01-31', points: 100 }], short: 50 });
    expect(planDraws(lots, 200, AT, { includePending: true }).draws.map((d) => [d.lotId, d.points])).toEqual([['B', 50], ['A', 100], ['P', 50]]);
    expect(planDraws(lots, 120, AT, { includePending: true, first: 'P' }).draws.map((d) => [d.lotId, d.points])).toEqual([['P', 120]]);
  });

  it('earns on documents dated on a day the customer was a member: not before the day they joined, not between leaving and rejoining', () => {
    const joined = { joinedAt: '2026-03-10T15:00:00.000Z' };
    expect(earnsOnDocumentOf(joined, '2026-03-09T23:59:59.000Z')).toBe(false);
    expect(earnsOnDocumentOf(joined, '2024-01-01T00:00:00.000Z')).toBe(false);
    expect(earnsOnDocumentOf(joined, '2026-03-10T00:00:00.000Z')).toBe(true);
    const rejoined = { ...joined, gaps: [{ from: '2026-05-01T10:00:00.000Z', to: '2026-06-01T10:00:00.000Z' }] };
    expect(earnsOnDocumentOf(rejoined, '2026-04-30T10:00:00.000Z')).toBe(true);
    expect(earnsOnDocumentOf(rejoined, '2026-05-01T18:00:00.000Z')).toBe(true);
    expect(earnsOnDocumentOf(rejoined, '2026-05-02T10:00:00.000Z')).toBe(false);
    expect(earnsOnDocumentOf(rejoined, '2026-05-31T23:00:00.000Z')).toBe(false);
    expect(earnsOnDocumentOf(rejoined, '2026-06-01T00:00:00.000Z')).toBe(true);
    // Left and rejoined twice: the earlier gap still earns nothing, nor the later one
    const twice = { ...joined, gaps: [...rejoined.gaps, { from: '2026-07-01T10:00:00.000Z', to: '2026-08-01T10:00:00.000Z' }] };
    expect(earnsOnDocumentOf(twice, '2026-05-15T10:00:00.000Z')).toBe(false);
    expect(earnsOnDocumentOf(twice, '2026-07-15T10:00:00.000Z')).toBe(false);
    expect(earnsOnDocumentOf(twice, '2026-06-15T10:00:00.000Z')).toBe(true);
  });

  it('settles what is owed before making a lot', () => {
    expect(settleOwed(0, 100)).toEqual({ settled: 0, toLot: 100 });
    expect(settleOwed(30, 100)).toEqual({ settled: 30, toLot: 70 });
    expect(settleOwed(300, 100)).toEqual({ settled: 100, toLot: 0 });
  });

  it('tells the job what a lot found in the schedule needs', () => {
    expect(lotAction(lot('A', 10, '2026-03-31'), '2026-03-01')).toBe('WARN');
    expect(lotAction(lot('A', 10, '2026-03-31', { warned: true }), '2026-04-01')).toBe('EXPIRE');
    expect(lotAction(lot('A', 10, '2026-03-31'), '2026-04-01')).toBe('EXPIRE'); // too late to warn
    expect(lotAction(lot('A', 0, '2026-03-31'), '2026-03-01')).toBe('DROP');
    expect(lotAction(lot('A', 10, '2026-03-31', { warned: true }), '2026-03-01')).toBe('MOVE');
  });

  it('names the source document by the id the ledger keeps, from a global id or the id itself', () => {
    expect(sourceDocumentId('SERVICE_VISIT', toGlobalId('ServiceVisit', 'WP0ZZZ99ZTS392124|2026-03-01T09:30:00.000Z|01JNZ3M6Q8T2V4W5X6Y7Z8A9B0'))).toBe('01JNZ3M6Q8T2V4W5X6Y7Z8A9B0');
    expect(sourceDocumentId('VEHICLE_PURCHASE', toGlobalId('Vehicle', 'WP0ZZZ99ZTS392124'))).toBe('WP0ZZZ99ZTS392124');
    expect(sourceDocumentId('ORDER', '01JORDER000000000000000000')).toBe('01JORDER000000000000000000');
    expect(sourceDocumentId('ORDER', 'a b')).toBeNull();
    expect(sourceDocumentId('SERVICE_VISIT', toGlobalId('ServiceVisit', 'nonsense'))).toBeNull();
  });
});

describe('Ledger consistency check', () => {
  const m = membershipEntity.make({ customerId: 'C', balance: 70, owed: 0 });
  const entries: LedgerEntryRecord[] = [
    { customerId: 'C', id: 'E1', kind: 'ACCRUAL', points: 100, at: '2026-01-01T00:00:00.000Z', rulesVersion: 'v', lotId: 'L1' },
    { customerId: 'C', id: 'E2', kind: 'REDEMPTION', points: -30, at: '2026-02-01T00:00:00.000Z', rulesVersion: 'v', draws: [{ lotId: 'L1', expiresOn: '2027-01-31', points: 30 }] },
  ];
  const lots = [lot('L1', 70, '2027-01-31', { points: 100 })];

  it('finds nothing wrong in a consistent ledger', () => {
    expect(ledgerDiscrepancies(m, lots, entries, AT)).toEqual([]);
  });

  it('names every disagreement: a balance, a lot, an entry whose draws do not add up, a debt beside points', () => {
    expect(ledgerDiscrepancies({ ...m, balance: 71 }, lots, entries, AT).map((d) => d.check)).toEqual(['BALANCE_IS_SUM_OF_ENTRIES', 'LOTS_LESS_OWED_IS_BALANCE']);
    expect(ledgerDiscrepancies(m, [{ ...lots[0]!, remaining: 69 }], entries, AT).map((d) => d.check)).toEqual(['LOTS_LESS_OWED_IS_BALANCE', 'LOT_REMAINING']);
    const badDraws = [entries[0]!, { ...entries[1]!, draws: [{ lotId: 'L1', expiresOn: '2027-01-31', points: 20 }] }];
    expect(ledgerDiscrepancies(m, lots, badDraws, AT).map((d) => d.check)).toEqual(['ENTRY_DRAWS', 'LOT_REMAINING']);
    expect(ledgerDiscrepancies({ ...m, owed: 10, balance: 60 }, lots, [...entries, { customerId: 'C', id: 'E3', kind: 'ADJUSTMENT', points: -10, at: AT, rulesVersion: 'v', draws: [], owedChange: -10 }], AT).map((d) => d.check)).toEqual([
      'OWED_WITH_POINTS_IN_LOTS',
    ]);
  });
});
