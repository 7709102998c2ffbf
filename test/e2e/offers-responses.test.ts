import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookEntity, decisionEntity, offerKeys, type OfferDecisionRecord } from '../../src/offers/offer-records.js';
import { newId } from '../../src/shared/ids.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createCustomer, createDealer, issueKey } from '../support/fixtures.js';
import { makeDecision, offerGlobalId, writeDecisions } from '../support/offers-fixtures.js';
import { itemsOfType } from '../support/store.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

/** recordOfferResponse through the Lambda handler: idempotent per channel event, forward only, nothing written when refused. */
describe('Lambda handler: responses to offers', () => {
  let api: TestApi;
  const now = new Date('2026-11-20T10:00:00.000Z');
  const key = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1]!;
  let dealerA: { id: string };
  let responderA: Record<string, string>, readerA: Record<string, string>, responderB: Record<string, string>;
  let writerA: Record<string, string>;
  let serial = 0;

  const respond = (input: Record<string, unknown>, headers: Record<string, string>) =>
    api.call(
      `mutation($input: RecordOfferResponseInput!) { recordOfferResponse(input: $input) { offer { id status statusAt responses { status channel channelEventId at } } duplicate userErrors { field code message } } }`,
      { input: { status: 'OPENED', channel: 'EMAIL', at: '2026-11-10T08:00:00Z', ...input } },
      headers,
    );

  /** A customer linked to dealer A with the given decisions (DECIDED, open, on A's follow-up list unless overridden). */
  async function customerWith(...overrides: Partial<OfferDecisionRecord>[]) {
    const customer = await createCustomer(api, writerA);
    const id = key(customer.id);
    const decisions = await writeDecisions(api.store, id, overrides.map((o) => makeDecision(id, { dealerId: key(dealerA.id), followUp: true, ...o })));
    return { globalId: customer.id, id, headers: api.bearer('customer', id), decisions };
  }

  /** Everything a response writes: the decision, the customer's book, the receipts. */
  async function written(d: OfferDecisionRecord) {
    const [decision, book, receipts] = await Promise.all([
      api.store.doc.send(new GetCommand({ TableName: api.store.tableName, Key: offerKeys.decision(d.customerId, d.id), ConsistentRead: true })),
      api.store.doc.send(new GetCommand({ TableName: api.store.tableName, Key: offerKeys.book(d.customerId), ConsistentRead: true })),
      itemsOfType(api.store, 'OfferResponseReceipt'),
    ]);
    return { decision: decision.Item && decisionEntity.fromItem(decision.Item), book: book.Item && bookEntity.fromItem(book.Item), receipts: receipts.filter((r) => r.customerId === d.customerId) };
  }

  const eventId = () => `evt-${++serial}`;

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    dealerA = await createDealer(api, 'DE-OFR-R');
    const dealerB = await createDealer(api, 'DE-OFR-S');
    writerA = { 'x-api-key': (await issueKey(api, dealerA.id, ['CUSTOMERS_WRITE'])).secret };
    responderA = { 'x-api-key': (await issueKey(api, dealerA.id, ['OFFERS_RESPOND'])).secret };
    readerA = { 'x-api-key': (await issueKey(api, dealerA.id, ['OFFERS_READ', 'CUSTOMERS_READ'])).secret };
    responderB = { 'x-api-key': (await issueKey(api, dealerB.id, ['OFFERS_RESPOND'])).secret };
  });
  afterAll(() => api.close());

  it('records a response once per channel event: a re-send answers like the first time with duplicate: true and writes nothing', async () => {
    // Prepare
    const ann = await customerWith({});
    const d = ann.decisions[0]!;
    const input = { offerId: offerGlobalId(d), status: 'OPENED', channel: 'email', channelEventId: 'esp-42' };
    // Act
    const first = (await respond(input, api.bearer('admin'))).data?.recordOfferResponse;
    const after = await written(d);
    const again = (await respond(input, api.bearer('admin'))).data?.recordOfferResponse;
    // Assess
    expect(first).toMatchObject({ duplicate: false, userErrors: [], offer: { id: offerGlobalId(d), status: 'OPENED', statusAt: '2026-11-10T08:00:00.000Z', responses: [{ status: 'OPENED', channel: 'EMAIL', channelEventId: 'esp-42', at: '2026-11-10T08:00:00.000Z' }] } });
    expect(again).toEqual({ ...first, duplicate: true });
    expect(await written(d)).toEqual(after);
    expect(after.book?.entries[d.id]?.status).toBe('OPENED');
    expect(after.receipts).toHaveLength(1);
  });

  it('records exactly one of 10 concurrent re-sends of one channel event; the others are duplicates', async () => {
    const bob = await customerWith({});
    const d = bob.decisions[0]!;
    const results = await Promise.all(Array.from({ length: 10 }, () => respond({ offerId: offerGlobalId(d), status: 'ACCEPTED', channelEventId: 'app-7', channel: 'APP' }, bob.headers)));
    expect(results.map((r) => r.errors)).toEqual(Array(10).fill(undefined));
    expect(results.filter((r) => r.data?.recordOfferResponse.duplicate === false)).toHaveLength(1);
    expect(results.every((r) => r.data?.recordOfferResponse.userErrors.length === 0 && r.data?.recordOfferResponse.offer.status === 'ACCEPTED')).toBe(true);
    const state = await written(d);
    expect(state.decision?.responses).toHaveLength(1);
    expect(state.book?.version).toBe(2);
  }, 60_000);

  it('refuses ACCEPTED after DECLINED as OUT_OF_ORDER naming the current status, and writes nothing', async () => {
    // Prepare
    const cleo = await customerWith({});
    const d = cleo.decisions[0]!;
    expect((await respond({ offerId: offerGlobalId(d), status: 'DECLINED', channelEventId: eventId() }, cleo.headers)).data?.recordOfferResponse.userErrors).toEqual([]);
    const before = await written(d);
    // Act
    const late = (await respond({ offerId: offerGlobalId(d), status: 'ACCEPTED', channelEventId: eventId() }, cleo.headers)).data?.recordOfferResponse;
    // Assess
    expect(late.offer).toBeNull();
    expect(late.userErrors).toHaveLength(1);
    expect(late.userErrors[0]).toMatchObject({ field: ['input', 'status'], code: 'OUT_OF_ORDER' });
    expect(late.userErrors[0].message).toContain('DECLINED');
    expect(await written(d)).toEqual(before);
    expect(before.book?.entries[d.id]?.declinedAt).toBe('2026-11-10T08:00:00.000Z');
  });

  it('answers NOT_FOUND for an offer never decided for the customer, and for a holdout decision, even to an admin; nothing is written', async () => {
    const dora = await customerWith({ holdout: true, followUp: false });
    const holdout = dora.decisions[0]!;
    const before = await written(holdout);
    const notFound = { offer: null, duplicate: false, userErrors: [{ field: ['input', 'offerId'], code: 'NOT_FOUND', message: 'No offer with this ID.' }] };
    const neverDecided = offerGlobalId({ customerId: dora.id, id: newId() });
    for (const headers of [dora.headers, api.bearer('admin')]) {
      expect((await respond({ offerId: neverDecided, channelEventId: eventId() }, headers)).data?.recordOfferResponse).toEqual(notFound);
      expect((await respond({ offerId: 'not-an-id', channelEventId: eventId() }, headers)).data?.recordOfferResponse).toEqual(notFound);
    }
    expect((await respond({ offerId: offerGlobalId(holdout), channelEventId: eventId() }, dora.headers)).data?.recordOfferResponse).toEqual(notFound);
    expect((await respond({ offerId: offerGlobalId(holdout), channelEventId: eventId() }, api.bearer('admin'))).data?.recordOfferResponse).toEqual(notFound);
    expect(await written(holdout)).toEqual(before);
    expect(before.receipts).toEqual([]);
  });

  it('checks the input before reading anything: channel, event id length, a real time not in the future', async () => {
    const eve = await customerWith({});
    const d = eve.decisions[0]!;
    const before = await written(d);
    const errors = async (input: Record<string, unknown>) => (await respond({ offerId: offerGlobalId(d), channelEventId: eventId(), ...input }, eve.headers)).data?.recordOfferResponse.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code]);
    expect(await errors({ channel: ' ' })).toEqual([['input.channel', 'REQUIRED']]);
    expect(await errors({ channel: 'E MAIL' })).toEqual([['input.channel', 'INVALID']]);
    expect(await errors({ channelEventId: 'x'.repeat(201) })).toEqual([['input.channelEventId', 'TOO_LONG']]);
    expect(await errors({ channelEventId: '' })).toEqual([['input.channelEventId', 'REQUIRED']]);
    expect(await errors({ at: '2026-11-21T10:00:00Z' })).toEqual([['input.at', 'IN_FUTURE']]);
    expect(await errors({ at: '2026-02-30T10:00:00Z' })).toEqual([['input.at', 'INVALID_DATE']]);
    // Before the decision (decided 2026-11-01T04:00Z): the repository's answer, on `at`.
    expect(await errors({ at: '2026-10-31T10:00:00Z' })).toEqual([['input.at', 'INVALID']]);
    expect(await written(d)).toEqual(before);
  });

  it('refuses a response to a closed (expired) offer, and a channel event id reused for another status', async () => {
    const finn = await customerWith({ status: 'EXPIRED', followUp: false }, {});
    const [expired, open] = finn.decisions as [OfferDecisionRecord, OfferDecisionRecord];
    const closed = (await respond({ offerId: offerGlobalId(expired), channelEventId: eventId() }, api.bearer('admin'))).data?.recordOfferResponse;
    expect(closed.userErrors).toMatchObject([{ field: ['input', 'offerId'], code: 'INVALID_STATUS' }]);
    expect(closed.userErrors[0].message).toContain('EXPIRED');
    expect((await respond({ offerId: offerGlobalId(open), status: 'SENT', channelEventId: 'crm-1' }, api.bearer('admin'))).data?.recordOfferResponse.userErrors).toEqual([]);
    const before = await written(open);
    const reused = (await respond({ offerId: offerGlobalId(open), status: 'OPENED', channelEventId: 'crm-1' }, api.bearer('admin'))).data?.recordOfferResponse;
    expect(reused.userErrors).toMatchObject([{ field: ['input', 'channelEventId'], code: 'INVALID' }]);
    expect(await written(open)).toEqual(before);
  });

  it('lets a linked dealer respond only with OFFERS_RESPOND; an analyst or a reading key cannot; a final answer leaves the follow-up list', async () => {
    const gus = await customerWith({ expectedValueEurMinor: 700_000 });
    const d = gus.decisions[0]!;
    const list = async () => (await api.call(`query($id: ID!) { offerFollowUps(dealerId: $id, first: 100) { edges { node { id } } } }`, { id: dealerA.id }, readerA)).data?.offerFollowUps.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(await list()).toContain(offerGlobalId(d));
    for (const headers of [api.bearer('analyst'), readerA]) {
      expect((await respond({ offerId: offerGlobalId(d), channelEventId: eventId() }, headers)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await respond({ offerId: offerGlobalId(d), channel: 'DEALER', channelEventId: eventId() }, responderB)).data?.recordOfferResponse.userErrors).toMatchObject([{ code: 'NOT_FOUND' }]);
    const accepted = (await respond({ offerId: offerGlobalId(d), status: 'ACCEPTED', channel: 'DEALER', channelEventId: eventId() }, responderA)).data?.recordOfferResponse;
    expect(accepted).toMatchObject({ userErrors: [], offer: { status: 'ACCEPTED' } });
    expect(await list()).not.toContain(offerGlobalId(d));
  });

  it("keeps each reporter's channel event ids apart: a customer's app cannot use up the brand's", async () => {
    const hal = await customerWith({});
    const d = hal.decisions[0]!;
    const mine = (await respond({ offerId: offerGlobalId(d), status: 'SENT', channel: 'PUSH', channelEventId: 'push-1' }, hal.headers)).data?.recordOfferResponse;
    const brands = (await respond({ offerId: offerGlobalId(d), status: 'OPENED', channel: 'PUSH', channelEventId: 'push-1' }, api.bearer('admin'))).data?.recordOfferResponse;
    expect(mine).toMatchObject({ duplicate: false, userErrors: [] });
    expect(brands).toMatchObject({ duplicate: false, userErrors: [], offer: { status: 'OPENED' } });
  });
});
