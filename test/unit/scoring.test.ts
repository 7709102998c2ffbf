import { describe, expect, it } from 'vitest';
import { makeCustomer } from '../../src/customer/customer.js';
import { emptyAggregates, type CustomerAggregates, type PurchaseFact } from '../../src/customer/profile-aggregates.js';
import { VALUE_MODEL_VERSION } from '../../src/value/model.js';
import { carRank, retentionFactor, scoreCustomer, valueChanged } from '../../src/value/scoring.js';

const NOW = new Date('2026-12-01T02:00:00Z');
const purchase = (overrides: Partial<PurchaseFact> = {}): PurchaseFact => ({
  at: '2024-12-01T00:00:00.000Z',
  vin: 'WP0ZZZ95ZTS000001',
  dealerId: 'D1',
  modelLine: 'MACAN',
  variant: 'Macan',
  powertrain: 'PETROL',
  priceMinor: 10_000_000,
  ...overrides,
});
const visit = (at: string, revenueMinor = 60_000) => ({ at, dealerId: 'D1', revenueMinor, waitMinutes: 60, firstTimeFix: true });
const customer = (aggregates: Partial<CustomerAggregates>, birthDate?: string) => makeCustomer({ birthDate, aggregates: { ...emptyAggregates(), ...aggregates } });

describe('Function: scoreCustomer', () => {
  it('computes a Macan owner’s CLV by hand: history plus five discounted, retained years', () => {
    // Hand computation (see the README's value model):
    //   churn: z = −2.2 + 0.08 × 6 whole months since the last visit − 0.05 × 2 years tenure = −1.82 → 0.14
    //   upgrade: z = −2.6 + 0.6 (spent at least the 718's entry price) = −2.0 → 0.12
    //   retention factor: q = 0.86 / 1.08; q + q² + … + q⁵ = 2.6575
    //   vehicle: 100,000 + 25,000 × 0.88 × 2.6575 = 158,466 → 158,500
    //   upgrades: 25,000 × 0.12 × 1.15 × 2.6575 = 9,169 → 9,200
    //   service: 1,200 + 600 × 2.6575 = 2,795 → 2,800
    const value = scoreCustomer(customer({ purchases: [purchase()], visits: [visit('2025-06-01T00:00:00.000Z'), visit('2026-06-01T00:00:00.000Z')] }), NOW);
    expect(value).toMatchObject({
      churnRisk: 0.14,
      upgradePropensity: 0.12,
      components: { vehicle: 15_850_000, upgrades: 920_000, service: 280_000, merchandise: 0, finance: 0 },
      clvMinor: 17_050_000,
      currency: 'EUR',
      tier: 'SILVER',
      segment: 'FAMILY_SUV',
      benefits: [],
      modelVersion: VALUE_MODEL_VERSION,
      computedAt: NOW.toISOString(),
    });
    expect(retentionFactor(0.86)).toBeCloseTo(2.6575, 4);
  });

  it('puts a 911 Turbo S owner in the top tier with the exclusive service package', () => {
    const value = scoreCustomer(customer({ purchases: [purchase({ modelLine: 'NINE_ELEVEN', variant: '911 Turbo S', priceMinor: 24_500_000 })] }), NOW);
    expect(value.tier).toBe('PLATINUM');
    expect(value.benefits).toContain('EXCLUSIVE_SERVICE_PACKAGE');
    expect(value.segments).toContain('PERFORMANCE_ENTHUSIAST');
  });

  it('gives a young Macan owner the digital services package', () => {
    const value = scoreCustomer(customer({ purchases: [purchase()] }, '1995-04-02'), NOW);
    expect(value.segment).toBe('DIGITAL_FIRST');
    expect(value.benefits).toContain('DIGITAL_SERVICES_PACKAGE');
  });

  it('explains churn and upgrade with their top factors', () => {
    const value = scoreCustomer(
      customer({
        purchases: [purchase({ at: '2020-01-15T00:00:00.000Z', modelLine: 'CAYENNE', variant: 'Cayenne', priceMinor: 9_500_000 })],
        surveys: [{ at: '2026-10-01T00:00:00.000Z', kind: 'NPS', score: 4, touchpoint: 'SERVICE' }],
        finance: [{ kind: 'LEASE', vin: 'X', principalMinor: 8_000_000, monthlyMinor: 120_000, startDate: '2023-03-01', endDate: '2027-03-01' }],
        interestCounts: { 'TAYCAN|test-drive': 3, 'CAYENNE|turbo': 2 },
        interestLast: { 'TAYCAN|test-drive': '2026-11-20T00:00:00.000Z', 'CAYENNE|turbo': '2026-11-10T00:00:00.000Z' },
      }),
      NOW,
    );
    expect(value.reasons.filter((r) => r.score === 'CHURN').map((r) => r.factor)).toEqual(['serviceGap', 'detractor', 'financeEndingSoon']);
    // "Cayenne|turbo" outranks the Cayenne owned (Cayenne → Cayenne Turbo); the Taycan interest counts as electric interest.
    expect(value.reasons.filter((r) => r.score === 'UPGRADE').map((r) => r.factor)).toEqual(['financeEndingSoon', 'electricInterest', 'higherModelInterest']);
    expect(value.upgradePropensity).toBeGreaterThan(0.5);
  });

  it('never lowers CLV when service revenue grows, all else equal (monotonicity)', () => {
    let previous = -1;
    for (const revenue of [0, 10_000, 50_000, 100_000, 250_000, 1_000_000, 5_000_000]) {
      const clv = scoreCustomer(customer({ purchases: [purchase()], visits: [visit('2026-03-01T00:00:00.000Z', revenue), visit('2025-09-01T00:00:00.000Z', revenue)] }), NOW).clvMinor;
      expect(clv).toBeGreaterThanOrEqual(previous);
      previous = clv;
    }
  });

  it('never lowers CLV when merchandise or finance grows, all else equal', () => {
    const base = { purchases: [purchase()] };
    const orders = [0, 50_000, 500_000].map((amountMinor) => scoreCustomer(customer({ ...base, orders: [{ at: '2026-05-01T00:00:00.000Z', amountMinor }] }), NOW).clvMinor);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    const finance = [1_000_000, 5_000_000, 9_000_000].map((principalMinor) => scoreCustomer(customer({ ...base, finance: [{ kind: 'LOAN', vin: 'X', principalMinor, monthlyMinor: 1, startDate: '2024-12-01', endDate: '2028-12-01' }] }), NOW).clvMinor);
    expect(finance).toEqual([...finance].sort((a, b) => a - b));
  });

  it('treats a first car as vehicle value and a later, higher car as an upgrade', () => {
    const value = scoreCustomer(customer({ purchases: [purchase({ priceMinor: 7_000_000 }), purchase({ at: '2026-01-01T00:00:00.000Z', modelLine: 'CAYENNE', variant: 'Cayenne Turbo GT', priceMinor: 20_000_000 })] }), NOW);
    expect(value.components.upgrades).toBeGreaterThanOrEqual(20_000_000);
    expect(carRank('CAYENNE', 'Cayenne Turbo GT')).toBeGreaterThan(carRank('CAYENNE', 'Cayenne'));
  });

  it('is stable: the same facts a day later change nothing worth writing', () => {
    const c = customer({ purchases: [purchase()], visits: [visit('2026-06-01T00:00:00.000Z')] });
    const today = scoreCustomer(c, NOW);
    const tomorrow = scoreCustomer(c, new Date(NOW.getTime() + 86_400_000));
    expect(valueChanged(today, tomorrow)).toBe(false);
    expect(valueChanged(today, { ...today, tier: 'GOLD' })).toBe(true);
    // Key order from the store does not count as a change.
    const { components, ...rest } = today;
    const reordered = JSON.parse(JSON.stringify({ components: Object.fromEntries(Object.entries(components).reverse()), ...rest }));
    expect(valueChanged(today, reordered)).toBe(false);
  });
});
