import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerEntity, type CustomerRecord } from '../../src/customer/customer.js';
import { planDecisions } from '../../src/offers/decide.js';
import { OfferRepository, type ResponseReport } from '../../src/offers/offer-repository.js';
import type { OfferDecisionRecord, ResponseStatus } from '../../src/offers/offer-records.js';
import { offersRunFor, runOffersLocally } from '../../src/offers/offers-job.js';
import { createLogger } from '../../src/shared/logger.js';
import { batchPutItems } from '../../src/store/batch.js';
import { JobFailureLog } from '../../src/store/job-failures.js';
import { ValueRepository } from '../../src/value/value-repository.js';
import { cayenneOwner, DEALER_A, storedCatalogue } from '../unit/offers-fixtures.js';
import { createTestStore, itemsOfType, type TestStore } from '../support/store.js';

/**
 * `OfferRepository.respond` on DynamoDB Local, on decisions the nightly job made: forward
 * only, once per channel event, never on a holdout or closed decision, and consistent
 * with the offer book under concurrent responses and a concurrent nightly run.
 */
const NIGHT_1 = new Date('2026-03-01T04:00:00.000Z');
const NIGHT_2 = new Date('2026-03-02T04:00:00.000Z');
const MONTH_LATER = new Date('2026-04-02T04:00:00.000Z');
const logger = createLogger({}, { level: 'error', write: () => true });
const catalogue = storedCatalogue();
const id = (n: number) => `01JOFFERRSP${String(n).padStart(15, '0')}`;
const firstNight = (c: CustomerRecord) => planDecisions({ customer: c, clubMember: false, book: null, catalogue, now: NIGHT_1 }).decide;

describe('Method: OfferRepository.respond (DynamoDB Local)', { timeout: 120_000 }, () => {
  let store: TestStore;
  let offers: OfferRepository;
  /** Customers 0–7 are in treatment for every decision; `holdoutCustomer` has at least one holdout decision. */
  const treated: CustomerRecord[] = [];
  let holdoutCustomer: CustomerRecord;
  let events = 0;
  /** A nightly run; every customer must be processed (a skipped one is a bug here, not bad data). */
  const nightly = async (now: Date) => {
    const run = offersRunFor(now, 2);
    const stats = await runOffersLocally({ offers, values: new ValueRepository(store), logger }, run);
    expect(await new JobFailureLog(store).list('offers', run.runId)).toEqual([]);
    return stats;
  };

  /** A channel's report on a decision: a fresh channel event id unless one is given. */
  const report = (d: Pick<OfferDecisionRecord, 'customerId' | 'id'>, status: ResponseStatus, overrides: Partial<ResponseReport> = {}): ResponseReport => ({
    customerId: d.customerId,
    decisionId: d.id,
    status,
    channel: 'EMAIL',
    channelEventId: `evt-${++events}`,
    at: '2026-03-01T12:00:00.000Z',
    tenant: 'BRAND',
    ...overrides,
  });
  const decisionsOf = (c: CustomerRecord) => offers.decisionsOf(c.id);
  /** A customer's treatment decision of a follow-up offer (on their dealer's list while open). */
  const followUpDecision = async (c: CustomerRecord) => (await decisionsOf(c)).find((d) => d.followUp && !d.holdout)!;
  const stored = async (d: OfferDecisionRecord) => (await offers.getDecision(d.customerId, d.id, true))!;
  const storedItem = async (d: OfferDecisionRecord) => (await itemsOfType(store, 'OfferDecision')).find((i) => i.id === d.id)!;
  const receipts = async () => (await itemsOfType(store, 'OfferResponseReceipt')).length;

  beforeAll(async () => {
    // Prepare: the catalogue, eight customers with only treatment decisions and one with a holdout decision; night 1 decides
    store = await createTestStore();
    offers = new OfferRepository(store);
    for (const o of catalogue) expect(await offers.saveOffer(o, null)).toBe('SAVED');
    for (let n = 0; treated.length < 8; n++) {
      const c = cayenneOwner({ id: id(n), email: `rsp-${n}@example.com` });
      const decide = firstNight(c);
      if (decide.length >= 2 && decide.every((d) => !d.holdout) && decide.some((d) => d.followUp)) treated.push(c);
    }
    for (let n = 1_000; ; n++) {
      const c = cayenneOwner({ id: id(n), email: `rsp-${n}@example.com` });
      if (firstNight(c).some((d) => d.holdout)) {
        holdoutCustomer = c;
        break;
      }
    }
    await batchPutItems(store.doc, store.tableName, [...treated, holdoutCustomer].map(customerEntity.toItem));
    await nightly(NIGHT_1);
  });
  afterAll(() => store.drop());

  it('records responses forward only, steps may be skipped; a final answer leaves the follow-up list and refuses any later step', async () => {
    // Prepare
    const d = await followUpDecision(treated[0]!);
    const bookBefore = (await offers.getBook(d.customerId))!;

    // Act
    const sent = await offers.respond(report(d, 'SENT'));
    const listedWhileOpen = (await offers.followUps(DEALER_A, 100)).items.some((x) => x.id === d.id);
    const accepted = await offers.respond(report(d, 'ACCEPTED', { at: '2026-03-01T13:00:00.000Z' }));
    const openedLate = await offers.respond(report(d, 'OPENED', { at: '2026-03-01T14:00:00.000Z' }));
    const declinedLate = await offers.respond(report(d, 'DECLINED', { at: '2026-03-01T15:00:00.000Z' }));

    // Assess
    expect(sent).toMatchObject({ kind: 'RECORDED', decision: { status: 'SENT' } });
    expect(listedWhileOpen).toBe(true);
    expect(accepted).toMatchObject({ kind: 'RECORDED', decision: { status: 'ACCEPTED' } });
    expect(openedLate).toEqual({ kind: 'OUT_OF_ORDER', current: 'ACCEPTED' });
    expect(declinedLate).toEqual({ kind: 'OUT_OF_ORDER', current: 'ACCEPTED' });
    const after = await stored(d);
    expect(after.status).toBe('ACCEPTED');
    expect(after.statusAt).toBe('2026-03-01T13:00:00.000Z');
    expect(after.responses.map((r) => r.status)).toEqual(['SENT', 'ACCEPTED']);
    expect((await storedItem(d)).GSI1PK).toBeUndefined();
    expect((await offers.followUps(DEALER_A, 100)).items.some((x) => x.id === d.id)).toBe(false);
    const book = (await offers.getBook(d.customerId))!;
    expect(book.entries[d.id]!.status).toBe('ACCEPTED');
    expect(book.version).toBe(bookBefore.version + 2);
  });

  it('answers a re-sent channel event DUPLICATE and writes nothing; the same event id for another status or decision is RECEIPT_MISMATCH; another sender has its own ids', async () => {
    // Prepare
    const [d, other] = await decisionsOf(treated[1]!);
    const opened = report(d!, 'OPENED');
    expect((await offers.respond(opened)).kind).toBe('RECORDED');
    const before = { book: await offers.getBook(d!.customerId), receipts: await receipts(), decision: await stored(d!) };

    // Act
    const again = await offers.respond(opened);
    const otherStatus = await offers.respond({ ...opened, status: 'ACCEPTED' });
    const otherDecision = await offers.respond({ ...report(other!, 'OPENED'), channelEventId: opened.channelEventId });
    const otherTenant = await offers.respond({ ...report(other!, 'OPENED'), channelEventId: opened.channelEventId, tenant: 'DEALER#01JDEALERA0000000000000000' });

    // Assess
    expect(again).toEqual({ kind: 'DUPLICATE', decision: before.decision });
    expect(otherStatus).toEqual({ kind: 'RECEIPT_MISMATCH' });
    expect(otherDecision).toEqual({ kind: 'RECEIPT_MISMATCH' });
    expect(otherTenant.kind).toBe('RECORDED');
    expect(await stored(d!)).toEqual(before.decision);
    const book = (await offers.getBook(d!.customerId))!;
    expect(book.version).toBe(before.book!.version + 1); // the other tenant's response only
    expect(await receipts()).toBe(before.receipts + 1);
  });

  it('refuses a holdout decision and an unknown one as NOT_FOUND (nothing reveals the holdout), and a time before the decision', async () => {
    // Prepare
    const holdout = (await decisionsOf(holdoutCustomer)).find((d) => d.holdout)!;
    const treatment = (await decisionsOf(treated[2]!))[0]!;
    const receiptsBefore = await receipts();

    // Act
    const onHoldout = await offers.respond(report(holdout, 'OPENED'));
    const unknown = await offers.respond(report({ customerId: treated[2]!.id, id: '01JNODECISION0000000000000' }, 'OPENED'));
    const anotherCustomers = await offers.respond(report({ customerId: treated[3]!.id, id: treatment.id }, 'OPENED'));
    const early = await offers.respond(report(treatment, 'OPENED', { at: '2026-03-01T03:59:59.999Z' }));

    // Assess
    expect(onHoldout).toEqual({ kind: 'NOT_FOUND' });
    expect(unknown).toEqual({ kind: 'NOT_FOUND' });
    expect(anotherCustomers).toEqual({ kind: 'NOT_FOUND' });
    expect(early).toEqual({ kind: 'BEFORE_DECISION' });
    expect((await stored(holdout)).status).toBe('DECIDED');
    expect((await stored(treatment)).status).toBe('DECIDED');
    expect(await receipts()).toBe(receiptsBefore);
  });

  it('concurrent responses to one decision: one final answer wins, each recorded response is in the decision once, the book counts every write', async () => {
    // Prepare
    const d = (await decisionsOf(treated[4]!))[0]!;
    const bookBefore = (await offers.getBook(d.customerId))!;
    const reports = [report(d, 'SENT'), report(d, 'OPENED'), report(d, 'ACCEPTED'), report(d, 'DECLINED')];
    const resent = reports[2]!;

    // Act: four statuses and a re-send of one of them, all at once
    const outcomes = await Promise.all([...reports, resent].map((r) => offers.respond(r)));

    // Assess
    const recorded = outcomes.filter((o) => o.kind === 'RECORDED');
    const finals = recorded.filter((o) => o.kind === 'RECORDED' && (o.decision.status === 'ACCEPTED' || o.decision.status === 'DECLINED'));
    expect(finals).toHaveLength(1);
    const after = await stored(d);
    expect(after.responses).toHaveLength(recorded.length);
    expect(new Set(after.responses.map((r) => r.channelEventId)).size).toBe(recorded.length);
    expect(after.status).toBe(finals[0]!.kind === 'RECORDED' ? finals[0]!.decision.status : undefined);
    // Forward only even under the race: the recorded statuses are in step order.
    const step = { SENT: 1, OPENED: 2, ACCEPTED: 3, DECLINED: 3 } as const;
    const steps = after.responses.map((r) => step[r.status]);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    const book = (await offers.getBook(d.customerId))!;
    expect(book.version).toBe(bookBefore.version + recorded.length);
    expect(book.entries[d.id]!.status).toBe(after.status);
    // The re-send answered DUPLICATE if its original was recorded, else the same refusal as its original.
    const [original, copy] = [outcomes[2]!, outcomes[4]!];
    if (original.kind === 'RECORDED' || copy.kind === 'RECORDED') expect([original.kind, copy.kind].sort()).toEqual(['DUPLICATE', 'RECORDED']);
    else expect(copy.kind).toBe(original.kind);
  });

  it('a decline starts the offer\'s cool-down: the next night does not decide that offer again', async () => {
    // Prepare
    const customer = treated[5]!;
    const declined = (await decisionsOf(customer))[0]!;
    expect((await offers.respond(report(declined, 'DECLINED'))).kind).toBe('RECORDED');
    expect((await offers.getBook(customer.id))!.entries[declined.id]!.declinedAt).toBe('2026-03-01T12:00:00.000Z');

    // Act
    await nightly(NIGHT_2);

    // Assess: the free slot is filled by another offer (every customer here has more eligible offers than slots), never the declined one
    const now = await decisionsOf(customer);
    expect(now.filter((d) => d.offerCode === declined.offerCode).map((d) => d.id)).toEqual([declined.id]);
    const secondNight = now.filter((d) => d.decidedOn === '2026-03-02');
    expect(secondNight).toHaveLength(1);
    const book = (await offers.getBook(customer.id))!;
    expect(book.entries[secondNight[0]!.id]).toMatchObject({ offerCode: secondNight[0]!.offerCode, status: 'DECIDED' });
  });

  it('a response racing the nightly run that withdraws the decision: both land in some order, and decision and book agree', async () => {
    // Prepare: the customer withdraws e-mail consent; night 3's run withdraws their open decisions
    const customer = treated[6]!;
    const d = (await decisionsOf(customer))[0]!;
    await store.doc.send(new PutCommand({ TableName: store.tableName, Item: customerEntity.toItem({ ...customer, consents: { EMAIL: { channel: 'EMAIL', granted: false, source: 'owners-app', recordedAt: '2026-03-02T12:00:00.000Z' } } }) }));

    // Act
    const [response, runStats] = await Promise.all([offers.respond(report(d, 'SENT', { at: '2026-03-02T20:00:00.000Z' })), nightly(new Date('2026-03-03T04:00:00.000Z'))]);

    // Assess
    expect(runStats.reduce((n, s) => n + s.poisoned, 0)).toBe(0);
    const after = await stored(d);
    expect(after.status).toBe('WITHDRAWN');
    if (response.kind === 'RECORDED') expect(after.responses.map((r) => r.status)).toEqual(['SENT']);
    else expect(response).toEqual({ kind: 'CLOSED', current: 'WITHDRAWN' });
    const book = (await offers.getBook(customer.id))!;
    expect(book.entries[d.id]!.status).toBe('WITHDRAWN');
    // A response after the run is refused as closed.
    expect(await offers.respond(report(d, 'OPENED', { at: '2026-03-03T08:00:00.000Z' }))).toEqual({ kind: 'CLOSED', current: 'WITHDRAWN' });
  });

  it('a month later: a decision the run expired refuses responses as CLOSED', async () => {
    // Prepare
    const d = (await decisionsOf(treated[7]!)).find((x) => x.decidedOn === '2026-03-01')!;

    // Act
    await nightly(MONTH_LATER);
    const late = await offers.respond(report(d, 'OPENED', { at: '2026-04-02T08:00:00.000Z' }));

    // Assess
    expect((await stored(d)).status).toBe('EXPIRED');
    expect(late).toEqual({ kind: 'CLOSED', current: 'EXPIRED' });
  });
});
