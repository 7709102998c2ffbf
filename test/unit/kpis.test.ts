import { describe, expect, it } from 'vitest';
import { makeCustomer } from '../../src/customer/customer.js';
import { emptyAggregates, type CustomerAggregates } from '../../src/customer/profile-aggregates.js';
import { accumulate, FLAT_SUM_ATTRIBUTES, flattenSums, mergeScoped, toKpiView, unflattenSums, type ScopedSums } from '../../src/value/kpis.js';
import { scoreCustomer } from '../../src/value/scoring.js';

const NOW = new Date('2026-12-01T02:00:00Z');
const car = (at: string, modelLine: 'MACAN' | 'CAYENNE' | 'NINE_ELEVEN', vin: string, variant: string = modelLine) => ({ at, vin, dealerId: 'D1', modelLine, variant, powertrain: 'PETROL' as const, priceMinor: 10_000_000 });

/** Three customers of dealer D1 (one also of D2), facts chosen so every KPI can be computed by hand. */
const customers = [
  // Ann: first car 2020, upgrade in 2026 (Macan → 911, financed); visit in Nov (45 min, fixed); NPS 10 at D1.
  makeCustomer({
    id: 'ANN',
    dealerIds: ['D1'],
    aggregates: {
      ...emptyAggregates(),
      purchases: [car('2020-05-01T00:00:00.000Z', 'MACAN', 'V1'), car('2026-03-01T00:00:00.000Z', 'NINE_ELEVEN', 'V2')],
      finance: [{ kind: 'LOAN', vin: 'V2', principalMinor: 5_000_000, monthlyMinor: 100_000, startDate: '2026-03-01', endDate: '2030-03-01' }],
      visits: [{ at: '2026-11-10T09:00:00.000Z', dealerId: 'D1', revenueMinor: 50_000, waitMinutes: 45, firstTimeFix: true }],
      surveys: [{ at: '2026-11-11T09:00:00.000Z', kind: 'NPS', score: 10, touchpoint: 'SERVICE', dealerId: 'D1' }],
    } as CustomerAggregates,
  }),
  // Ben: one car 2019, nothing since 2024 (not retained); NPS 3 at D1 in Nov; CSAT 4.
  makeCustomer({
    id: 'BEN',
    dealerIds: ['D1', 'D2'],
    aggregates: {
      ...emptyAggregates(),
      purchases: [car('2019-01-01T00:00:00.000Z', 'CAYENNE', 'V3')],
      visits: [{ at: '2024-06-01T09:00:00.000Z', dealerId: 'D1', revenueMinor: 50_000, waitMinutes: 200, firstTimeFix: false }],
      surveys: [
        { at: '2026-11-20T09:00:00.000Z', kind: 'NPS', score: 3, touchpoint: 'SALES', dealerId: 'D1' },
        { at: '2026-11-21T09:00:00.000Z', kind: 'CSAT', score: 4, touchpoint: 'SERVICE', dealerId: 'D1' },
      ],
    } as CustomerAggregates,
  }),
  // Cem: bought a second Macan in 2026 (repeat, not an upgrade, not financed); visit in Nov (75 min, not fixed); NPS 8 (passive).
  makeCustomer({
    id: 'CEM',
    dealerIds: ['D1'],
    aggregates: {
      ...emptyAggregates(),
      purchases: [car('2025-06-01T00:00:00.000Z', 'MACAN', 'V4'), car('2026-08-01T00:00:00.000Z', 'MACAN', 'V5')],
      visits: [{ at: '2026-11-15T09:00:00.000Z', dealerId: 'D1', revenueMinor: 50_000, waitMinutes: 75, firstTimeFix: false }],
      surveys: [{ at: '2026-11-16T09:00:00.000Z', kind: 'NPS', score: 8, touchpoint: 'SERVICE', dealerId: 'D1' }],
    } as CustomerAggregates,
  }),
];

describe('KPI roll-ups', () => {
  it('compute each KPI of November for dealer D1 as by hand, whatever the segmentation', () => {
    // Two "segments": Ann alone, then Ben and Cem — merged as the last worker does.
    const parts: ScopedSums[] = [{}, {}];
    customers.forEach((c, i) => accumulate(parts[i === 0 ? 0 : 1]!, c, scoreCustomer(c, NOW), '2026-11'));
    const merged = mergeScoped(mergeScoped({}, parts[0]!), parts[1]!);
    const d1 = toKpiView(merged['DEALER#D1']!, 'DEALER', '2026-11', NOW.toISOString(), 'D1');
    expect(d1).toMatchObject({
      // NPS: answers 10, 3, 8 → 1 promoter, 1 detractor of 3 → 0
      nps: { value: 0, count: 3 },
      csat: { value: 4, count: 1 },
      // Retention: all three bought their first car before November 2025; Ann and Cem were active in the year to 30 November, Ben not → 2/3
      retentionRate: { value: 0.667, count: 3 },
      // Repeat purchase: Ann and Cem have two cars, Ben one → 2/3
      repeatPurchaseRate: { value: 0.667, count: 3 },
      // Purchases in the 12 months to 30 Nov: Ann's 911 (financed) and Cem's Macan → 1/2
      financePenetration: { value: 0.5, count: 2 },
      // Both were repeat purchases; Ann's 911 ranked above her Macan, Cem's second Macan did not → 1/2
      upgradeConversion: { value: 0.5, count: 2 },
      // November's visits: Ann 45 min fixed, Cem 75 min not fixed (Ben's 2024 visit is not in November)
      averageServiceWaitMinutes: { value: 60, count: 2 },
      firstTimeFixRate: { value: 0.5, count: 2 },
      customersScored: 3,
    });
    // Dealer D2 has only Ben's customer-level figures; his answers were given at D1.
    const d2 = toKpiView(merged['DEALER#D2']!, 'DEALER', '2026-11', NOW.toISOString(), 'D2');
    expect(d2).toMatchObject({ customersScored: 1, nps: { value: null, count: 0 }, repeatPurchaseRate: { value: 0, count: 1 } });
    const brand = toKpiView(merged.BRAND!, 'BRAND', '2026-11', NOW.toISOString());
    expect(brand.averageClvMinor).toBe(Math.round(customers.map((c) => scoreCustomer(c, NOW).clvMinor).reduce((a, b) => a + b, 0) / 3));
  });

  it('store a scope\'s sums as flat numbers (what DynamoDB can ADD to) and read them back unchanged, zeros left out', () => {
    const sums: ScopedSums = {};
    for (const c of customers) accumulate(sums, c, scoreCustomer(c, NOW), '2026-11');
    const flat = flattenSums(sums['DEALER#D2']!);
    expect(Object.values(flat).every((v) => typeof v === 'number' && v !== 0)).toBe(true);
    expect(Object.keys(flat).every((k) => FLAT_SUM_ATTRIBUTES.includes(k))).toBe(true);
    expect(flat).toMatchObject({ customersScored: 1, componentVehicle: sums['DEALER#D2']!.componentSums.vehicle });
    for (const scope of Object.keys(sums)) expect(unflattenSums(flattenSums(sums[scope]!))).toEqual(sums[scope]);
  });
});
