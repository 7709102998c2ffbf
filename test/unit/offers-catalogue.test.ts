import { describe, expect, it } from 'vitest';
import { OFFER_KINDS } from '../../src/offers/catalogue.js';
import { validateOfferInput, type OfferInput } from '../../src/offers/catalogue-validation.js';
import { DEFAULT_CATALOGUE } from '../../src/offers/default-catalogue.js';
import { offerEntity } from '../../src/offers/offer-records.js';

/** An admin's input for the Cayenne Turbo upgrade, as the API hands it over (absent rules as null). */
const input = (overrides: Partial<OfferInput> = {}): OfferInput => ({
  code: ' cayenne_turbo_upgrade ',
  name: ' Cayenne Turbo with Porsche Financial Services ',
  description: 'Move up to the Cayenne Turbo.',
  kind: 'UPGRADE',
  family: null,
  channel: 'EMAIL',
  valueEur: 25_000,
  validFrom: '2026-01-01',
  validUntil: '2027-12-31',
  frequencyCap: { max: 1, periodDays: 180 },
  cooldownDaysAfterDecline: 120,
  dealerFollowUp: true,
  eligibility: { tiers: null, ownsModelLines: ['CAYENNE'], interests: [{ modelLine: 'CAYENNE', detail: ' turbo ', minCount: 2, withinDays: 180 }], clubMember: null },
  conversion: { kind: 'VEHICLE_REGISTERED', modelLines: ['CAYENNE'], variantContains: 'Turbo', financeKinds: null, interactionType: null, skuPrefix: null, attributionDays: 180 },
  ...overrides,
});

const codes = (input: OfferInput) => validateOfferInput(input).errors.map((e) => [e.field.join('.'), e.code]);

describe('Offer catalogue validation', () => {
  it('returns the offer as stored: codes upper-cased, texts trimmed, family defaulting to the kind, absent rules left out', () => {
    // Act
    const { offer, errors } = validateOfferInput(input());
    // Assess
    expect(errors).toEqual([]);
    expect(offer).toEqual({
      code: 'CAYENNE_TURBO_UPGRADE',
      name: 'Cayenne Turbo with Porsche Financial Services',
      description: 'Move up to the Cayenne Turbo.',
      kind: 'UPGRADE',
      family: 'UPGRADE',
      eligibility: { ownsModelLines: ['CAYENNE'], interests: [{ modelLine: 'CAYENNE', detail: 'turbo', minCount: 2, withinDays: 180 }] },
      channel: 'EMAIL',
      valueEur: 25_000,
      validFrom: '2026-01-01',
      validUntil: '2027-12-31',
      frequencyCap: { max: 1, periodDays: 180 },
      cooldownDaysAfterDecline: 120,
      conversion: { kind: 'VEHICLE_REGISTERED', modelLines: ['CAYENNE'], variantContains: 'Turbo', attributionDays: 180 },
      dealerFollowUp: true,
    });
  });

  it('answers an unknown model line anywhere with UNKNOWN_MODEL_LINE at its field path', () => {
    const errors = validateOfferInput(input({
      eligibility: { ownsModelLines: ['CAYENNE', 'CAYMAN'], notOwnsModelLines: ['911'], interests: [{ modelLine: 'BOXSTER', minCount: 1, withinDays: 30 }] },
      conversion: { kind: 'VEHICLE_REGISTERED', modelLines: ['CARRERA_GT'], attributionDays: 180 },
    })).errors;
    expect(errors.map((e) => [e.field, e.code])).toEqual([
      [['input', 'eligibility', 'ownsModelLines', '1'], 'UNKNOWN_MODEL_LINE'],
      [['input', 'eligibility', 'notOwnsModelLines', '0'], 'UNKNOWN_MODEL_LINE'],
      [['input', 'eligibility', 'interests', '0', 'modelLine'], 'UNKNOWN_MODEL_LINE'],
      [['input', 'conversion', 'modelLines', '0'], 'UNKNOWN_MODEL_LINE'],
    ]);
    expect(errors[0]!.message).toBe('Unknown model line "CAYMAN"; use one of NINE_ELEVEN, SEVEN_EIGHTEEN, TAYCAN, PANAMERA, MACAN, CAYENNE.');
    expect(validateOfferInput(input({ eligibility: { ownsModelLines: ['CAYMAN'] } })).offer).toBeUndefined();
  });

  it('refuses bad codes, texts, enumerations, numbers and dates, each at its field', () => {
    expect(codes(input({ code: 'X', name: ' ', description: 'x'.repeat(501), kind: 'RAFFLE', family: 'a b', channel: 'FAX', valueEur: 0 }))).toEqual([
      ['input.code', 'INVALID'],
      ['input.name', 'REQUIRED'],
      ['input.description', 'TOO_LONG'],
      ['input.kind', 'INVALID'],
      ['input.family', 'INVALID'],
      ['input.channel', 'INVALID'],
      ['input.valueEur', 'OUT_OF_RANGE'],
    ]);
    expect(codes(input({ validFrom: '2026-02-30', validUntil: '31.12.2027' }))).toEqual([['input.validFrom', 'INVALID_DATE'], ['input.validUntil', 'INVALID_DATE']]);
    expect(codes(input({ validFrom: '2027-01-01', validUntil: '2026-12-31' }))).toEqual([['input.validUntil', 'INVALID']]);
    expect(codes(input({ validFrom: '2026-06-01', validUntil: '2026-06-01' }))).toEqual([]);
    expect(codes(input({ valueEur: 10_000_001 }))).toEqual([['input.valueEur', 'OUT_OF_RANGE']]);
    expect(codes(input({ valueEur: 12.5 }))).toEqual([['input.valueEur', 'OUT_OF_RANGE']]);
  });

  it('bounds every window by maxWindowDays (365), the time the book keeps a decision', () => {
    expect(codes(input({ frequencyCap: { max: 0, periodDays: 366 }, cooldownDaysAfterDecline: 366, conversion: { kind: 'VEHICLE_REGISTERED', attributionDays: 366 }, eligibility: { interests: [{ minCount: 0, withinDays: 366 }] } }))).toEqual([
      ['input.frequencyCap.max', 'OUT_OF_RANGE'],
      ['input.frequencyCap.periodDays', 'OUT_OF_RANGE'],
      ['input.cooldownDaysAfterDecline', 'OUT_OF_RANGE'],
      ['input.eligibility.interests.0.minCount', 'OUT_OF_RANGE'],
      ['input.eligibility.interests.0.withinDays', 'OUT_OF_RANGE'],
      ['input.conversion.attributionDays', 'OUT_OF_RANGE'],
    ]);
    expect(codes(input({ frequencyCap: { max: 1, periodDays: 365 }, cooldownDaysAfterDecline: 0, conversion: { kind: 'VEHICLE_REGISTERED', attributionDays: 365 } }))).toEqual([]);
  });

  it('checks eligibility rules: known values, non-empty lists, a sensible budget band, no line both owned and excluded', () => {
    expect(codes(input({
      eligibility: {
        tiers: ['GOLD', 'DIAMOND'],
        segments: [],
        ownsModelLines: ['TAYCAN'],
        notOwnsModelLines: ['TAYCAN'],
        ownsPowertrains: ['DIESEL'],
        financeKinds: ['LEASE'],
        minSpentEur: 100_000,
        maxSpentEur: 50_000,
        minClvEur: -1,
        interests: Array.from({ length: 6 }, () => ({ minCount: 1, withinDays: 30 })),
      },
    }))).toEqual([
      ['input.eligibility.tiers.1', 'INVALID'],
      ['input.eligibility.segments', 'REQUIRED'],
      ['input.eligibility.ownsPowertrains.0', 'INVALID'],
      ['input.eligibility.minClvEur', 'OUT_OF_RANGE'],
      ['input.eligibility.interests', 'TOO_MANY'],
      ['input.eligibility.financeKinds', 'INVALID'],
      ['input.eligibility.maxSpentEur', 'INVALID'],
      ['input.eligibility.notOwnsModelLines', 'INVALID'],
    ]);
    expect(codes(input({ eligibility: { ownsModelLines: Array.from({ length: 21 }, () => 'CAYENNE') } }))).toEqual([['input.eligibility.ownsModelLines', 'TOO_MANY']]);
    expect(validateOfferInput(input({ eligibility: { tiers: ['GOLD', 'GOLD'], financeEndingWithinMonths: 3, financeKinds: ['LEASE'] } })).offer?.eligibility).toEqual({ tiers: ['GOLD'], financeEndingWithinMonths: 3, financeKinds: ['LEASE'] });
  });

  it('checks the conversion rule against what its kind reads', () => {
    expect(codes(input({ conversion: { kind: 'ORDER', modelLines: ['CAYENNE'], financeKinds: ['LOAN'], skuPrefix: 'wap-oil', attributionDays: 60 } }))).toEqual([
      ['input.conversion.modelLines', 'INVALID'],
      ['input.conversion.financeKinds', 'INVALID'],
    ]);
    expect(codes(input({ conversion: { kind: 'INTERACTION', attributionDays: 60 } }))).toEqual([['input.conversion.interactionType', 'REQUIRED']]);
    expect(codes(input({ conversion: { kind: 'INTERACTION', interactionType: 'HANDSHAKE', attributionDays: 60 } }))).toEqual([['input.conversion.interactionType', 'INVALID']]);
    expect(codes(input({ conversion: { kind: 'SUBSCRIPTION', attributionDays: 60 } }))).toEqual([['input.conversion.kind', 'INVALID']]);
    expect(validateOfferInput(input({ conversion: { kind: 'ORDER', skuPrefix: ' wap-oil ', attributionDays: 60 } })).offer?.conversion).toEqual({ kind: 'ORDER', skuPrefix: 'WAP-OIL', attributionDays: 60 });
  });
});

describe('Default catalogue', () => {
  it('holds 8–10 valid offers covering every kind but SUBSCRIPTION_TRIAL, each storable as it is', () => {
    expect(DEFAULT_CATALOGUE.length).toBeGreaterThanOrEqual(8);
    expect(DEFAULT_CATALOGUE.length).toBeLessThanOrEqual(10);
    expect(new Set(DEFAULT_CATALOGUE.map((o) => o.kind))).toEqual(new Set(OFFER_KINDS.filter((k) => k !== 'SUBSCRIPTION_TRIAL')));
    expect(new Set(DEFAULT_CATALOGUE.map((o) => o.code)).size).toBe(DEFAULT_CATALOGUE.length);
    for (const offer of DEFAULT_CATALOGUE) {
      // The admin's way in: the same offer back, no errors.
      expect(validateOfferInput(offer), offer.code).toEqual({ errors: [], offer });
      expect(() => offerEntity.toItem({ ...offer, version: 1, status: 'ACTIVE', createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'admin:seed' })).not.toThrow();
    }
  });
});
