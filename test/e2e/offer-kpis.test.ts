import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_NODE } from '../../src/customer/customer.js';
import { DEALER_NODE } from '../../src/dealer/dealer.js';
import { BRAND_STATS_SCOPE, dealerStatsScope, offerEntity, statsAddition, type StatsCounter } from '../../src/offers/offer-records.js';
import { keyOfGlobalId } from '../../src/shared/ids.js';
import { batchPutItems } from '../../src/store/batch.js';
import { transactWrite } from '../../src/store/transactions.js';
import { dealerScope, emptySums } from '../../src/value/kpis.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createCustomer, createDealer, issueKey } from '../support/fixtures.js';

/**
 * `offerKpis` on statistics whose figures are worked out by hand: counters spread over
 * months and shards as the job and the fact hooks ADD them (plus items outside the range
 * that must not count), the catalogue's values, and the value KPIs' roll-up of the last
 * month. The uplift intervals were computed independently (Newcombe's method 10 with
 * Wilson intervals, z = 1.959964).
 */
describe('Offer KPIs through the API', () => {
  let api: TestApi;
  let stuttgart: { id: string };
  let munich: { id: string };
  const QUERY = `query($from: String!, $to: String!, $dealerId: ID) { offerKpis(from: $from, to: $to, dealerId: $dealerId) {
    scope dealer { id } from to incrementalValue { amount currency }
    offers { code name valueToBrand { amount } treatment { decided converted rate convertedValue { amount } } control { decided converted rate convertedValue { amount } }
             uplift upliftLow upliftHigh significant incrementalConversions incrementalValue { amount currency } }
    upgradeConversion { period whole part offerDrivenPart value offerDriven organic }
    financePenetration { period whole part offerDrivenPart value offerDriven organic } } }`;

  /** Counters ADDed to one statistics item, as one transaction (what a decision or conversion writes). */
  async function add(scope: string, month: string, offerCode: string, shard: number, counters: Partial<Record<StatsCounter, number>>) {
    expect((await transactWrite(api.store.doc, [statsAddition(api.store.tableName, { scope, month, offerCode, shard }, counters)])).ok).toBe(true);
  }

  beforeAll(async () => {
    api = await createTestApi();
    stuttgart = await createDealer(api, 'DE-KPI-STR');
    munich = await createDealer(api, 'DE-KPI-MUC');
    const s = keyOfGlobalId(stuttgart.id, DEALER_NODE)!;
    const m = keyOfGlobalId(munich.id, DEALER_NODE)!;
    await batchPutItems(api.store.doc, api.store.tableName, [
      offerEntity.toItem(offerEntity.make({ code: 'TAYCAN_TEST_DRIVE', name: 'Taycan test drive', valueEur: 4_000 })),
      offerEntity.toItem(offerEntity.make({ code: 'APPROVED_OIL', name: 'Approved engine oil', valueEur: 60 })),
    ]);

    // Brand, Taycan test drive, cohorts September–November: treatment 1,000 decided, 150 converted (EUR 0: interactions); control 100, 5.
    await add(BRAND_STATS_SCOPE, '2026-09', 'TAYCAN_TEST_DRIVE', 0, { decidedT: 400, convertedT: 70, decidedC: 40, convertedC: 2 });
    await add(BRAND_STATS_SCOPE, '2026-09', 'TAYCAN_TEST_DRIVE', 7, { decidedT: 200, convertedT: 30, decidedC: 20, convertedC: 1 });
    await add(BRAND_STATS_SCOPE, '2026-10', 'TAYCAN_TEST_DRIVE', 3, { decidedT: 250, convertedT: 40, decidedC: 30, convertedC: 2 });
    await add(BRAND_STATS_SCOPE, '2026-11', 'TAYCAN_TEST_DRIVE', 15, { decidedT: 150, convertedT: 10, decidedC: 10 });
    // Outside the cohort months: counted nowhere in the uplift.
    await add(BRAND_STATS_SCOPE, '2026-08', 'TAYCAN_TEST_DRIVE', 0, { decidedT: 5_000, convertedT: 5_000 });
    await add(BRAND_STATS_SCOPE, '2026-12', 'TAYCAN_TEST_DRIVE', 0, { decidedT: 5_000, decidedC: 9 });
    // Brand, approved oil: treatment 200 / 20 (EUR 1,780), control 20 / 2 (EUR 178): no uplift.
    await add(BRAND_STATS_SCOPE, '2026-10', 'APPROVED_OIL', 2, { decidedT: 200, convertedT: 20, convertedValueT: 178_000, decidedC: 20, convertedC: 2, convertedValueC: 17_800 });
    // Offer-driven upgrades and financed purchases by conversion month: 2025-11 is outside the 12 months to 2026-11.
    await add(BRAND_STATS_SCOPE, '2025-11', 'CAYENNE_TURBO_UPGRADE', 1, { offerUpgrades: 2, offerFinanced: 7 });
    await add(BRAND_STATS_SCOPE, '2026-06', 'CAYENNE_TURBO_UPGRADE', 1, { offerUpgrades: 1 });
    await add(BRAND_STATS_SCOPE, '2026-10', 'CAYENNE_TURBO_UPGRADE', 4, { offerUpgrades: 3 });
    await add(BRAND_STATS_SCOPE, '2026-01', 'LEASE_RENEWAL', 9, { offerFinanced: 5 });
    await add(BRAND_STATS_SCOPE, '2026-11', 'LEASE_RENEWAL', 9, { offerFinanced: 10 });

    // Stuttgart: the Taycan test drive, treatment 100 / 20, control 10 / 1; offers drove 1 upgrade and 25 financed purchases (more than the 20 the value KPIs count).
    await add(dealerStatsScope(s), '2026-10', 'TAYCAN_TEST_DRIVE', 3, { decidedT: 100, convertedT: 20, decidedC: 10, convertedC: 1 });
    await add(dealerStatsScope(s), '2026-10', 'CAYENNE_TURBO_UPGRADE', 3, { offerUpgrades: 1 });
    await add(dealerStatsScope(s), '2026-11', 'LEASE_RENEWAL', 3, { offerFinanced: 25 });
    // Munich: something of its own.
    await add(dealerStatsScope(m), '2026-10', 'APPROVED_OIL', 5, { decidedT: 7, convertedT: 1 });

    await api.store.repos.values.writeKpis('2026-11', {
      BRAND: { ...emptySums(), repeatPurchases12: 50, upgrades12: 9, purchases12: 200, financed12: 96 },
      [dealerScope(s)]: { ...emptySums(), repeatPurchases12: 10, upgrades12: 2, purchases12: 40, financed12: 20 },
    }, 'scores-test', '2026-12-01T01:00:00.000Z');
  }, 60_000);
  afterAll(() => api.close());

  it('gives the brand’s staff each offer’s treatment vs control, uplift with its interval and incremental value, and the offer-driven split of the value KPIs', async () => {
    for (const role of ['admin', 'analyst'] as const) {
      // Act
      const res = await api.call(QUERY, { from: '2026-09', to: '2026-11' }, api.bearer(role));

      // Assess
      expect(res.errors).toBeUndefined();
      const k = res.data!.offerKpis;
      expect(k).toMatchObject({ scope: 'BRAND', dealer: null, from: '2026-09', to: '2026-11' });
      expect(k.offers.map((o: { code: string }) => o.code)).toEqual(['APPROVED_OIL', 'TAYCAN_TEST_DRIVE']);
      const [oil, taycan] = k.offers;
      expect(taycan).toMatchObject({
        name: 'Taycan test drive',
        valueToBrand: { amount: '4000.00' },
        treatment: { decided: 1_000, converted: 150, rate: 0.15, convertedValue: { amount: '0.00' } },
        control: { decided: 100, converted: 5, rate: 0.05 },
        significant: true,
        incrementalValue: { amount: '400000.00', currency: 'EUR' },
      });
      expect(taycan.uplift).toBeCloseTo(0.1, 10);
      expect(taycan.upliftLow).toBeCloseTo(0.034843714537, 9);
      expect(taycan.upliftHigh).toBeCloseTo(0.136885500192, 9);
      expect(taycan.incrementalConversions).toBeCloseTo(100, 9);
      expect(oil).toMatchObject({
        treatment: { decided: 200, converted: 20, rate: 0.1, convertedValue: { amount: '1780.00' } },
        control: { decided: 20, converted: 2, rate: 0.1, convertedValue: { amount: '178.00' } },
        uplift: 0,
        significant: false,
        incrementalConversions: 0,
        incrementalValue: { amount: '0.00' },
      });
      expect(oil.upliftLow).toBeCloseTo(-0.203943729025, 9);
      expect(oil.upliftHigh).toBeCloseTo(0.087430994702, 9);
      expect(k.incrementalValue).toEqual({ amount: '400000.00', currency: 'EUR' });
      // 9 upgrades of 50 repeat purchases, 4 of them offer-driven (1 in June, 3 in October; November 2025 is outside)
      expect(k.upgradeConversion).toEqual({ period: '2026-11', whole: 50, part: 9, offerDrivenPart: 4, value: 0.18, offerDriven: 0.08, organic: 0.1 });
      // 96 financed of 200 purchases, 15 offer-driven (5 in January, 10 in November)
      expect(k.financePenetration).toEqual({ period: '2026-11', whole: 200, part: 96, offerDrivenPart: 15, value: 0.48, offerDriven: 0.075, organic: 0.405 });
    }
  });

  it('reports one dealer’s decisions to the brand and to that dealer’s key with OFFERS_READ, offer-driven capped at what the value KPIs count', async () => {
    // Prepare
    const own = await issueKey(api, stuttgart.id, ['OFFERS_READ']);

    for (const headers of [api.bearer('analyst'), { 'x-api-key': own.secret }]) {
      // Act
      const res = await api.call(QUERY, { from: '2026-10', to: '2026-11', dealerId: stuttgart.id }, headers);

      // Assess
      expect(res.errors).toBeUndefined();
      const k = res.data!.offerKpis;
      expect(k).toMatchObject({ scope: 'DEALER', dealer: { id: stuttgart.id } });
      expect(k.offers).toHaveLength(1);
      expect(k.offers[0]).toMatchObject({ code: 'TAYCAN_TEST_DRIVE', treatment: { decided: 100, converted: 20, rate: 0.2 }, control: { decided: 10, converted: 1, rate: 0.1 }, significant: false });
      expect(k.offers[0].upliftLow).toBeCloseTo(-0.211363460241, 9);
      expect(k.offers[0].upliftHigh).toBeCloseTo(0.220974943834, 9);
      expect(k.upgradeConversion).toEqual({ period: '2026-11', whole: 10, part: 2, offerDrivenPart: 1, value: 0.2, offerDriven: 0.1, organic: 0.1 });
      expect(k.financePenetration).toEqual({ period: '2026-11', whole: 40, part: 20, offerDrivenPart: 20, value: 0.5, offerDriven: 0.5, organic: 0 });
    }
  });

  it('answers null to a dealer asking for the brand or another dealer, to a key without OFFERS_READ, and to customers', async () => {
    // Prepare
    const own = await issueKey(api, stuttgart.id, ['OFFERS_READ']);
    const withoutScope = await issueKey(api, stuttgart.id, ['CUSTOMERS_READ']);
    const customer = await createCustomer(api, api.bearer('admin'));
    const customerId = keyOfGlobalId(customer.id, CUSTOMER_NODE)!;
    const cases: [Record<string, string>, string | undefined][] = [
      [{ 'x-api-key': own.secret }, undefined],
      [{ 'x-api-key': own.secret }, munich.id],
      [{ 'x-api-key': withoutScope.secret }, stuttgart.id],
      [api.bearer('customer', customerId), undefined],
      [api.bearer('customer', customerId), stuttgart.id],
    ];

    for (const [headers, dealerId] of cases) {
      // Act
      const res = await api.call(QUERY, { from: '2026-09', to: '2026-11', dealerId }, headers);

      // Assess
      expect(res.errors).toBeUndefined();
      expect(res.data!.offerKpis).toBeNull();
    }
  });

  it('refuses months that are not months, backwards ranges and ranges over 24 months as bad input', async () => {
    for (const [from, to] of [['2026-13', '2026-11'], ['2026-11', '2026-09'], ['2024-01', '2026-11']]) {
      const res = await api.call(QUERY, { from, to }, api.bearer('admin'));
      expect(res.data?.offerKpis ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
