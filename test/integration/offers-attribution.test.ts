import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from '../../src/composition.js';
import { makeCustomer } from '../../src/customer/customer.js';
import { makeDealer } from '../../src/dealer/dealer.js';
import { bookEntryOf } from '../../src/offers/decide.js';
import offerFactHooks from '../../src/offers/fact-hooks.js';
import { bookEntity, BRAND_STATS_SCOPE, dealerStatsScope, decisionEntity, offerKeys, statsEntity, statsShard, type OfferDecisionRecord } from '../../src/offers/offer-records.js';
import { OFFER_RULES } from '../../src/offers/offer-rules.js';
import { newId, toGlobalId } from '../../src/shared/ids.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import { batchPutItems } from '../../src/store/batch.js';
import { createDocumentClient } from '../../src/store/dynamo-client.js';
import { recordFinanceContract, recordInteractions, recordOrder } from '../../src/value/value-service.js';
import { writeRegistration } from '../../src/vehicle/vehicle-service.js';
import { makeVehicle } from '../../src/vehicle/vehicle.js';
import { adminServiceContext } from '../support/service-context.js';
import { createTestStore, itemsOfType, type TestStore } from '../support/store.js';

/**
 * Conversion attribution through the real fact services on DynamoDB Local: a fact converts
 * the decisions whose rule and window it matches, in its own transaction, exactly once —
 * whatever re-sends, retries and concurrent writers do — and a customer without offers
 * pays one read for it. Decisions and books are written straight through the entities
 * (this tests the hooks, not the job).
 */
describe('Offer conversion attribution (DynamoDB Local)', () => {
  let store: TestStore;
  const dealer = makeDealer({ id: newId(), code: 'DE-OFFERS-ATTR' });
  const now = new Date('2026-11-20T12:00:00.000Z');
  let serial = 810_000;

  const context = (s: TestStore = store): ServiceContext => adminServiceContext(s, now);
  const gid = (id: string) => toGlobalId('Customer', id);

  const TEST_DRIVE: Partial<OfferDecisionRecord> = { offerCode: 'TAYCAN_TEST_DRIVE', kind: 'TEST_DRIVE', family: 'TEST_DRIVE', conversionRule: { kind: 'INTERACTION', interactionType: 'TEST_DRIVE', modelLines: ['TAYCAN'], attributionDays: 60 } };
  const OIL: Partial<OfferDecisionRecord> = { offerCode: 'APPROVED_OIL', kind: 'PRODUCT', family: 'PRODUCT', conversionRule: { kind: 'ORDER', skuPrefix: 'WAP-OIL', attributionDays: 45 } };
  const FINANCE: Partial<OfferDecisionRecord> = { offerCode: 'LEASE_RENEWAL', kind: 'FINANCE_RENEWAL', family: 'FINANCE', conversionRule: { kind: 'FINANCE_CONTRACT', financeKinds: ['LEASE'], attributionDays: 120 } };
  const UPGRADE: Partial<OfferDecisionRecord> = { offerCode: 'CAYENNE_TURBO_UPGRADE', kind: 'UPGRADE', family: 'UPGRADE', conversionRule: { kind: 'VEHICLE_REGISTERED', modelLines: ['CAYENNE'], variantContains: 'turbo', attributionDays: 180 } };

  /** Offer codes by customer: each customer's decisions get codes of their own, so statistics items (shared by the customers of a shard) tell the tests apart. */
  const codesOf = new Map<string, string[]>();

  /** A customer with these decisions (decided on 1 November, 04:00, attributable to the end of December unless overridden) and their book. */
  async function customerWithOffers(decisions: Partial<OfferDecisionRecord>[]) {
    const customerId = newId();
    // Offer codes of their own per customer (from its id: customers are made concurrently), so each customer's statistics are its own.
    const tag = `_${customerId.slice(-8)}`;
    expect(await store.repos.customers.create(makeCustomer({ id: customerId, email: `${customerId.toLowerCase()}@example.com` }))).toBe('CREATED');
    const records = decisions.map((d) =>
      decisionEntity.make({ id: newId(), customerId, decidedAt: '2026-11-01T04:00:00.000Z', decidedOn: '2026-11-01', statusAt: '2026-11-01T04:00:00.000Z', validUntil: '2026-12-01T04:00:00.000Z', attributionUntil: '2026-12-31T04:00:00.000Z', dealerId: dealer.id, ...d, offerCode: `${d.offerCode}${tag}` }),
    );
    codesOf.set(customerId, records.map((d) => d.offerCode));
    const book = { customerId, entries: Object.fromEntries(records.map((d) => [d.id, bookEntryOf(d)])), decidedOn: '2026-11-01', version: 3 };
    await batchPutItems(store.doc, store.tableName, [...records.map((d) => decisionEntity.toItem(d)), bookEntity.toItem(book)]);
    return { customerId, decisions: records };
  }

  const decision = async (customerId: string, id: string) => decisionEntity.fromItem((await store.doc.send(new GetCommand({ TableName: store.tableName, Key: offerKeys.decision(customerId, id), ConsistentRead: true }))).Item!);
  const book = async (customerId: string) => bookEntity.fromItem((await store.doc.send(new GetCommand({ TableName: store.tableName, Key: offerKeys.book(customerId), ConsistentRead: true }))).Item!);
  const events = async (customerId: string) => (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === 'OfferConverted' && e.detail.customerId === customerId).map((e) => e.detail);
  /** What one customer's facts added to the statistics (its shard, its offers), by scope, month and offer. */
  async function stats(customerId: string) {
    const shard = statsShard(customerId, OFFER_RULES.statsShards);
    const codes = codesOf.get(customerId) ?? [];
    return (await itemsOfType(store, statsEntity.name)).map((i) => statsEntity.fromItem(i)).filter((s) => s.shard === shard && codes.includes(s.offerCode));
  }

  const testDrive = (customerId: string, sourceEventId: string, occurredAt = '2026-11-10T10:00:00.000Z') => ({ customerId: gid(customerId), sourceSystem: 'dms', sourceEventId: `${customerId}:${sourceEventId}`, channel: 'DEALER', type: 'TEST_DRIVE', modelLine: 'TAYCAN', variant: 'Taycan 4S', occurredAt });
  const oilOrder = (customerId: string, amount = '89.00') => ({ customerId: gid(customerId), channel: 'ONLINE' as const, orderedAt: '2026-11-12T10:00:00.000Z', lines: [{ sku: 'WAP-OIL-0W40', description: 'Approved engine oil 0W-40', quantity: 1, unitPrice: { amount, currency: 'EUR' } }] });

  async function register(ownerId: string, overrides: { modelLine?: 'CAYENNE' | 'NINE_ELEVEN'; variant?: string; purchaseDate?: string; eur?: number } = {}, ctx: Pick<ServiceContext, 'repos' | 'facts'> = context()) {
    const vin = `WP0ZZZ99ZTS${serial++}`;
    const purchaseDate = overrides.purchaseDate ?? '2026-11-05';
    const vehicle = makeVehicle({ vin, ownerId, modelLine: overrides.modelLine ?? 'NINE_ELEVEN', variant: overrides.variant ?? '911 Carrera', purchasePrice: { amountMinor: (overrides.eur ?? 120_000) * 100, currency: 'EUR' }, ownerHistory: [{ customerId: ownerId, from: purchaseDate }], ownerSince: purchaseDate, purchaseDate, sellingDealerId: dealer.id, servicingDealerId: dealer.id, odometerReadAt: `${purchaseDate}T10:00:00.000Z`, registeredAt: `${purchaseDate}T10:00:00.000Z` });
    expect(await writeRegistration(ctx, vehicle, { vin, km: vehicle.odometerKm, readAt: vehicle.odometerReadAt, source: 'registration', recordedAt: vehicle.registeredAt })).toEqual({ kind: 'REGISTERED' });
    return vin;
  }
  const lease = (customerId: string, vin: string, startDate = '2026-11-15') => ({ customerId: gid(customerId), vin, kind: 'LEASE' as const, principal: { amount: '60000.00', currency: 'EUR' }, termMonths: 36, monthlyPayment: { amount: '1200.00', currency: 'EUR' }, startDate, endDate: '2029-11-15' });

  /**
   * A store over the same table whose client runs `before` once, just before the first
   * transaction it sends: a concurrent writer that wins the race deterministically.
   */
  function storeRacing(before: () => Promise<void>): TestStore {
    const doc = createDocumentClient({ endpoint: store.endpoint, region: 'eu-central-1' });
    let raced = false;
    doc.middlewareStack.add(
      (next, ctx) => async (args) => {
        if (ctx.commandName === 'TransactWriteItemsCommand' && !raced) {
          raced = true;
          await before();
        }
        return next(args);
      },
      { step: 'initialize', name: 'raceInjector' },
    );
    return { ...store, doc, repos: createRepositories({ doc, tableName: store.tableName }) };
  }

  /**
   * A response as the offers repository writes one: the decision's status and the book's
   * entry, under the book's version as read, version + 1.
   */
  async function respond(customerId: string, decisionId: string, status: 'ACCEPTED' | 'DECLINED', at: string) {
    const { version } = await book(customerId);
    await store.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: store.tableName, Key: offerKeys.decision(customerId, decisionId), UpdateExpression: 'SET #s = :s, statusAt = :at', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': status, ':at': at } } },
          { Update: { TableName: store.tableName, Key: offerKeys.book(customerId), UpdateExpression: 'SET entries.#d.#s = :s, version = :next', ConditionExpression: 'version = :read', ExpressionAttributeNames: { '#d': decisionId, '#s': 'status' }, ExpressionAttributeValues: { ':s': status, ':read': version, ':next': version + 1 } } },
        ],
      }),
    );
  }

  beforeAll(async () => {
    store = await createTestStore();
    await store.repos.dealers.create(dealer);
  });
  afterAll(() => store.drop());

  it('converts a matching decision in the fact’s transaction: the decision, its book entry, the cohort’s statistics per scope and an OfferConverted event', async () => {
    // Prepare
    const { customerId, decisions: [drive, oil] } = await customerWithOffers([TEST_DRIVE, OIL]);

    // Act
    const result = await recordInteractions(context(), { events: [testDrive(customerId, 'td-1')] });

    // Assess
    expect(result.accepted).toBe(1);
    const interactionId = (await store.repos.facts.interactionsOf(customerId, 5)).items[0]!.id;
    expect((await decision(customerId, drive!.id)).conversion).toEqual({ kind: 'INTERACTION', factId: interactionId, at: '2026-11-10T10:00:00.000Z', valueEurMinor: 0 });
    expect((await decision(customerId, oil!.id)).conversion).toBeUndefined();
    const after = await book(customerId);
    expect(after.version).toBe(4);
    expect(after.entries[drive!.id]!.convertedAt).toBe('2026-11-10T10:00:00.000Z');
    expect(after.entries[oil!.id]!.convertedAt).toBeUndefined();
    expect((await stats(customerId)).map((s) => [s.scope, s.month, s.offerCode, s.convertedT, s.convertedC, s.offerUpgrades]).sort()).toEqual([
      [BRAND_STATS_SCOPE, '2026-11', drive!.offerCode, 1, 0, 0],
      [dealerStatsScope(dealer.id), '2026-11', drive!.offerCode, 1, 0, 0],
    ]);
    expect(await events(customerId)).toEqual([{ decisionId: drive!.id, customerId, offerCode: drive!.offerCode, holdout: false, conversionKind: 'INTERACTION', factId: interactionId, at: '2026-11-10T10:00:00.000Z' }]);
    // The converted decision leaves the dealer's follow-up list; the other stays on it.
    const followUps = (await store.repos.offers.followUps(dealer.id, 100)).items.map((d) => d.id);
    expect(followUps).toContain(oil!.id);
    expect(followUps).not.toContain(drive!.id);
  });

  it('attributes once when the fact is sent again, and a second matching fact converts nothing more', async () => {
    // Prepare
    const { customerId, decisions: [drive] } = await customerWithOffers([TEST_DRIVE]);
    expect((await recordInteractions(context(), { events: [testDrive(customerId, 'td-1')] })).accepted).toBe(1);

    // Act: the same source event again (a channel's retry), then another test drive in the window
    const again = await recordInteractions(context(), { events: [testDrive(customerId, 'td-1')] });
    const another = await recordInteractions(context(), { events: [testDrive(customerId, 'td-2', '2026-11-11T10:00:00.000Z')] });

    // Assess
    expect(again.duplicates).toBe(1);
    expect(another.accepted).toBe(1);
    expect((await decision(customerId, drive!.id)).conversion?.at).toBe('2026-11-10T10:00:00.000Z');
    expect((await book(customerId)).version).toBe(4);
    expect((await stats(customerId)).filter((s) => s.scope === BRAND_STATS_SCOPE).map((s) => s.convertedT)).toEqual([1]);
    expect(await events(customerId)).toHaveLength(1);
  });

  it('converts once when two facts race for the same decision: the loser is retried on a fresh book and recorded without a conversion', async () => {
    // Prepare: order B is written completely just before order A's first transaction (A decided on the book B moves)
    const { customerId, decisions: [oil] } = await customerWithOffers([OIL]);
    const racing = storeRacing(async () => expect((await recordOrder(context(), oilOrder(customerId, '120.00'))).userErrors).toEqual([]));

    // Act
    const a = await recordOrder(context(racing), oilOrder(customerId, '89.00'));

    // Assess: both orders are stored; the decision is converted by B (120 EUR) alone
    expect(a.userErrors).toEqual([]);
    expect((await store.repos.customers.get(customerId))!.aggregates.orders).toHaveLength(2);
    expect((await decision(customerId, oil!.id)).conversion?.valueEurMinor).toBe(12_000);
    expect((await book(customerId)).version).toBe(4);
    expect((await stats(customerId)).filter((s) => s.scope === BRAND_STATS_SCOPE).map((s) => [s.convertedT, s.convertedValueT])).toEqual([[1, 12_000]]);
    expect(await events(customerId)).toHaveLength(1);
  });

  it('converts once when many facts of many customers race in parallel', async () => {
    // Prepare
    const customers = await Promise.all(Array.from({ length: 6 }, () => customerWithOffers([TEST_DRIVE])));

    // Act: four test drives per customer, each its own call, all at once
    const results = await Promise.all(customers.flatMap(({ customerId }) => [1, 2, 3, 4].map((n) => recordInteractions(context(), { events: [testDrive(customerId, `race-${n}`, `2026-11-1${n}T10:00:00.000Z`)] }))));

    // Assess
    expect(results.every((r) => r.accepted === 1)).toBe(true);
    for (const { customerId, decisions: [drive] } of customers) {
      expect((await decision(customerId, drive!.id)).conversion).toBeDefined();
      expect((await book(customerId)).version).toBe(4);
      expect(await events(customerId)).toHaveLength(1);
      expect((await stats(customerId)).filter((s) => s.scope === BRAND_STATS_SCOPE).map((s) => s.convertedT)).toEqual([1]);
    }
  });

  it('converts a decision a response changed meanwhile: the response and the conversion both stand', async () => {
    // Prepare: the customer accepts just before the contract's first transaction
    const { customerId, decisions: [renewal] } = await customerWithOffers([FINANCE]);
    const vin = await register(customerId);
    const racing = storeRacing(() => respond(customerId, renewal!.id, 'ACCEPTED', '2026-11-14T09:00:00.000Z'));

    // Act
    const result = await recordFinanceContract(context(racing), lease(customerId, vin));

    // Assess
    expect(result.userErrors).toEqual([]);
    const converted = await decision(customerId, renewal!.id);
    expect(converted.status).toBe('ACCEPTED');
    expect(converted.conversion).toMatchObject({ kind: 'FINANCE_CONTRACT', valueEurMinor: 6_000_000, at: '2026-11-15T23:59:59.999Z' });
    const after = await book(customerId);
    expect(after.entries[renewal!.id]).toMatchObject({ status: 'ACCEPTED', convertedAt: '2026-11-15T23:59:59.999Z' });
    expect(after.version).toBe(5);
    const brand = (await stats(customerId)).filter((s) => s.scope === BRAND_STATS_SCOPE);
    expect(brand.map((s) => [s.month, s.convertedT, s.convertedValueT, s.offerFinanced])).toEqual([['2026-11', 1, 6_000_000, 1]]);
  });

  it('converts nothing for a fact dated outside the window (before the decision, after its attribution end) or not matching the rule', async () => {
    // Prepare
    const { customerId, decisions: [drive] } = await customerWithOffers([{ ...TEST_DRIVE, decidedAt: '2026-10-01T04:00:00.000Z', attributionUntil: '2026-11-05T04:00:00.000Z' }]);

    // Act
    const result = await recordInteractions(context(), {
      events: [
        testDrive(customerId, 'early', '2026-09-30T10:00:00.000Z'),
        testDrive(customerId, 'late', '2026-11-06T10:00:00.000Z'),
        { ...testDrive(customerId, 'other-line', '2026-10-10T10:00:00.000Z'), modelLine: 'MACAN', variant: 'Macan 4' },
        { ...testDrive(customerId, 'other-type', '2026-10-10T10:00:00.000Z'), type: 'PAGE_VIEW' },
      ],
    });

    // Assess
    expect(result.accepted).toBe(4);
    expect((await decision(customerId, drive!.id)).conversion).toBeUndefined();
    expect((await book(customerId)).version).toBe(3);
    expect(await stats(customerId)).toEqual([]);
    expect(await events(customerId)).toEqual([]);
  });

  it('converts holdout decisions too (the control group’s baseline), counted in the control arm with the order’s value', async () => {
    // Prepare
    const { customerId, decisions: [oil] } = await customerWithOffers([{ ...OIL, holdout: true, followUp: false }]);

    // Act
    expect((await recordOrder(context(), oilOrder(customerId, '89.00'))).userErrors).toEqual([]);

    // Assess
    expect((await decision(customerId, oil!.id)).conversion).toMatchObject({ kind: 'ORDER', valueEurMinor: 8_900 });
    expect((await stats(customerId)).filter((s) => s.scope === BRAND_STATS_SCOPE).map((s) => [s.convertedT, s.convertedC, s.convertedValueC])).toEqual([[0, 1, 8_900]]);
    expect(await events(customerId)).toEqual([expect.objectContaining({ decisionId: oil!.id, holdout: true, conversionKind: 'ORDER' })]);
  });

  it('counts an offer-driven upgrade once per registration, however many decisions it converts, on the month of the purchase', async () => {
    // Prepare: two treatment upgrade decisions (decided in October and November) and a holdout one of another offer
    const { customerId, decisions: [october, november, holdout] } = await customerWithOffers([
      { ...UPGRADE, decidedAt: '2026-09-20T04:00:00.000Z' },
      { ...UPGRADE, offerCode: 'CAYENNE_TURBO_FINANCE' },
      { ...UPGRADE, offerCode: 'CAYENNE_TURBO_EVENT', holdout: true, followUp: false },
    ]);

    // Act: bought on 18 November (a day-dated fact counts at the end of its day)
    const vin = await register(customerId, { modelLine: 'CAYENNE', variant: 'Cayenne Turbo E-Hybrid', eur: 180_000, purchaseDate: '2026-11-18' });

    // Assess: all three converted, each in its cohort; offerUpgrades once, on November, for the oldest treatment decision's offer
    for (const d of [october, november, holdout]) expect((await decision(customerId, d!.id)).conversion).toEqual({ kind: 'VEHICLE_REGISTERED', factId: vin, at: '2026-11-18T23:59:59.999Z', valueEurMinor: 18_000_000 });
    const brand = (await stats(customerId)).filter((s) => s.scope === BRAND_STATS_SCOPE).map((s) => [s.month, s.offerCode, s.convertedT, s.convertedC, s.offerUpgrades]);
    expect(brand).toEqual([
      ['2026-09', october!.offerCode, 1, 0, 0],
      ['2026-11', holdout!.offerCode, 0, 1, 0],
      ['2026-11', november!.offerCode, 1, 0, 0],
      ['2026-11', october!.offerCode, 0, 0, 1],
    ]);
    expect(await events(customerId)).toHaveLength(3);
  });

  it('costs a customer without offers one read of the book and adds nothing to the fact’s transaction', async () => {
    // Prepare
    const customerId = newId();
    await store.repos.customers.create(makeCustomer({ id: customerId, email: `${customerId.toLowerCase()}@example.com` }));
    const doc = createDocumentClient({ endpoint: store.endpoint, region: 'eu-central-1' });
    const sent: string[] = [];
    doc.middlewareStack.add(
      (next, ctx) => async (args) => {
        const input = (args as { input: { RequestItems?: Record<string, { Keys: { SK: string }[] }> } }).input;
        sent.push(`${ctx.commandName} ${Object.values(input.RequestItems ?? {}).flatMap((r) => r.Keys.map((k) => k.SK)).join(' ')}`);
        return next(args);
      },
      { step: 'initialize', name: 'requestSpy' },
    );
    const order = { id: newId(), customerId, channel: 'ONLINE' as const, lines: [{ sku: 'WAP-OIL-0W40', description: 'Oil', quantity: 1, unitPrice: { amount: '89.00', currency: 'EUR' } }], totalEurMinor: 8_900, orderedAt: '2026-11-12T10:00:00.000Z' };

    // Act
    const contributions = await offerFactHooks.OrderRecorded!({ order }, { doc, tableName: store.tableName }, { now });
    const recorded = await recordOrder(context(), oilOrder(customerId));

    // Assess
    expect(contributions).toEqual([]);
    expect(sent).toEqual(['BatchGetItemCommand OFFERBOOK']);
    expect(recorded.userErrors).toEqual([]);
    expect((await store.repos.customers.get(customerId))!.aggregates.orders).toHaveLength(1);
    expect(await events(customerId)).toEqual([]);
  });
});
