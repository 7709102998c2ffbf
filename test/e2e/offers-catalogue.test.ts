import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemsOfType } from '../support/store.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createCustomer, createDealer, issueKey } from '../support/fixtures.js';
import { offerInput } from '../support/offers-fixtures.js';

/** The offer catalogue through the Lambda handler: admins define, version and retire offers; analysts read; bad input writes nothing. */
describe('Lambda handler: the offer catalogue', () => {
  let api: TestApi;
  const now = new Date('2026-11-20T10:00:00.000Z');
  const admin = () => api.bearer('admin');

  const DEFINITION = 'id code version status name kind family channel value { amount currency } validFrom validUntil frequencyCap { max periodDays } cooldownDaysAfterDecline dealerFollowUp createdAt createdBy eligibility { tiers ownsModelLines interests { modelLine detail minCount withinDays } minSpent { amount currency } maxSpent { amount } clubMember } conversion { kind modelLines variantContains attributionDays }';
  const define = (input: Record<string, unknown>, headers = admin()) => api.call(`mutation($input: DefineOfferInput!) { defineOffer(input: $input) { offer { ${DEFINITION} } userErrors { field code message } } }`, { input }, headers);
  const retire = (input: Record<string, unknown>, headers = admin()) => api.call(`mutation($input: RetireOfferInput!) { retireOffer(input: $input) { offer { code version status } userErrors { field code message } } }`, { input }, headers);
  const catalogue = async (headers = admin(), includeRetired = false) => {
    const res = await api.call(`query($all: Boolean) { offerCatalogue(first: 100, includeRetired: $all) { edges { node { code version status } } } }`, { all: includeRetired }, headers);
    expect(res.errors).toBeUndefined();
    return res.data?.offerCatalogue.edges.map((e: { node: unknown }) => e.node) as { code: string; version: number; status: string }[];
  };
  const stored = async () => (await Promise.all([itemsOfType(api.store, 'Offer'), itemsOfType(api.store, 'OfferVersion')])).map((items) => items.length);

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
  });
  afterAll(() => api.close());

  it('creates an offer at version 1, writes each change as a new version under expectedVersion, and keeps the old versions', async () => {
    // Act
    const created = await define(offerInput({ code: ' cayenne_turbo_upgrade ', eligibility: { ownsModelLines: ['CAYENNE'], minSpentEur: 80_000, maxSpentEur: 150_000, interests: [{ modelLine: 'CAYENNE', detail: 'turbo', minCount: 2, withinDays: 90 }] } }));
    const twice = await define(offerInput());
    const changed = await define(offerInput({ expectedVersion: 1, name: 'Cayenne Turbo E-Hybrid upgrade', valueEur: 30_000 }));
    const stale = await define(offerInput({ expectedVersion: 1, name: 'A lost edit' }));
    const unknown = await define(offerInput({ code: 'NO_SUCH_OFFER', expectedVersion: 3 }));
    // Assess
    expect(created.errors).toBeUndefined();
    expect(created.data?.defineOffer).toMatchObject({
      userErrors: [],
      offer: {
        code: 'CAYENNE_TURBO_UPGRADE', version: 1, status: 'ACTIVE', kind: 'UPGRADE', family: 'UPGRADE', channel: 'EMAIL', value: { amount: '25000.00', currency: 'EUR' },
        validFrom: '2026-01-01', validUntil: '2027-12-31', frequencyCap: { max: 2, periodDays: 180 }, createdAt: now.toISOString(), createdBy: expect.stringMatching(/^admin:/),
        eligibility: { tiers: null, ownsModelLines: ['CAYENNE'], minSpent: { amount: '80000.00', currency: 'EUR' }, maxSpent: { amount: '150000.00' }, clubMember: null, interests: [{ modelLine: 'CAYENNE', detail: 'turbo', minCount: 2, withinDays: 90 }] },
        conversion: { kind: 'VEHICLE_REGISTERED', modelLines: ['CAYENNE'], variantContains: 'Turbo', attributionDays: 120 },
      },
    });
    expect(twice.data?.defineOffer).toMatchObject({ offer: null, userErrors: [{ field: ['input', 'code'], code: 'ALREADY_EXISTS' }] });
    expect(changed.data?.defineOffer).toMatchObject({ userErrors: [], offer: { version: 2, name: 'Cayenne Turbo E-Hybrid upgrade', value: { amount: '30000.00' } } });
    expect(stale.data?.defineOffer).toMatchObject({ offer: null, userErrors: [{ field: ['input', 'expectedVersion'], code: 'STALE_VERSION' }] });
    expect(stale.data?.defineOffer.userErrors[0].message).toContain('version 2');
    expect(unknown.data?.defineOffer).toMatchObject({ offer: null, userErrors: [{ field: ['input', 'code'], code: 'UNKNOWN_OFFER' }] });
    expect((await api.store.repos.offers.getOfferVersion('CAYENNE_TURBO_UPGRADE', 1))?.name).toBe('Cayenne Turbo upgrade');
    expect((await api.store.repos.offers.getOffer('CAYENNE_TURBO_UPGRADE'))?.version).toBe(2);
    expect(await api.store.repos.offers.getOffer('NO_SUCH_OFFER')).toBeNull();
    const id = created.data?.defineOffer.offer.id;
    expect((await api.call(`query($id: ID!) { node(id: $id) { ... on OfferDefinition { code version } } }`, { id }, api.bearer('analyst'))).data?.node).toEqual({ code: 'CAYENNE_TURBO_UPGRADE', version: 2 });
  });

  it('retires an offer as a new version: out of the default catalogue, listed with includeRetired; an unknown code is UNKNOWN_OFFER and writes nothing', async () => {
    // Prepare
    const offer = (await define(offerInput({ code: 'ENGINE_OIL', kind: 'PRODUCT', eligibility: {}, conversion: { kind: 'ORDER', skuPrefix: 'wap-oil', attributionDays: 60 } }))).data?.defineOffer;
    expect(offer.userErrors).toEqual([]);
    const before = await stored();
    // Act
    const unknown = await retire({ code: 'NO_SUCH_OFFER', expectedVersion: 1 });
    const malformed = await retire({ code: 'engine oil!', expectedVersion: 1 });
    const stale = await retire({ code: 'ENGINE_OIL', expectedVersion: 2 });
    const afterRefusals = await stored();
    const retired = await retire({ code: 'engine_oil', expectedVersion: 1 });
    const again = await retire({ code: 'ENGINE_OIL', expectedVersion: 2 });
    // Assess
    expect(unknown.data?.retireOffer).toMatchObject({ offer: null, userErrors: [{ field: ['input', 'code'], code: 'UNKNOWN_OFFER' }] });
    expect(malformed.data?.retireOffer).toMatchObject({ offer: null, userErrors: [{ field: ['input', 'code'], code: 'UNKNOWN_OFFER' }] });
    expect(stale.data?.retireOffer).toMatchObject({ offer: null, userErrors: [{ field: ['input', 'expectedVersion'], code: 'STALE_VERSION' }] });
    expect(afterRefusals).toEqual(before);
    expect(retired.data?.retireOffer).toEqual({ offer: { code: 'ENGINE_OIL', version: 2, status: 'RETIRED' }, userErrors: [] });
    expect(again.data?.retireOffer).toMatchObject({ offer: null, userErrors: [{ field: ['input', 'code'], code: 'INVALID_STATUS' }] });
    expect((await catalogue()).map((o) => o.code)).not.toContain('ENGINE_OIL');
    expect(await catalogue(admin(), true)).toContainEqual({ code: 'ENGINE_OIL', version: 2, status: 'RETIRED' });
    expect((await api.store.repos.offers.getOfferVersion('ENGINE_OIL', 1))?.status).toBe('ACTIVE');
  });

  it('answers a rule naming an unknown model line with UNKNOWN_MODEL_LINE at its path, and other bad fields with their codes; nothing is written', async () => {
    const before = await stored();
    const errors = async (input: Record<string, unknown>) => (await define(offerInput({ code: 'BAD_OFFER', ...input }))).data?.defineOffer.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code]);
    expect(await errors({ eligibility: { ownsModelLines: ['CAYENNE', 'CAYMAN'] } })).toEqual([['input.eligibility.ownsModelLines.1', 'UNKNOWN_MODEL_LINE']]);
    expect(await errors({ conversion: { kind: 'VEHICLE_REGISTERED', modelLines: ['BOXSTER'], attributionDays: 30 } })).toEqual([['input.conversion.modelLines.0', 'UNKNOWN_MODEL_LINE']]);
    expect(await errors({ eligibility: { interests: [{ modelLine: 'CARRERA', minCount: 1, withinDays: 30 }] } })).toEqual([['input.eligibility.interests.0.modelLine', 'UNKNOWN_MODEL_LINE']]);
    expect(await errors({ code: 'x', validFrom: '2026-02-30', valueEur: 0 })).toEqual([
      ['input.code', 'INVALID'],
      ['input.valueEur', 'OUT_OF_RANGE'],
      ['input.validFrom', 'INVALID_DATE'],
    ]);
    expect(await errors({ expectedVersion: 0 })).toEqual([['input.expectedVersion', 'OUT_OF_RANGE']]);
    expect(await stored()).toEqual(before);
  });

  it('lets analysts read the catalogue but change nothing; customers and dealers neither read nor change it', async () => {
    const dealer = await createDealer(api, 'DE-OFR-C');
    const dealerKey = { 'x-api-key': (await issueKey(api, dealer.id, ['CUSTOMERS_READ', 'OFFERS_RESPOND'])).secret };
    const customer = await createCustomer(api, admin());
    const customerToken = api.bearer('customer', Buffer.from(customer.id, 'base64url').toString().split(':')[1]!);
    const offer = (await define(offerInput({ code: 'TRACK_EXPERIENCE_911', kind: 'TRACK_EXPERIENCE' }))).data?.defineOffer.offer;
    expect((await catalogue(api.bearer('analyst'))).map((o) => o.code)).toContain('TRACK_EXPERIENCE_911');
    for (const headers of [api.bearer('analyst'), dealerKey, customerToken]) {
      expect((await define(offerInput({ code: 'NOT_MINE' }), headers)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await retire({ code: 'TRACK_EXPERIENCE_911', expectedVersion: 1 }, headers)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    for (const headers of [dealerKey, customerToken]) {
      expect((await api.call(`{ offerCatalogue { edges { node { code } } } }`, {}, headers)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await api.call(`query($id: ID!) { node(id: $id) { id } }`, { id: offer.id }, headers)).data?.node).toBeNull();
    }
    expect(await api.store.repos.offers.getOffer('NOT_MINE')).toBeNull();
    expect((await api.store.repos.offers.getOffer('TRACK_EXPERIENCE_911'))?.status).toBe('ACTIVE');
  });
});
