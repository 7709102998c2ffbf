import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { customerEntity, type CustomerRecord } from '../../src/customer/customer.js';
import { planDecisions } from '../../src/offers/decide.js';
import { OfferRepository } from '../../src/offers/offer-repository.js';
import { BRAND_STATS_SCOPE, offerKeys } from '../../src/offers/offer-records.js';
import { offersRunFor, runOffersLocally, runOffersSegment } from '../../src/offers/offers-job.js';
import { createLogger } from '../../src/shared/logger.js';
import { batchPutItems } from '../../src/store/batch.js';
import { JobFailureLog } from '../../src/store/job-failures.js';
import { ValueRepository } from '../../src/value/value-repository.js';
import { countRequests } from '../support/request-counter.js';
import { itemsOfType, ownEngine, type TestStore } from '../support/store.js';
import { cayenneOwner, DEALER_A, storedCatalogue } from '../unit/offers-fixtures.js';

/**
 * The nightly offers job on DynamoDB Local, as a story of nights on one table: the first
 * night decides what the pure planner says for every customer (and nothing for those
 * without consent), the same day again writes nothing, consent withdrawn withdraws at the
 * next night, a month later the open decisions expire; beside it, a stopped worker resumes,
 * two workers on one segment decide once, and a malformed book is skipped as poison.
 */
const NIGHT_1 = new Date('2026-03-01T04:00:00.000Z');
const NIGHT_2 = new Date('2026-03-02T04:00:00.000Z');
const MONTH_LATER = new Date('2026-04-02T04:00:00.000Z');
const SEGMENTS = 3;
const logger = createLogger({}, { level: 'error', write: () => true });
const catalogue = storedCatalogue();

/** Planner decisions for a customer on a fresh book (what the job must write on night 1). */
const expectedFirstNight = (c: CustomerRecord) => planDecisions({ customer: c, clubMember: false, book: null, catalogue, now: NIGHT_1 }).decide;

/**
 * 24 scored Cayenne owners (the fixture's profile: several default offers fit), every fourth
 * without e-mail consent, plus customers chosen so that some decisions fall in the holdout
 * (the hashed 5 % would otherwise leave a small table without one).
 */
function population(): CustomerRecord[] {
  const id = (n: number) => `01JOFFERJOB${String(n).padStart(15, '0')}`;
  const customers: CustomerRecord[] = [];
  for (let n = 0; customers.length < 24; n++) {
    const c = cayenneOwner({ id: id(n), email: `offers-${n}@example.com` });
    customers.push(n % 4 === 3 ? { ...c, consents: {} } : c);
  }
  let holdouts = 0;
  for (let n = 1_000; holdouts < 2; n++) {
    const c = cayenneOwner({ id: id(n), email: `offers-${n}@example.com` });
    if (expectedFirstNight(c).some((d) => d.holdout)) (customers.push(c), holdouts++);
  }
  return customers;
}

async function seedTable(store: TestStore, customers: readonly CustomerRecord[]) {
  const offers = new OfferRepository(store);
  for (const o of catalogue) expect(await offers.saveOffer(o, null)).toBe('SAVED');
  await batchPutItems(store.doc, store.tableName, customers.map(customerEntity.toItem));
}

const deps = (store: TestStore) => ({ offers: new OfferRepository(store), values: new ValueRepository(store), logger });

describe('Function: the nightly offers job (DynamoDB Local)', { timeout: 180_000 }, () => {
  const engine = ownEngine();
  let store: TestStore;
  const customers = population();

  beforeAll(async () => {
    store = await engine.createStore();
    await seedTable(store, customers);
  });
  afterAll(() => store.drop());

  it('night 1: decides what the planner says, nothing without consent, publishes treatment decisions only, and counts each once', async () => {
    // Act
    const counter = countRequests(store.doc);
    const stats = await runOffersLocally(deps(store), offersRunFor(NIGHT_1, SEGMENTS));

    // Assess: each customer's decisions are the planner's (codes, holdout), nothing for the unconsented
    const decisions = await itemsOfType(store, 'OfferDecision');
    for (const c of customers) {
      const mine = decisions.filter((d) => d.customerId === c.id);
      const expected = expectedFirstNight(c);
      expect(mine.map((d) => [d.offerCode, d.holdout]).sort()).toEqual(expected.map((d) => [d.offerCode, d.holdout]).sort());
      if (Object.keys(c.consents).length === 0) expect(mine).toEqual([]);
    }
    expect(decisions.length).toBeGreaterThan(customers.length); // several offers per consented customer
    expect(stats.reduce((s, x) => s + x.decided, 0)).toBe(decisions.length);
    const heldOut = decisions.filter((d) => d.holdout);
    expect(heldOut.length).toBeGreaterThanOrEqual(2);

    // Events: one OfferDecided per treatment decision, never one for the holdout
    const decided = (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === 'OfferDecided');
    expect(decided.map((e) => e.detail.decisionId).sort()).toEqual(decisions.filter((d) => !d.holdout).map((d) => d.id).sort());

    // Statistics: the brand's counters add up to the decisions, per arm
    const brand = (await itemsOfType(store, 'OfferStats')).filter((s) => s.scope === BRAND_STATS_SCOPE);
    expect(brand.reduce((s, x) => s + (x.decidedT ?? 0), 0)).toBe(decisions.length - heldOut.length);
    expect(brand.reduce((s, x) => s + (x.decidedC ?? 0), 0)).toBe(heldOut.length);

    // Follow-up lists hold exactly the open treatment decisions of follow-up offers, under the responsible dealer
    const followUps = await new OfferRepository(store).followUps(DEALER_A, 100);
    const expectedFollowUps = decisions.filter((d) => d.followUp && !d.holdout && d.dealerId === DEALER_A);
    expect(followUps.items.map((d) => d.id).sort()).toEqual(expectedFollowUps.map((d) => d.id).sort());
    expect(expectedFollowUps.length).toBeGreaterThan(0);
    expect(followUps.items.map((d) => d.expectedValueEurMinor)).toEqual([...followUps.items.map((d) => d.expectedValueEurMinor)].sort((a, b) => b - a));

    // Reads: every profile once (the scan), then one batch of books and memberships per page
    const tally = counter.tally();
    expect(stats.reduce((s, x) => s + x.customersRead, 0)).toBe(customers.length);
    expect(tally.byOperation.BatchGetItem).toBe(stats.reduce((s, x) => s + x.batchReads, 0));
    expect(tally.byOperation.GetItem ?? 0).toBe(stats.length); // each segment's checkpoint, nothing per customer
  });

  it('night 1 again, as another run: plans from the books it wrote and writes nothing', async () => {
    // Prepare
    const before = { decisions: (await itemsOfType(store, 'OfferDecision')).length, events: (await itemsOfType(store, 'OutboxEvent')).length, books: await itemsOfType(store, 'OfferBook') };

    // Act
    const stats = await runOffersLocally(deps(store), { ...offersRunFor(NIGHT_1, SEGMENTS), runId: 'manual-rerun' });

    // Assess
    expect(stats.reduce((s, x) => s + x.decided + x.closed, 0)).toBe(0);
    expect(stats.reduce((s, x) => s + x.unchanged, 0)).toBe(customers.length);
    expect((await itemsOfType(store, 'OfferDecision')).length).toBe(before.decisions);
    expect((await itemsOfType(store, 'OutboxEvent')).length).toBe(before.events);
    expect(await itemsOfType(store, 'OfferBook')).toEqual(before.books);
  });

  it('night 2: consent withdrawn closes that customer\'s open decisions WITHDRAWN, announces the treatment ones, and decides nothing new for them', async () => {
    // Prepare: the first consented customer withdraws e-mail consent
    const withdrawing = customers[0]!;
    await store.doc.send(new PutCommand({ TableName: store.tableName, Item: customerEntity.toItem({ ...withdrawing, consents: { EMAIL: { channel: 'EMAIL', granted: false, source: 'owners-app', recordedAt: '2026-03-01T12:00:00.000Z' } } }) }));
    const open = (await itemsOfType(store, 'OfferDecision')).filter((d) => d.customerId === withdrawing.id);
    expect(open.length).toBeGreaterThan(0);

    // Act
    await runOffersLocally(deps(store), offersRunFor(NIGHT_2, SEGMENTS));

    // Assess
    const after = (await itemsOfType(store, 'OfferDecision')).filter((d) => d.customerId === withdrawing.id);
    expect(after.map((d) => d.id).sort()).toEqual(open.map((d) => d.id).sort());
    expect(after.every((d) => d.status === 'WITHDRAWN' && d.GSI1PK === undefined)).toBe(true);
    const withdrawn = (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === 'OfferWithdrawn' && e.detail.customerId === withdrawing.id);
    expect(withdrawn.map((e) => e.detail.decisionId).sort()).toEqual(open.filter((d) => !d.holdout).map((d) => d.id).sort());
    const book = await new OfferRepository(store).getBook(withdrawing.id);
    expect(Object.values(book!.entries).every((e) => e.status === 'WITHDRAWN')).toBe(true);
  });

  it('a month later: open decisions past their 30 days expire and leave the follow-up lists', async () => {
    // Act
    await runOffersLocally(deps(store), offersRunFor(MONTH_LATER, SEGMENTS));

    // Assess: every night-1 decision is closed (withdrawn or expired); new ones may be decided in the freed slots
    const night1 = (await itemsOfType(store, 'OfferDecision')).filter((d) => d.decidedOn === '2026-03-01');
    expect(night1.every((d) => d.status === 'EXPIRED' || d.status === 'WITHDRAWN')).toBe(true);
    expect(night1.filter((d) => d.status === 'EXPIRED').length).toBeGreaterThan(0);
    const followUps = await new OfferRepository(store).followUps(DEALER_A, 100);
    expect(followUps.items.every((d) => d.decidedOn === '2026-04-02')).toBe(true);
  });
});

describe('Function: offers job workers that stop, race and meet bad data (DynamoDB Local)', { timeout: 180_000 }, () => {
  const engine = ownEngine();
  const customers = population();

  it('a worker stopped after its first page resumes from its checkpoint and ends where an uninterrupted run ends', async () => {
    // Prepare
    const store = await engine.createStore();
    await seedTable(store, customers);
    const run = offersRunFor(NIGHT_1, 1);
    let pages = 0;

    // Act: stop after the first page (5 customers), then run again (the redelivery)
    const first = await runOffersSegment(deps(store), run, 0, { pageSize: 5, shouldStop: () => pages++ >= 1 });
    const second = await runOffersSegment(deps(store), run, 0, { pageSize: 5 });

    // Assess
    expect(first.complete).toBe(false);
    expect(first.customersRead).toBe(5);
    expect(second.complete).toBe(true);
    expect(second.customersRead).toBe(customers.length);
    const decisions = await itemsOfType(store, 'OfferDecision');
    expect(decisions.length).toBe(customers.reduce((n, c) => n + expectedFirstNight(c).length, 0));
    expect(second.decided).toBe(decisions.length);
    await store.drop();
  });

  it('two workers on the same segment at once decide each customer once', async () => {
    // Prepare
    const store = await engine.createStore();
    await seedTable(store, customers);
    const run = offersRunFor(NIGHT_1, 1);

    // Act
    const [a, b] = await Promise.all([runOffersSegment(deps(store), run, 0, { pageSize: 5 }), runOffersSegment(deps(store), run, 0, { pageSize: 5 })]);

    // Assess: the planner's decisions, once each; one worker may have stepped aside
    const decisions = await itemsOfType(store, 'OfferDecision');
    for (const c of customers) {
      expect(decisions.filter((d) => d.customerId === c.id).map((d) => d.offerCode).sort()).toEqual(expectedFirstNight(c).map((d) => d.offerCode).sort());
    }
    expect(a.complete && b.complete).toBe(true);
    const events = (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === 'OfferDecided');
    expect(events).toHaveLength(decisions.filter((d) => !d.holdout).length);
    await store.drop();
  });

  it('skips a customer whose book does not parse, lists it under the run\'s failures, and decides for everyone else', async () => {
    // Prepare: one customer's book is malformed
    const store = await engine.createStore();
    await seedTable(store, customers);
    const bad = customers[1]!;
    await store.doc.send(new PutCommand({ TableName: store.tableName, Item: { ...offerKeys.book(bad.id), entityType: 'OfferBook', customerId: bad.id, entries: 'not a map', decidedOn: '2026-02-01', version: 1 } }));
    const run = offersRunFor(NIGHT_1, 2);

    // Act
    const stats = await runOffersLocally(deps(store), run);

    // Assess
    expect(stats.reduce((s, x) => s + x.poisoned, 0)).toBe(1);
    const failures = await new JobFailureLog(store).list('offers', run.runId);
    expect(failures.map((f) => f.key.PK)).toEqual([`CUST#${bad.id}`]);
    const decisions = await itemsOfType(store, 'OfferDecision');
    expect(decisions.some((d) => d.customerId === bad.id)).toBe(false);
    expect(decisions.length).toBe(customers.filter((c) => c !== bad).reduce((n, c) => n + expectedFirstNight(c).length, 0));
    await store.drop();
  });
});
