import { describe, expect, it } from 'vitest';
import { emptyVehicleCounts } from '../../src/customer/customer.js';
import { responsibleDealer } from '../../src/offers/decide.js';
import { allChecks, eligibilityChecks, eurText, matchingInterests, offerChecks } from '../../src/offers/eligibility.js';
import { byRank, rankReason, scoreOffer } from '../../src/offers/ranking.js';
import { cayenneOwner, DEALER_A, DEALER_B, NOW, offer, scores, storedCatalogue } from './offers-fixtures.js';

const holds = (checks: { holds: boolean }[]) => checks.every((c) => c.holds);

describe('Offer eligibility, rule by rule', () => {
  it('checks tier, segment and CLV against the latest scores, and fails them closed without scores', () => {
    // Prepare
    const customer = cayenneOwner();
    // Act
    const checks = eligibilityChecks({ tiers: ['GOLD', 'PLATINUM'], segments: ['PERFORMANCE_ENTHUSIAST', 'FAMILY_SUV'], minClvEur: 250_000 }, customer, false, NOW);
    const silver = eligibilityChecks({ tiers: ['GOLD', 'PLATINUM'], minClvEur: 400_000 }, cayenneOwner({ value: scores({ tier: 'SILVER' }) }), false, NOW);
    const unscored = eligibilityChecks({ tiers: ['GOLD'], segments: ['FAMILY_SUV'], minClvEur: 1 }, cayenneOwner({ value: undefined }), false, NOW);
    // Assess
    expect(checks).toEqual([
      { factor: 'tier', holds: true, detail: 'tier GOLD is one of GOLD, PLATINUM' },
      { factor: 'segment', holds: true, detail: 'segment FAMILY_SUV is one of PERFORMANCE_ENTHUSIAST, FAMILY_SUV' },
      { factor: 'clv', holds: true, detail: 'CLV EUR 300,000 is at least EUR 250,000' },
    ]);
    expect(silver).toEqual([
      { factor: 'tier', holds: false, detail: 'tier SILVER is not one of GOLD, PLATINUM' },
      { factor: 'clv', holds: false, detail: 'CLV EUR 300,000 is below EUR 400,000' },
    ]);
    expect(unscored.map((c) => c.holds)).toEqual([false, false, false]);
  });

  it('reads owned model lines from the car counts and powertrains from the cars still owned', () => {
    const customer = cayenneOwner();
    expect(eligibilityChecks({ ownsModelLines: ['NINE_ELEVEN', 'CAYENNE'], notOwnsModelLines: ['TAYCAN'], ownsPowertrains: ['PETROL', 'HYBRID'] }, customer, false, NOW)).toEqual([
      { factor: 'ownsModelLines', holds: true, detail: 'owns 1 CAYENNE (one of NINE_ELEVEN, CAYENNE needed)' },
      { factor: 'notOwnsModelLines', holds: true, detail: 'owns no car of TAYCAN' },
      { factor: 'ownsPowertrains', holds: true, detail: 'owns a PETROL Cayenne S (PETROL, HYBRID needed)' },
    ]);
    expect(holds(eligibilityChecks({ notOwnsModelLines: ['CAYENNE'] }, customer, false, NOW))).toBe(false);
    // Sold the Cayenne: the purchase stays in the history, the car no longer counts.
    const sold = cayenneOwner({ vehicleVins: [], vehicleCounts: emptyVehicleCounts() });
    expect(eligibilityChecks({ ownsModelLines: ['CAYENNE'], ownsPowertrains: ['PETROL'] }, sold, false, NOW)).toEqual([
      { factor: 'ownsModelLines', holds: false, detail: 'owns no car of CAYENNE' },
      { factor: 'ownsPowertrains', holds: false, detail: 'owns no PETROL car' },
    ]);
  });

  it('matches interests by line and variant/topic text, counting keys seen within the window (inclusive)', () => {
    const customer = cayenneOwner();
    expect(matchingInterests({ modelLine: 'CAYENNE', detail: 'TURBO', minCount: 1, withinDays: 180 }, customer, NOW)).toEqual([{ key: 'CAYENNE|Cayenne Turbo', count: 2, last: '2026-02-20T10:00:00.000Z' }]);
    // 'ANY|track' was last seen on 2025-01-01: outside 180 days, inside 425.
    expect(matchingInterests({ detail: 'track', minCount: 1, withinDays: 180 }, customer, NOW)).toEqual([]);
    expect(matchingInterests({ detail: 'track', minCount: 1, withinDays: 365 + 60 }, customer, NOW)).toHaveLength(1);
    // Exactly withinDays ago still counts: the Cayenne Turbo key was seen 2026-02-20T10:00, now is 2026-03-01T04:00 (8.75 days).
    expect(matchingInterests({ modelLine: 'CAYENNE', minCount: 1, withinDays: 8.75 }, customer, NOW)).toHaveLength(1);
    expect(matchingInterests({ modelLine: 'CAYENNE', minCount: 1, withinDays: 8 }, customer, NOW)).toHaveLength(0);
    expect(eligibilityChecks({ interests: [{ modelLine: 'TAYCAN', minCount: 3, withinDays: 90 }, { modelLine: 'CAYENNE', detail: 'turbo', minCount: 3, withinDays: 90 }] }, customer, false, NOW)).toEqual([
      { factor: 'interests', holds: true, detail: '4 interactions with TAYCAN interests seen within 90 days, the latest on 2026-02-25 (at least 3 needed)' },
      { factor: 'interests', holds: false, detail: '2 interactions with CAYENNE "turbo" interests seen within 90 days, the latest on 2026-02-20 (at least 3 needed)' },
    ]);
  });

  it('finds a finance contract of the given kinds ending between today and N months ahead, both days inclusive', () => {
    const lease = (endDate: string, kind: 'LOAN' | 'LEASE' = 'LEASE') => cayenneOwner({
      aggregates: { ...cayenneOwner().aggregates, finance: [{ kind, vin: 'WP1ZZZ9YZLDA00001', principalMinor: 6_000_000, monthlyMinor: 90_000, startDate: '2023-06-01', endDate }] },
    });
    const rule = { financeEndingWithinMonths: 3, financeKinds: ['LEASE' as const] };
    expect(eligibilityChecks(rule, lease('2026-06-01'), false, NOW)).toEqual([{ factor: 'financeEnding', holds: true, detail: 'LEASE contract ends on 2026-06-01, within 3 months of 2026-03-01 (by 2026-06-01)' }]);
    expect(holds(eligibilityChecks(rule, lease('2026-03-01'), false, NOW))).toBe(true);
    expect(eligibilityChecks(rule, lease('2026-06-02'), false, NOW)).toEqual([{ factor: 'financeEnding', holds: false, detail: 'no LEASE contract ends between 2026-03-01 and 2026-06-01' }]);
    expect(holds(eligibilityChecks(rule, lease('2026-02-28'), false, NOW))).toBe(false);
    expect(holds(eligibilityChecks(rule, lease('2026-04-01', 'LOAN'), false, NOW))).toBe(false);
    expect(holds(eligibilityChecks({ financeEndingWithinMonths: 3 }, lease('2026-04-01', 'LOAN'), false, NOW))).toBe(true);
  });

  it('places the customer in a budget band by the highest car price ever paid; no car bought, no band', () => {
    expect(eligibilityChecks({ minSpentEur: 60_000, maxSpentEur: 98_000 }, cayenneOwner(), false, NOW)).toEqual([{ factor: 'budget', holds: true, detail: 'highest car price paid EUR 98,000 is within EUR 60,000 to EUR 98,000' }]);
    expect(holds(eligibilityChecks({ maxSpentEur: 97_999 }, cayenneOwner(), false, NOW))).toBe(false);
    expect(eligibilityChecks({ maxSpentEur: 110_000 }, cayenneOwner({ aggregates: { ...cayenneOwner().aggregates, purchases: [] } }), false, NOW)).toEqual([{ factor: 'budget', holds: false, detail: 'no car bought yet, so no budget band (any to EUR 110,000 needed)' }]);
  });

  it('asks for club membership or its absence', () => {
    expect(eligibilityChecks({ clubMember: false }, cayenneOwner(), false, NOW)).toEqual([{ factor: 'club', holds: true, detail: 'is not a club member' }]);
    expect(eligibilityChecks({ clubMember: false }, cayenneOwner(), true, NOW)).toEqual([{ factor: 'club', holds: false, detail: 'is an active club member, the offer is for non-members' }]);
    expect(holds(eligibilityChecks({ clubMember: true }, cayenneOwner(), true, NOW))).toBe(true);
  });

  it('constrains nothing with no rules', () => {
    expect(eligibilityChecks({}, cayenneOwner({ value: undefined }), false, NOW)).toEqual([]);
  });

  it('needs the offer active and within its days (inclusive), a granted consent on its channel and scores', () => {
    const customer = cayenneOwner();
    const taycan = offer('TAYCAN_TEST_DRIVE');
    expect(offerChecks(taycan, customer, NOW)).toEqual([
      { factor: 'status', holds: true, detail: 'offer is active' },
      { factor: 'validity', holds: true, detail: 'offer runs 2026-01-01 to 2027-12-31, today is 2026-03-01' },
      { factor: 'consent', holds: true, detail: 'EMAIL consent granted on 2025-06-01 (owners-app)' },
      { factor: 'scores', holds: true, detail: 'scored by value-2026.1 on 2026-03-01' },
    ]);
    expect(holds(offerChecks({ ...taycan, validUntil: '2026-03-01' }, customer, new Date('2026-03-01T23:59:59.999Z')))).toBe(true);
    expect(holds(offerChecks({ ...taycan, validUntil: '2026-02-28' }, customer, NOW))).toBe(false);
    expect(holds(offerChecks({ ...taycan, validFrom: '2026-03-02' }, customer, NOW))).toBe(false);
    expect(offerChecks({ ...taycan, status: 'RETIRED' }, customer, NOW)[0]).toEqual({ factor: 'status', holds: false, detail: 'offer was retired' });
    // Fail closed: no consent recorded is a refusal, as is a withdrawn one.
    expect(offerChecks({ ...taycan, channel: 'SMS' }, customer, NOW)[2]).toEqual({ factor: 'consent', holds: false, detail: 'no SMS consent recorded' });
    const withdrawn = cayenneOwner({ consents: { EMAIL: { channel: 'EMAIL', granted: false, source: 'owners-app', recordedAt: '2026-02-10T08:00:00.000Z' } } });
    expect(offerChecks(taycan, withdrawn, NOW)[2]).toEqual({ factor: 'consent', holds: false, detail: 'EMAIL consent withdrawn on 2026-02-10' });
    expect(offerChecks(taycan, cayenneOwner({ value: undefined }), NOW)[3]).toEqual({ factor: 'scores', holds: false, detail: 'no scores yet' });
  });

  it('finds the default catalogue offers the Cayenne owner is eligible for', () => {
    const eligible = storedCatalogue().filter((o) => holds(allChecks(o, cayenneOwner(), false, NOW))).map((o) => o.code);
    expect(eligible).toEqual(['TAYCAN_TEST_DRIVE', 'CAYENNE_TURBO_UPGRADE', 'FINANCE_NEW_BUDGET', 'SERVICE_PACKAGE_3Y', 'CLUB_INVITATION']);
    expect(storedCatalogue().filter((o) => holds(allChecks(o, cayenneOwner(), true, NOW))).map((o) => o.code)).not.toContain('CLUB_INVITATION');
  });
});

describe('Offer ranking', () => {
  it('scores sales offers on the upgrade propensity and the rest on retention, lifted by interest affinity', () => {
    const customer = cayenneOwner();
    const value = customer.value!;
    // 0.26 × (1 + 2 ÷ 10) = 0.312 → 0.31; × EUR 25,000 = EUR 7,750.
    const upgrade = scoreOffer(offer('CAYENNE_TURBO_UPGRADE'), customer, value, NOW);
    expect(upgrade).toMatchObject({ base: 0.26, baseFrom: 'upgradePropensity', interestCount: 2, affinity: 0.2, propensity: 0.31, capped: false, expectedValueEurMinor: 775_000 });
    expect(rankReason(upgrade, 1, 4)).toEqual({ factor: 'rank', detail: 'rank 1 of 4: propensity 0.31 = upgrade propensity 0.26 × (1 + affinity 0.2), × EUR 25,000 = EUR 7,750' });
    // 1 − 0.2 = 0.8, no interest rules: 0.8 × EUR 1,800 = EUR 1,440.
    const service = scoreOffer(offer('SERVICE_PACKAGE_3Y'), customer, value, NOW);
    expect(service).toMatchObject({ base: 0.8, baseFrom: 'retention', affinity: 0, propensity: 0.8, expectedValueEurMinor: 144_000 });
    expect(rankReason(service, 2, 4).detail).toBe('rank 2 of 4: propensity 0.8 = retention 0.8 (1 − churn risk 0.2) × (1 + affinity 0), × EUR 1,800 = EUR 1,440');
  });

  it('saturates the affinity at 1 and caps the propensity at maxPropensity', () => {
    const customer = cayenneOwner({ aggregates: { ...cayenneOwner().aggregates, interestCounts: { 'TAYCAN|Taycan 4S': 40 } }, value: scores({ upgradePropensity: 0.6 }) });
    const scored = scoreOffer(offer('TAYCAN_TEST_DRIVE'), customer, customer.value!, NOW);
    expect(scored).toMatchObject({ affinity: 1, propensity: 0.95, capped: true, expectedValueEurMinor: 380_000 });
    expect(rankReason(scored, 1, 1).detail).toBe('rank 1 of 1: propensity 0.95 = min(0.95, upgrade propensity 0.6 × (1 + affinity 1)), × EUR 4,000 = EUR 3,800');
  });

  it('ranks by expected value, ties by code', () => {
    const customer = cayenneOwner();
    // TAYCAN_TEST_DRIVE: 0.26 × 1.4 = 0.364 → 0.36 × 4,000 = EUR 1,440, the same as the service package.
    const ranked = ['TAYCAN_TEST_DRIVE', 'CLUB_INVITATION', 'SERVICE_PACKAGE_3Y', 'CAYENNE_TURBO_UPGRADE'].map((code) => scoreOffer(offer(code), customer, customer.value!, NOW)).sort(byRank);
    expect(ranked.map((s) => [s.offer.code, s.expectedValueEurMinor])).toEqual([
      ['CAYENNE_TURBO_UPGRADE', 775_000],
      ['SERVICE_PACKAGE_3Y', 144_000],
      ['TAYCAN_TEST_DRIVE', 144_000],
      ['CLUB_INVITATION', 80_000],
    ]);
  });

  it('writes euros for humans', () => {
    expect([eurText(155_000), eurText(155_050), eurText(0), eurText(123_456_789)]).toEqual(['EUR 1,550', 'EUR 1,550.50', 'EUR 0', 'EUR 1,234,567.89']);
  });
});

describe('Responsible dealer', () => {
  it('is the linked dealer of the latest purchase or visit at a linked dealer, else the first linked, else none', () => {
    const customer = cayenneOwner();
    expect(responsibleDealer(customer)).toBe(DEALER_A);
    const laterAtB = { ...customer.aggregates, visits: [...customer.aggregates.visits, { at: '2026-01-15T08:00:00.000Z', dealerId: DEALER_B, revenueMinor: 0, waitMinutes: 0, firstTimeFix: true }] };
    expect(responsibleDealer(cayenneOwner({ aggregates: laterAtB }))).toBe(DEALER_B);
    const laterAtUnlinked = { ...customer.aggregates, visits: [...customer.aggregates.visits, { at: '2026-01-15T08:00:00.000Z', dealerId: '01JDEALERC0000000000000000', revenueMinor: 0, waitMinutes: 0, firstTimeFix: true }] };
    expect(responsibleDealer(cayenneOwner({ aggregates: laterAtUnlinked }))).toBe(DEALER_A);
    expect(responsibleDealer(cayenneOwner({ dealerIds: [DEALER_B] }))).toBe(DEALER_B);
    expect(responsibleDealer(cayenneOwner({ dealerIds: [] }))).toBeUndefined();
  });
});
