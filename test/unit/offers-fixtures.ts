import { emptyVehicleCounts, makeCustomer, type CustomerRecord } from '../../src/customer/customer.js';
import { emptyAggregates } from '../../src/customer/profile-aggregates.js';
import type { OfferDefinition } from '../../src/offers/catalogue.js';
import { DEFAULT_CATALOGUE } from '../../src/offers/default-catalogue.js';
import { OFFER_RULES, type OfferRules } from '../../src/offers/offer-rules.js';
import type { CustomerValue } from '../../src/value/scoring.js';

/** Plain data for the offers' pure tests: a scored Cayenne owner and catalogue offers as stored. */

export const NOW = new Date('2026-03-01T04:00:00.000Z');
export const CUSTOMER_ID = '01JCUSTOMER000000000000001';
export const DEALER_A = '01JDEALERA0000000000000000';
export const DEALER_B = '01JDEALERB0000000000000000';

export function scores(overrides: Partial<CustomerValue> = {}): CustomerValue {
  return {
    clvMinor: 30_000_000,
    currency: 'EUR',
    components: { vehicle: 0, service: 0, upgrades: 0, merchandise: 0, finance: 0 },
    churnRisk: 0.2,
    upgradePropensity: 0.26,
    reasons: [],
    tier: 'GOLD',
    segment: 'FAMILY_SUV',
    segments: ['FAMILY_SUV'],
    benefits: [],
    modelVersion: 'value-2026.1',
    computedAt: '2026-03-01T02:00:00.000Z',
    ...overrides,
  };
}

/** A GOLD Cayenne S owner (petrol, EUR 98,000), linked to dealers A and B, e-mail consent, two recent Cayenne Turbo interactions. */
export function cayenneOwner(overrides: Partial<CustomerRecord> = {}): CustomerRecord {
  return makeCustomer({
    id: CUSTOMER_ID,
    consents: { EMAIL: { channel: 'EMAIL', granted: true, source: 'owners-app', recordedAt: '2025-06-01T10:00:00.000Z' } },
    vehicleCounts: { ...emptyVehicleCounts(), CAYENNE: 1 },
    vehicleVins: ['WP1ZZZ9YZLDA00001'],
    dealerIds: [DEALER_B, DEALER_A],
    aggregates: {
      ...emptyAggregates(),
      purchases: [{ at: '2023-05-10T10:00:00.000Z', vin: 'WP1ZZZ9YZLDA00001', dealerId: DEALER_A, modelLine: 'CAYENNE', variant: 'Cayenne S', powertrain: 'PETROL', priceMinor: 9_800_000 }],
      visits: [{ at: '2025-11-02T08:00:00.000Z', dealerId: DEALER_A, revenueMinor: 80_000, waitMinutes: 30, firstTimeFix: true }],
      interestCounts: { 'CAYENNE|Cayenne Turbo': 2, 'TAYCAN|Taycan 4S': 4, 'ANY|track': 1 },
      interestLast: { 'CAYENNE|Cayenne Turbo': '2026-02-20T10:00:00.000Z', 'TAYCAN|Taycan 4S': '2026-02-25T10:00:00.000Z', 'ANY|track': '2025-01-01T10:00:00.000Z' },
    },
    value: scores(),
    ...overrides,
  });
}

/** A default catalogue offer as stored (version 1, ACTIVE), with overrides. */
export function offer(code: string, overrides: Partial<OfferDefinition> = {}): OfferDefinition {
  const content = DEFAULT_CATALOGUE.find((o) => o.code === code);
  if (!content) throw new Error(`no default offer ${code}`);
  return { ...content, version: 1, status: 'ACTIVE', createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'admin:test', ...overrides };
}

export const storedCatalogue = (): OfferDefinition[] => DEFAULT_CATALOGUE.map((o) => offer(o.code));

/**
 * The rules with some values changed. `OfferRules` is `typeof OFFER_RULES` (`as const`, literal
 * types), so a variant needs this one cast.
 */
export const rulesWith = (changes: { defaultHoldoutPct?: number; holdoutPctByFamily?: Record<string, number> }): OfferRules => ({ ...OFFER_RULES, ...changes }) as OfferRules;
