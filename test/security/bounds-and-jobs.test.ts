import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerKeys, customerEntity, makeCustomer, type CustomerRecord } from '../../src/customer/customer.js';
import { CustomerRepository } from '../../src/customer/customer-repository.js';
import { ReminderRepository } from '../../src/reminder/reminder-repository.js';
import { REMINDERS_JOB, remindersRunId, runRemindersJob } from '../../src/reminder/reminders-job.js';
import { createLogger } from '../../src/shared/logger.js';
import { batchPutItems } from '../../src/store/batch.js';
import { decodeKeyPart, joinKey, keyPart } from '../../src/store/key-part.js';
import { AGGREGATE_LIMITS, emptyAggregates, MAX_INTERESTS, MAX_OWNED_VEHICLES, type CustomerAggregates } from '../../src/customer/profile-aggregates.js';
import { interestsToEvict } from '../../src/value/aggregates.js';
import { factKeys } from '../../src/value/fact-repository.js';
import { runScoresLocally, runScoresSegment, SCORES_JOB, scoresRunFor } from '../../src/value/scores-job.js';
import { ValueRepository } from '../../src/value/value-repository.js';
import { vehicleEntity } from '../../src/vehicle/vehicle.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { makeFleet, writeFleet } from '../support/fleet.js';
import { createCustomer, createDealer, issueKey, nextVin, registerVehicle } from '../support/fixtures.js';
import { makePopulation, writePopulation } from '../support/population.js';
import { createTestStore, itemsOfType, type TestStore } from '../support/store.js';

const quiet = createLogger({}, { level: 'error', write: () => true });


describe('Key parts from callers (idempotency keys)', () => {
  it('never lets two different inputs share a key', () => {
    // The reported collision: {system "sys#T", id "e1"} and {system "sys", id "T#e1"}.
    expect(factKeys.interactionDedup('BRAND', 'sys#T', 'e1').PK).not.toBe(factKeys.interactionDedup('BRAND', 'sys', 'T#e1').PK);
    // Encoding `%` too keeps it injective against inputs that look already encoded.
    expect(joinKey('X', 'a%23b')).not.toBe(joinKey('X', 'a#b'));
    for (const value of ['plain', 'a#b', '%', '%23', '#%#', 'ünïcode#1']) expect(decodeKeyPart(keyPart(value))).toBe(value);
  });

  it('leaves ids, VINs and codes of letters and digits unchanged, so existing keys do not move', () => {
    expect(customerKeys.profile('01JCUSTOMER0000000000000000')).toEqual({ PK: 'CUST#01JCUSTOMER0000000000000000', SK: 'PROFILE' });
    expect(joinKey('SOURCEEVENT', 'web-analytics', 'evt-1')).toBe('SOURCEEVENT#web-analytics#evt-1');
  });
});

describe('Function: interestsToEvict', () => {
  it('drops the weakest interest — fewest interactions, then longest unseen — only when the map is full', () => {
    expect(interestsToEvict({ a: 1 }, { a: '2026-01-01' }, 2)).toEqual([]);
    expect(interestsToEvict({ a: 3, b: 1, c: 1 }, { a: '2026-01-01', b: '2026-03-01', c: '2026-02-01' }, 3)).toEqual(['c']);
    // A profile already over the cap (data from before it) comes back to the cap in one step.
    expect(interestsToEvict({ a: 5, b: 4, c: 3, d: 2 }, {}, 2)).toEqual(['d', 'c', 'b']);
  });
});

describe('Customer profile bounds (DynamoDB Local)', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  it('a profile with every list at its cap and every string at its length cap stays under 200 KB', async () => {
    // Prepare: the worst case the bounds allow
    const long = (n: number) => 'x'.repeat(n);
    const at = '2026-11-30T12:00:00.000Z';
    const dealerId = '01JDEALER00000000000000000';
    const aggregates: CustomerAggregates = {
      ...emptyAggregates(),
      purchases: Array.from({ length: AGGREGATE_LIMITS.purchases }, (_, i) => ({ at, vin: `WP0ZZZ99ZTS${100_000 + i}`, dealerId, modelLine: 'PANAMERA', variant: long(100), powertrain: 'ELECTRIC', priceMinor: 99_999_999_999_999 })),
      visits: Array.from({ length: AGGREGATE_LIMITS.visits }, () => ({ at, dealerId, revenueMinor: 99_999_999_999_999, waitMinutes: 99_999, firstTimeFix: true })),
      orders: Array.from({ length: AGGREGATE_LIMITS.orders }, () => ({ at, amountMinor: 99_999_999_999_999, dealerId })),
      finance: Array.from({ length: AGGREGATE_LIMITS.finance }, () => ({ kind: 'LEASE' as const, vin: 'WP0ZZZ99ZTS100000', dealerId, principalMinor: 99_999_999_999_999, monthlyMinor: 99_999_999_999_999, startDate: '2026-01-01', endDate: '2036-01-01' })),
      surveys: Array.from({ length: AGGREGATE_LIMITS.surveys }, () => ({ at, kind: 'CSAT' as const, score: 5, touchpoint: 'SERVICE', dealerId })),
      interestCounts: Object.fromEntries(Array.from({ length: MAX_INTERESTS }, (_, i) => [`EXPERIENCE_CENTRE|${long(95)}${String(i).padStart(5, '0')}`, 99_999])),
      interestLast: Object.fromEntries(Array.from({ length: MAX_INTERESTS }, (_, i) => [`EXPERIENCE_CENTRE|${long(95)}${String(i).padStart(5, '0')}`, at])),
      channels: { WEB: 1, APP: 1, DEALER: 1, EXPERIENCE_CENTRE: 1, SOCIAL: 1, THIRD_PARTY: 1, EMAIL: 1 },
    };
    const customer = makeCustomer({
      firstName: long(100),
      lastName: long(100),
      email: `${long(64)}@${long(180)}.com`,
      vehicleVins: Array.from({ length: MAX_OWNED_VEHICLES }, (_, i) => `WP0ZZZ99ZTS${100_000 + i}`),
      dealerIds: Array.from({ length: 50 }, (_, i) => `01JDEALER${String(i).padStart(17, '0')}`),
      aggregates,
    });
    // Act: DynamoDB reports the write units of a put on the table — one per started KB of the item (indexes apart).
    const put = await store.doc.send(new PutCommand({ TableName: store.tableName, Item: customerEntity.toItem(customer), ReturnConsumedCapacity: 'INDEXES' }));
    // Assess
    expect(put.ConsumedCapacity?.Table?.CapacityUnits).toBeGreaterThan(100);
    expect(put.ConsumedCapacity?.Table?.CapacityUnits).toBeLessThanOrEqual(200);
  });
});

describe('Lambda handler: hostile batches, bounded interests and facts, idempotency keys', () => {
  let api: TestApi;
  let key: Record<string, string>;
  let dealer: { id: string };
  let ann: { id: string };
  const now = new Date('2026-11-25T10:00:00Z');
  const annKey = () => Buffer.from(ann.id, 'base64url').toString().split(':')[1]!;

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    dealer = await createDealer(api, 'DE-BND-A');
    key = { 'x-api-key': (await issueKey(api, dealer.id)).secret };
    ann = await createCustomer(api, key);
  });
  afterAll(() => api.close());

  const record = (events: Record<string, unknown>[]) =>
    api.call(
      `mutation($events: [InteractionInput!]!) { recordInteractions(input: { events: $events }) { accepted duplicates rejected results { index outcome userErrors { field code } } userErrors { field code } } }`,
      { events },
      key,
    );
  const event = (id: string, overrides: Record<string, unknown> = {}) => ({ customerId: ann.id, sourceSystem: 'web', sourceEventId: id, channel: 'WEB', type: 'PAGE_VIEW', topic: 'track', occurredAt: '2026-11-20T18:00:00Z', ...overrides });
  const profile = async () => (await api.store.doc.send(new GetCommand({ TableName: api.store.tableName, Key: customerKeys.profile(annKey()), ConsistentRead: true }))).Item!;

  it('stores two events whose system and id differ only in where a "#" falls as two events', async () => {
    const res = await record([event('e1', { sourceSystem: 'sys#T' }), event('T#e1', { sourceSystem: 'sys' })]);
    expect(res.data?.recordInteractions).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });
    // And each is still idempotent on its own.
    const again = await record([event('e1', { sourceSystem: 'sys#T' }), event('T#e1', { sourceSystem: 'sys' })]);
    expect(again.data?.recordInteractions).toMatchObject({ accepted: 0, duplicates: 2 });
  });

  it("scopes source-event ids by sender: another dealer's identical ids neither answer DUPLICATE nor block the event", async () => {
    // Prepare: a second dealer with a customer of its own, both sending the same source ids
    const other = await createDealer(api, 'DE-BND-B');
    const otherKey = { 'x-api-key': (await issueKey(api, other.id)).secret };
    const bea = await createCustomer(api, otherKey);
    const send = (headers: Record<string, string>, customerId: string, id: string) =>
      api.call(`mutation($events: [InteractionInput!]!) { recordInteractions(input: { events: $events }) { results { outcome } } }`, { events: [event(id, { customerId, sourceSystem: 'dms' })] }, headers);
    // Act: B records E1; A sends E1 and E2; then B sends its real E2
    const bFirst = await send(otherKey, bea.id, 'E1');
    const aFirst = await send(key, ann.id, 'E1');
    const aSecond = await send(key, ann.id, 'E2');
    const bSecond = await send(otherKey, bea.id, 'E2');
    const bAgain = await send(otherKey, bea.id, 'E2');
    // Assess
    const outcome = (res: Awaited<ReturnType<typeof send>>) => res.data?.recordInteractions.results[0].outcome;
    expect([outcome(bFirst), outcome(aFirst), outcome(aSecond), outcome(bSecond), outcome(bAgain)]).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'DUPLICATE']);
  });

  it('keeps at most 50 interests however many distinct topics arrive, evicting the weakest, and loses no event', async () => {
    // Prepare: one strong interest, then 60 distinct long topics, each seen once
    const countInteractions = async () =>
      (await api.store.doc.send(new QueryCommand({ TableName: api.store.tableName, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': customerKeys.partition(annKey()), ':p': 'INTERACTION#' }, Select: 'COUNT' }))).Count;
    const before = await countInteractions();
    await record([1, 2, 3].map((n) => event(`strong-${n}`, { topic: 'taycan track' })));
    const topics = Array.from({ length: 60 }, (_, i) => `topic ${String(i).padStart(2, '0')} ${'t'.repeat(80)}`);
    // Act
    const res = await record(topics.map((topic, i) => event(`topic-${i}`, { topic, occurredAt: new Date(Date.parse('2026-11-21T00:00:00Z') + i * 60_000).toISOString() })));
    // Assess: every event stored, the map bounded, the strong and the newest interests kept
    expect(res.data?.recordInteractions).toMatchObject({ accepted: 60, rejected: 0 });
    const item = await profile();
    const keys = Object.keys(item.aggregates.interestCounts);
    expect(keys).toHaveLength(MAX_INTERESTS);
    expect(Object.keys(item.aggregates.interestLast).sort()).toEqual([...keys].sort());
    expect(item.aggregates.interestCounts['ANY|taycan track']).toBe(3);
    expect(keys).toContain(`ANY|${topics[59]}`);
    expect(await countInteractions()).toBe(before! + 3 + 60);
  });

  it('answers a fault on one event of a batch for that event alone (TEMPORARY_FAILURE), with the others stored', async () => {
    // Prepare: every transaction that carries the third event fails, as a throttled or timed-out
    // call would (the batch's events share their customer's transaction: the fault must still
    // land on that event alone)
    api.store.doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && JSON.stringify(args.input).includes('fault-2')) throw Object.assign(new Error('injected fault'), { name: 'ProvisionedThroughputExceededException' });
        return next(args);
      },
      { step: 'initialize', name: 'faultInjector' },
    );
    try {
      // Act
      const res = await record(Array.from({ length: 5 }, (_, i) => event(`fault-${i}`, { topic: 'fault' })));
      // Assess: no error for the call, one event to send again, nothing of it half-written
      expect(res.errors).toBeUndefined();
      expect(res.data?.recordInteractions).toMatchObject({ accepted: 4, rejected: 1, userErrors: [] });
      const failed = res.data!.recordInteractions.results.find((r: { outcome: string }) => r.outcome === 'REJECTED');
      expect(failed.index).toBe(2);
      expect(failed.userErrors).toEqual([{ field: ['input', 'events', '2'], code: 'TEMPORARY_FAILURE' }]);
    } finally {
      api.store.doc.middlewareStack.remove('faultInjector');
    }
    // The re-send stores exactly the missing one.
    const again = await record(Array.from({ length: 5 }, (_, i) => event(`fault-${i}`, { topic: 'fault' })));
    expect(again.data?.recordInteractions).toMatchObject({ accepted: 1, duplicates: 4 });
    expect((await profile()).aggregates.interestCounts['ANY|fault']).toBe(5);
  });

  it('refuses an order beyond the cap of orders on one profile with LIMIT_REACHED and writes nothing', async () => {
    // Prepare: the profile holds as many orders as it may
    const full = Array.from({ length: AGGREGATE_LIMITS.orders }, () => ({ at: '2026-01-01T00:00:00.000Z', amountMinor: 100 }));
    await api.store.doc.send(new UpdateCommand({ TableName: api.store.tableName, Key: customerKeys.profile(annKey()), UpdateExpression: 'SET aggregates.orders = :o', ExpressionAttributeValues: { ':o': full } }));
    // Act
    const res = await api.call(
      `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { customer { id } userErrors { field code message } } }`,
      { input: { customerId: ann.id, channel: 'ONLINE', orderedAt: '2026-11-20T10:00:00Z', lines: [{ sku: 'CAP-1', description: 'Cap', quantity: 1, unitPrice: { amount: '40.00', currency: 'EUR' } }] } },
      api.bearer('admin'),
    );
    // Assess
    expect(res.errors).toBeUndefined();
    expect(res.data?.recordOrder.userErrors).toMatchObject([{ field: ['input', 'customerId'], code: 'LIMIT_REACHED' }]);
    expect((await profile()).aggregates.orders).toHaveLength(AGGREGATE_LIMITS.orders);
    expect((await itemsOfType(api.store, 'ORDER')).filter((o) => o.customerId === annKey())).toHaveLength(0);
  });

  it('refuses a service visit and a car beyond the profile caps with LIMIT_REACHED, writing nothing', async () => {
    // Prepare: a car, then the owner's visits and owned cars at their caps
    const vin = (await registerVehicle(api, api.bearer('admin'), { ownerId: ann.id, sellingDealerId: dealer.id })).vin;
    const visits = Array.from({ length: AGGREGATE_LIMITS.visits }, () => ({ at: '2026-01-01T00:00:00.000Z', dealerId: 'D', revenueMinor: 1, waitMinutes: 1, firstTimeFix: true }));
    const vins = new Set(Array.from({ length: MAX_OWNED_VEHICLES }, (_, i) => (i === 0 ? vin : `WP0ZZZ99ZTS${500_000 + i}`)));
    await api.store.doc.send(new UpdateCommand({ TableName: api.store.tableName, Key: customerKeys.profile(annKey()), UpdateExpression: 'SET aggregates.visits = :v, vehicleVins = :vins', ExpressionAttributeValues: { ':v': visits, ':vins': vins } }));
    // Act
    const visit = await api.call(
      `mutation($input: RecordServiceVisitInput!) { recordServiceVisit(input: $input) { serviceVisit { id } userErrors { field code } } }`,
      { input: { vin, dealerId: dealer.id, performedAt: '2026-11-19T10:00:00Z', odometerKm: 900, kind: 'INSPECTION', items: [{ code: 'INSPECTION' }], totalAmount: { amount: '100.00', currency: 'EUR' }, waitTimeMinutes: 10, firstTimeFix: true } },
      api.bearer('admin'),
    );
    const car = await api.call(
      `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { vehicle { id } userErrors { field code } } }`,
      { input: { vin: nextVin(), ownerId: ann.id, sellingDealerId: dealer.id, modelLine: 'MACAN', variant: 'Macan 4', powertrain: 'ELECTRIC', modelYear: 2025, purchaseDate: '2025-04-01', purchasePrice: { amount: '90000.00', currency: 'EUR' }, odometerKm: 10, odometerReadAt: '2025-04-01T10:00:00Z' } },
      api.bearer('admin'),
    );
    // Assess
    expect(visit.errors).toBeUndefined();
    expect(visit.data?.recordServiceVisit).toEqual({ serviceVisit: null, userErrors: [{ field: ['input', 'vin'], code: 'LIMIT_REACHED' }] });
    expect(car.errors).toBeUndefined();
    expect(car.data?.registerVehicle).toEqual({ vehicle: null, userErrors: [{ field: ['input', 'ownerId'], code: 'LIMIT_REACHED' }] });
    const history = await api.call(`query($vin: String!) { vehicle(vin: $vin) { odometer { km } serviceHistory { edges { node { id } } } } }`, { vin }, api.bearer('admin'));
    expect(history.data?.vehicle).toEqual({ odometer: { km: 10 }, serviceHistory: { edges: [] } });
    expect((await profile()).aggregates.visits).toHaveLength(AGGREGATE_LIMITS.visits);
  });
});

describe('Jobs isolate poison records (DynamoDB Local)', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  it('the scores job skips an oversized and a malformed customer, lists them, and writes the KPIs for the other 60', async () => {
    // Prepare: 60 healthy customers; one profile so close to 400 KB that its scores cannot be added; one with unreadable facts
    const healthy = makePopulation(60, ['D1', 'D2']);
    await writePopulation(store, healthy);
    const oversized: CustomerRecord = makeCustomer({ id: 'POISONBIG00000000000000000', email: 'big@example.com', dealerIds: ['D1'], aggregates: { ...emptyAggregates(), orders: [{ at: '2026-11-01T00:00:00.000Z', amountMinor: 1 }] } });
    const malformed: CustomerRecord = makeCustomer({ id: 'POISONBAD00000000000000000', email: 'bad@example.com', dealerIds: ['D1'] });
    // The largest padding DynamoDB still takes: the profile ends a few hundred bytes short of 400 KB.
    for (let padding = 409_400; ; padding -= 200) {
      const stored = await store.doc.send(new PutCommand({ TableName: store.tableName, Item: { ...customerEntity.toItem(oversized), padding: 'p'.repeat(padding) } })).then(() => true, () => false);
      if (stored) break;
    }
    await store.doc.send(new PutCommand({ TableName: store.tableName, Item: { ...customerEntity.toItem(malformed), aggregates: { ...emptyAggregates(), purchases: 42 } } }));
    const run = scoresRunFor(new Date('2026-12-01T02:00:00Z'), 3);
    // Act
    const stats = await runScoresLocally({ values: new ValueRepository(store), logger: quiet }, run);
    // Assess: the run completed and counted everyone else
    expect(stats.every((s) => s.complete)).toBe(true);
    expect(stats.reduce((n, s) => n + s.poisoned, 0)).toBe(2);
    const brand = (await itemsOfType(store, 'KpiRollup')).find((r) => r.period === '2026-11' && r.scope === 'BRAND');
    expect(brand?.sums.customersScored).toBe(60);
    expect((await itemsOfType(store, 'Customer')).filter((c) => c.value)).toHaveLength(60);
    const failures = await new ValueRepository(store).failures.list(SCORES_JOB, run.runId);
    expect(failures.map((f) => f.key.PK).sort()).toEqual(['CUST#POISONBAD00000000000000000', 'CUST#POISONBIG00000000000000000']);
    expect(failures.find((f) => f.key.PK.includes('BIG'))!.error).toMatch(/Validation|TransactionCanceled/);
  });

  it('a worker that finds its segment finished by another steps aside quietly, and nothing is counted twice', async () => {
    // Prepare: worker A scores the only segment; worker B read the segment's state before A saved any of it
    const run = scoresRunFor(new Date('2026-12-02T02:00:00Z'), 1);
    const first = await runScoresSegment({ values: new ValueRepository(store), logger: quiet }, run, 0, { pageSize: 20 });
    const late = new ValueRepository(store);
    late.segmentState = async () => null;
    // Act
    const second = await runScoresSegment({ values: late, logger: quiet }, run, 0, { pageSize: 20 });
    // Assess
    expect(first).toMatchObject({ complete: true, wroteKpis: true });
    expect(second).toMatchObject({ complete: true, wroteKpis: false, superseded: true });
    const brand = (await itemsOfType(store, 'KpiRollup')).find((r) => r.period === '2026-11' && r.scope === 'BRAND');
    expect(brand?.runId).toBe(run.runId);
    expect(brand?.sums.customersScored).toBe(60);
  });

  it('two workers delivered the same segment at once both succeed; scores, events and KPIs are written once', async () => {
    // Prepare: the next night moves everyone's scores (a new month since their last contact for some)
    const run = scoresRunFor(new Date('2027-02-15T02:00:00Z'), 1);
    // Act
    const [a, b] = await Promise.all([0, 1].map(() => runScoresSegment({ values: new ValueRepository(store), logger: quiet }, run, 0, { pageSize: 10 })));
    // Assess
    expect(a!.complete && b!.complete).toBe(true);
    expect([a, b].filter((s) => s!.wroteKpis).length).toBeGreaterThanOrEqual(1);
    const brand = (await itemsOfType(store, 'KpiRollup')).find((r) => r.period === '2027-01' && r.scope === 'BRAND');
    expect(brand?.sums.customersScored).toBe(60);
    const tierEvents = (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === 'CustomerTierChanged' && e.occurredAt === run.now.toISOString());
    expect(tierEvents.length).toBeGreaterThan(0);
    expect(new Set(tierEvents.map((e) => e.detail.customerId)).size).toBe(tierEvents.length);
  });

  it('the reminders job skips a car whose item is malformed, lists it, and reminds every other car', async () => {
    // Prepare: 30 cars, and one due car whose stored plan is not a plan
    const today = '2026-12-01';
    const fleet = makeFleet({ vehicles: 30, today, dealerIds: ['D1'] });
    await writeFleet(store, fleet);
    const bad = { ...fleet.vehicles[0]!, vin: 'WP0ZZZ99ZTS999999', servicePlan: { rate: fleet.vehicles[0]!.servicePlan!.rate, items: [{ code: 'OIL_SERVICE', dueDate: today, basis: 'CALENDAR', confidence: 1 }] } } as const;
    await batchPutItems(store.doc, store.tableName, [{ ...vehicleEntity.toItem(bad as any), servicePlan: { items: 42 } }]);
    const reminders = new ReminderRepository(store);
    const now = new Date(`${today}T06:00:00Z`);
    // Act
    const stats = await runRemindersJob({ reminders, customers: new CustomerRepository(store), logger: quiet }, { now });
    // Assess
    expect(stats).toMatchObject({ complete: true, poisoned: 1 });
    const due = fleet.vehicles.filter((v) => v.servicePlan!.items[0]!.dueDate <= '2026-12-15');
    expect(stats.remindersCreated).toBe(due.length);
    const failures = await reminders.failures.list(REMINDERS_JOB, remindersRunId(now));
    expect(failures).toMatchObject([{ key: { PK: 'VEH#WP0ZZZ99ZTS999999', SK: 'VEHICLE' }, error: 'TypeError' }]);
  });
});
