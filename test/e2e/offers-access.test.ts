import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfferDecisionRecord } from '../../src/offers/offer-records.js';
import { newId } from '../../src/shared/ids.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createCustomer, createDealer, issueKey } from '../support/fixtures.js';
import { makeDecision, offerGlobalId, OFFER_FIELDS, writeDecisions } from '../support/offers-fixtures.js';

/** Who sees which offers through the Lambda handler: the customer, linked dealers by scope, analysts, admins; the holdout stays hidden. */
describe('Lambda handler: who sees offers', () => {
  let api: TestApi;
  const now = new Date('2026-11-20T10:00:00.000Z');
  const key = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1]!;
  const admin = () => api.bearer('admin');
  const analyst = () => api.bearer('analyst');

  let dealerA: { id: string }, dealerB: { id: string };
  let offersReaderA: Record<string, string>, customersReaderA: Record<string, string>, fullReaderA: Record<string, string>, responderB: Record<string, string>;
  let ann: { id: string }, bob: { id: string }, cleo: { id: string };
  let annToken: Record<string, string>;
  // Ann: two open treatment offers on dealer A's list, one holdout, one declined; Bob: one on A's list; Cleo (not linked): one.
  let annTop: OfferDecisionRecord, annSent: OfferDecisionRecord, annHoldout: OfferDecisionRecord, annDeclined: OfferDecisionRecord, bobOffer: OfferDecisionRecord, cleoOffer: OfferDecisionRecord;

  const offersOf = async (customerId: string, headers: Record<string, string>, args = '') => {
    const res = await api.call(`query($id: ID!) { customer(id: $id) { offers${args} { ${OFFER_FIELDS} } nextBestOffers { id } } }`, { id: customerId }, headers);
    expect(res.errors).toBeUndefined();
    return res.data?.customer as { offers: { id: string; holdout: boolean | null; status: string; customer: { id: string } | null }[]; nextBestOffers: { id: string }[] } | null;
  };
  const node = async (id: string, headers: Record<string, string>) => {
    const res = await api.call(`query($id: ID!) { node(id: $id) { ... on Offer { ${OFFER_FIELDS} } } }`, { id }, headers);
    expect(res.errors).toBeUndefined();
    return res.data?.node as { id: string; holdout: boolean | null; customer: { id: string } | null } | null;
  };
  const followUps = async (dealerId: string, headers: Record<string, string>) => {
    const res = await api.call(
      `query($id: ID!) { offerFollowUps(dealerId: $id, first: 10) { edges { node { id expectedValue { amount } } } } node(id: $id) { ... on Dealer { offerFollowUps(first: 10) { edges { node { id } } } } } }`,
      { id: dealerId },
      headers,
    );
    expect(res.errors).toBeUndefined();
    const list = res.data?.offerFollowUps.edges.map((e: { node: { id: string } }) => e.node.id) as string[];
    // The dealer's own field answers the same list (the dealer node itself is visible to staff and to the dealer).
    if (res.data?.node) expect(res.data.node.offerFollowUps.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(list);
    return list;
  };
  const ids = (offers: { id: string }[] | undefined) => offers?.map((o) => o.id);

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    dealerA = await createDealer(api, 'DE-OFR-A');
    dealerB = await createDealer(api, 'DE-OFR-B');
    const writerA = { 'x-api-key': (await issueKey(api, dealerA.id, ['CUSTOMERS_WRITE'])).secret };
    offersReaderA = { 'x-api-key': (await issueKey(api, dealerA.id, ['OFFERS_READ'])).secret };
    customersReaderA = { 'x-api-key': (await issueKey(api, dealerA.id, ['CUSTOMERS_READ'])).secret };
    fullReaderA = { 'x-api-key': (await issueKey(api, dealerA.id, ['CUSTOMERS_READ', 'OFFERS_READ'])).secret };
    responderB = { 'x-api-key': (await issueKey(api, dealerB.id, ['CUSTOMERS_READ', 'OFFERS_RESPOND'])).secret };
    ann = await createCustomer(api, writerA, { firstName: 'Ann' });
    bob = await createCustomer(api, writerA, { firstName: 'Bob' });
    cleo = await createCustomer(api, admin(), { firstName: 'Cleo' });
    annToken = api.bearer('customer', key(ann.id));

    const a = key(dealerA.id);
    const onA = { dealerId: a, followUp: true };
    // Oldest first: ids are ULIDs, so the newest decision has the greatest id.
    annDeclined = makeDecision(key(ann.id), { offerCode: 'TRACK_DAY', status: 'DECLINED', decidedAt: '2026-10-01T04:00:00.000Z', validUntil: '2026-10-31T04:00:00.000Z' });
    annSent = makeDecision(key(ann.id), { ...onA, offerCode: 'TAYCAN_TEST_DRIVE', rank: 2, status: 'SENT', expectedValueEurMinor: 500_000 });
    annTop = makeDecision(key(ann.id), { ...onA, offerCode: 'CAYENNE_TURBO_UPGRADE', rank: 1, expectedValueEurMinor: 300_000 });
    annHoldout = makeDecision(key(ann.id), { dealerId: a, offerCode: 'ENGINE_OIL', rank: 3, holdout: true, expectedValueEurMinor: 900_000 });
    await writeDecisions(api.store, key(ann.id), [annDeclined, annSent, annTop, annHoldout]);
    bobOffer = makeDecision(key(bob.id), { ...onA, rank: 1, expectedValueEurMinor: 100_000 });
    await writeDecisions(api.store, key(bob.id), [bobOffer]);
    cleoOffer = makeDecision(key(cleo.id), { rank: 1 });
    await writeDecisions(api.store, key(cleo.id), [cleoOffer]);
  });
  afterAll(() => api.close());

  it('shows a customer their own offers, newest first, never a holdout decision nor the holdout flag', async () => {
    // Act
    const own = await offersOf(ann.id, annToken);
    const decided = await offersOf(ann.id, annToken, '(status: DECIDED)');
    // Assess
    expect(ids(own?.offers)).toEqual([annTop, annSent, annDeclined].map(offerGlobalId));
    expect(own?.offers.map((o) => o.holdout)).toEqual([null, null, null]);
    expect(ids(own?.nextBestOffers)).toEqual([annTop, annSent].map(offerGlobalId));
    expect(ids(decided?.offers)).toEqual([offerGlobalId(annTop)]);
    expect(await node(offerGlobalId(annTop), annToken)).toMatchObject({ id: offerGlobalId(annTop), holdout: null, customer: { id: ann.id } });
    expect(await node(offerGlobalId(annHoldout), annToken)).toBeNull();
    // Another customer's offer is as absent as one that never existed.
    expect(await node(offerGlobalId(cleoOffer), annToken)).toBeNull();
    expect(await offersOf(cleo.id, annToken)).toBeNull();
  });

  it('shows analysts and admins every offer, the holdout ones flagged', async () => {
    for (const headers of [analyst(), admin()]) {
      const all = await offersOf(ann.id, headers);
      expect(ids(all?.offers)).toEqual([annHoldout, annTop, annSent, annDeclined].map(offerGlobalId));
      expect(all?.offers.map((o) => o.holdout)).toEqual([true, false, false, false]);
      expect(await node(offerGlobalId(annHoldout), headers)).toMatchObject({ holdout: true });
      expect(await node(offerGlobalId(cleoOffer), headers)).toMatchObject({ holdout: false, customer: { id: cleo.id } });
    }
  });

  it("shows a dealer the offers of its linked customers only with OFFERS_READ, without the holdout", async () => {
    // offers:read alone: the offers, not the profile behind them
    expect(await node(offerGlobalId(annTop), offersReaderA)).toMatchObject({ id: offerGlobalId(annTop), holdout: null, customer: null });
    expect(await node(offerGlobalId(annHoldout), offersReaderA)).toBeNull();
    expect(await node(offerGlobalId(cleoOffer), offersReaderA)).toBeNull();
    // customers:read alone: the profile, not its offers
    expect(await offersOf(ann.id, customersReaderA)).toEqual({ offers: [], nextBestOffers: [] });
    expect(await node(offerGlobalId(annTop), customersReaderA)).toBeNull();
    // both
    const both = await offersOf(ann.id, fullReaderA);
    expect(ids(both?.offers)).toEqual([annTop, annSent, annDeclined].map(offerGlobalId));
    expect(both?.offers[0]).toMatchObject({ holdout: null, customer: { id: ann.id } });
  });

  it('gives an unlinked dealer nothing: an offer of a customer of another dealer reads exactly like an id that names nothing', async () => {
    const neverDecided = offerGlobalId({ customerId: key(ann.id), id: newId() });
    expect(await node(offerGlobalId(annTop), responderB)).toBeNull();
    expect(await node(neverDecided, responderB)).toBeNull();
    expect(await offersOf(ann.id, responderB)).toBeNull();
    expect(await followUps(dealerA.id, responderB)).toEqual([]);
    const respond = (offerId: string) =>
      api.call(`mutation($input: RecordOfferResponseInput!) { recordOfferResponse(input: $input) { offer { id } duplicate userErrors { field code message } } }`, { input: { offerId, status: 'OPENED', channel: 'DEALER', channelEventId: `b-${offerId}`, at: now.toISOString() } }, responderB);
    const hidden = (await respond(offerGlobalId(annTop))).data?.recordOfferResponse;
    const absent = (await respond(neverDecided)).data?.recordOfferResponse;
    expect(hidden).toEqual({ offer: null, duplicate: false, userErrors: [{ field: ['input', 'offerId'], code: 'NOT_FOUND', message: 'No offer with this ID.' }] });
    expect(absent).toEqual(hidden);
    expect((await api.store.repos.offers.getDecision(key(ann.id), annTop.id))?.responses).toEqual([]);
  });

  it("lists a dealer's follow-ups by expected value for the dealer with OFFERS_READ and the brand's staff, never a holdout decision", async () => {
    const expected = [annSent, annTop, bobOffer].map(offerGlobalId);
    expect(await followUps(dealerA.id, offersReaderA)).toEqual(expected);
    expect(await followUps(dealerA.id, analyst())).toEqual(expected);
    expect(await followUps(dealerA.id, admin())).toEqual(expected);
    // Without the scope, another dealer's list, a customer: empty, like a dealer with no follow-ups.
    expect(await followUps(dealerA.id, customersReaderA)).toEqual([]);
    expect(await followUps(dealerB.id, offersReaderA)).toEqual([]);
    expect(await followUps(dealerA.id, annToken)).toEqual([]);
    expect(await followUps(dealerB.id, admin())).toEqual([]);
  });

  it('pages the follow-up list by cursor in the same order', async () => {
    const page = (after?: string) => api.call(`query($id: ID!, $after: String) { offerFollowUps(dealerId: $id, first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, { id: dealerA.id, after }, offersReaderA);
    const first = (await page()).data?.offerFollowUps;
    const second = (await page(first.pageInfo.endCursor)).data?.offerFollowUps;
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect([...first.edges, ...second.edges].map((e: { node: { id: string } }) => e.node.id)).toEqual([annSent, annTop, bobOffer].map(offerGlobalId));
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it("keeps the catalogue from everyone but the brand's staff", async () => {
    for (const headers of [annToken, fullReaderA]) {
      const res = await api.call(`{ offerCatalogue { edges { node { code } } } }`, {}, headers);
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await api.call(`{ offerCatalogue { edges { node { code } } } }`, {}, analyst())).errors).toBeUndefined();
  });
});
