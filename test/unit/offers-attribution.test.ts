import { describe, expect, it } from 'vitest';
import { factMatchesRule, inAttributionWindow, matchingEntries, type ConvertingFact } from '../../src/offers/attribution.js';
import type { BookEntry, OfferBookRecord } from '../../src/offers/offer-records.js';
import { CUSTOMER_ID } from './offers-fixtures.js';

const entry = (overrides: Partial<BookEntry>): BookEntry => ({
  offerCode: 'CAYENNE_TURBO_UPGRADE',
  kind: 'UPGRADE',
  decidedAt: '2026-03-01T04:00:00.000Z',
  status: 'DECIDED',
  holdout: false,
  rank: 1,
  validUntil: '2026-03-31T04:00:00.000Z',
  attributionUntil: '2026-08-28T04:00:00.000Z',
  conversionRule: { kind: 'VEHICLE_REGISTERED', modelLines: ['CAYENNE'], variantContains: 'Turbo', attributionDays: 180 },
  valueEur: 25_000,
  ...overrides,
});

const book = (entries: Record<string, BookEntry>): OfferBookRecord => ({ customerId: CUSTOMER_ID, entries, decidedOn: '2026-03-01', version: 3 });

const registration = (overrides: Partial<ConvertingFact> = {}): ConvertingFact => ({
  kind: 'VEHICLE_REGISTERED',
  factId: 'WP1ZZZ9YZPDA00002',
  customerId: CUSTOMER_ID,
  at: '2026-04-15T10:00:00.000Z',
  valueEurMinor: 16_500_000,
  modelLine: 'CAYENNE',
  variant: 'Cayenne Turbo E-Hybrid',
  ...overrides,
});

describe('Attribution matcher', () => {
  it('converts decisions of any status, treatment or holdout, oldest first; never one already converted', () => {
    // Prepare
    const b = book({
      D3: entry({ decidedAt: '2026-03-20T04:00:00.000Z', holdout: true }),
      D1: entry({ status: 'DECLINED', declinedAt: '2026-03-05T10:00:00.000Z' }),
      D2: entry({ status: 'WITHDRAWN' }),
      D0: entry({ status: 'EXPIRED' }),
      D4: entry({ convertedAt: '2026-04-01T00:00:00.000Z' }),
    });
    // Act + Assess: intent to treat; D0..D2 were decided at the same instant, so by id.
    expect(matchingEntries(b, registration())).toEqual(['D0', 'D1', 'D2', 'D3']);
  });

  it('counts a fact dated within [decidedAt, attributionUntil], both ends inclusive', () => {
    const b = book({ D1: entry({}) });
    expect(matchingEntries(b, registration({ at: '2026-03-01T04:00:00.000Z' }))).toEqual(['D1']);
    expect(matchingEntries(b, registration({ at: '2026-03-01T03:59:59.999Z' }))).toEqual([]);
    expect(matchingEntries(b, registration({ at: '2026-08-28T04:00:00.000Z' }))).toEqual(['D1']);
    expect(matchingEntries(b, registration({ at: '2026-08-28T04:00:00.001Z' }))).toEqual([]);
    // Offsets are instants: 06:00+02:00 is 04:00Z.
    expect(matchingEntries(b, registration({ at: '2026-08-28T06:00:00+02:00' }))).toEqual(['D1']);
    // A bare day is its start, 00:00 UTC.
    expect(inAttributionWindow(entry({}), '2026-03-01')).toBe(false);
    expect(inAttributionWindow(entry({}), '2026-03-02')).toBe(true);
    expect(inAttributionWindow(entry({}), 'not a date')).toBe(false);
  });

  it('matches car registrations by model line and variant text (case-insensitive)', () => {
    const rule = entry({}).conversionRule;
    expect(factMatchesRule(rule, registration({ variant: 'Cayenne TURBO GT' }))).toBe(true);
    expect(factMatchesRule(rule, registration({ variant: 'Cayenne S' }))).toBe(false);
    expect(factMatchesRule(rule, registration({ modelLine: 'MACAN', variant: 'Macan Turbo' }))).toBe(false);
    expect(factMatchesRule(rule, registration({ modelLine: undefined }))).toBe(false);
    expect(factMatchesRule({ kind: 'VEHICLE_REGISTERED', attributionDays: 30 }, registration({ modelLine: 'MACAN', variant: 'Macan' }))).toBe(true);
  });

  it('matches finance contracts by kind', () => {
    const fact: ConvertingFact = { kind: 'FINANCE_CONTRACT', factId: 'FC-1', customerId: CUSTOMER_ID, at: '2026-04-01T00:00:00.000Z', valueEurMinor: 6_000_000, financeKind: 'LEASE' };
    expect(factMatchesRule({ kind: 'FINANCE_CONTRACT', financeKinds: ['LEASE'], attributionDays: 120 }, fact)).toBe(true);
    expect(factMatchesRule({ kind: 'FINANCE_CONTRACT', financeKinds: ['LOAN'], attributionDays: 120 }, fact)).toBe(false);
    expect(factMatchesRule({ kind: 'FINANCE_CONTRACT', attributionDays: 120 }, { ...fact, financeKind: 'LOAN' })).toBe(true);
    expect(factMatchesRule({ kind: 'FINANCE_CONTRACT', financeKinds: ['LEASE'], attributionDays: 120 }, { ...fact, financeKind: undefined })).toBe(false);
  });

  it('matches interactions by type and model line', () => {
    const rule = { kind: 'INTERACTION' as const, interactionType: 'TEST_DRIVE', modelLines: ['TAYCAN' as const], attributionDays: 60 };
    const drive: ConvertingFact = { kind: 'INTERACTION', factId: 'INT-1', customerId: CUSTOMER_ID, at: '2026-03-10T09:00:00.000Z', valueEurMinor: 0, interactionType: 'TEST_DRIVE', modelLine: 'TAYCAN' };
    expect(factMatchesRule(rule, drive)).toBe(true);
    expect(factMatchesRule(rule, { ...drive, interactionType: 'PAGE_VIEW' })).toBe(false);
    expect(factMatchesRule(rule, { ...drive, modelLine: 'MACAN' })).toBe(false);
    expect(factMatchesRule(rule, { ...drive, kind: 'ORDER' })).toBe(false);
  });

  it('matches orders by a line\'s SKU prefix', () => {
    const rule = { kind: 'ORDER' as const, skuPrefix: 'WAP-OIL', attributionDays: 60 };
    const order: ConvertingFact = { kind: 'ORDER', factId: 'ORD-1', customerId: CUSTOMER_ID, at: '2026-03-10T09:00:00.000Z', valueEurMinor: 8_900, skus: ['WAP-CAP', 'wap-oil-0w40'] };
    expect(factMatchesRule(rule, order)).toBe(true);
    expect(factMatchesRule(rule, { ...order, skus: ['WAP-CAP'] })).toBe(false);
    expect(factMatchesRule(rule, { ...order, skus: undefined })).toBe(false);
    expect(factMatchesRule({ kind: 'ORDER', attributionDays: 60 }, { ...order, skus: [] })).toBe(true);
  });

  it('converts nothing for a fact of another kind or another customer', () => {
    const b = book({ D1: entry({}) });
    expect(matchingEntries(b, registration({ kind: 'ORDER' }))).toEqual([]);
    expect(matchingEntries(b, registration({ customerId: '01JCUSTOMER000000000000002' }))).toEqual([]);
    expect(matchingEntries(book({}), registration())).toEqual([]);
  });
});
