import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import clubFactHooks from '../../src/club/fact-hooks.js';
import { checkLedger } from '../../src/club/ledger-consistency.js';
import { domainFactHooks } from '../../src/__generated__/fact-hooks.js';
import { createFactHooks } from '../../src/composition.js';
import { makeCustomer } from '../../src/customer/customer.js';
import { makeDealer } from '../../src/dealer/dealer.js';
import { recordServiceVisit } from '../../src/service/service-visit-service.js';
import { newId, toGlobalId } from '../../src/shared/ids.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import { writeContributions } from '../../src/store/fact-hooks.js';
import type { OrderRecord } from '../../src/value/fact-repository.js';
import { recordFinanceContract, recordOrder } from '../../src/value/value-service.js';
import { writeRegistration } from '../../src/vehicle/vehicle-service.js';
import { makeVehicle } from '../../src/vehicle/vehicle.js';
import { createTestStore, itemsOfType, type TestStore } from '../support/store.js';
import { adminServiceContext } from '../support/service-context.js';

/**
 * Accrual through the real fact services: points earned in the fact's own transaction,
 * once per source document whatever retries and races do, nothing for non-members.
 */
describe('Club accrual on facts (DynamoDB Local)', () => {
  let store: TestStore;
  const dealer = makeDealer({ id: newId(), code: 'DE-CLUB-ACC' });
  const now = new Date('2026-11-20T12:00:00.000Z');
  let serial = 720_000;

  const context = (): ServiceContext => adminServiceContext(store, now);

  async function customer({ member = true } = {}) {
    const c = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com` });
    await store.repos.customers.create(c);
    if (member) expect((await store.repos.ledger.join({ customerId: c.id, consent: { source: 'APP', at: '2026-10-01T08:00:00.000Z', recordedBy: { kind: 'customer', id: c.id } }, at: '2026-10-01T08:00:00.000Z' })).ok).toBe(true);
    return c.id;
  }

  async function registerFor(ownerId: string, purchaseDate = '2026-11-02') {
    const vin = `WP0ZZZ99ZTS${serial++}`;
    const vehicle = makeVehicle({ vin, ownerId, ownerHistory: [{ customerId: ownerId, from: purchaseDate }], ownerSince: purchaseDate, purchaseDate, sellingDealerId: dealer.id, servicingDealerId: dealer.id, odometerReadAt: '2026-11-02T10:00:00.000Z', registeredAt: '2026-11-02T10:00:00.000Z' });
    expect(await writeRegistration({ repos: store.repos, facts: createFactHooks(store, domainFactHooks, () => now) }, vehicle, { vin, km: vehicle.odometerKm, readAt: vehicle.odometerReadAt, source: 'registration', recordedAt: vehicle.registeredAt })).toEqual({ kind: 'REGISTERED' });
    return vin;
  }

  const orderInput = (customerId: string, amount = '100.00') => ({ customerId: toGlobalId('Customer', customerId), channel: 'ONLINE' as const, orderedAt: '2026-11-10T10:00:00.000Z', lines: [{ sku: 'WAP-1', description: 'Cap', quantity: 1, unitPrice: { amount, currency: 'EUR' } }] });
  const entries = (customerId: string) => store.repos.ledger.allEntries(customerId);

  beforeAll(async () => {
    store = await createTestStore();
    await store.repos.dealers.create(dealer);
  });
  afterAll(() => store.drop());

  it('earns on a first registration (the purchase, with a level change) and on a service visit in another currency at the new multiplier', async () => {
    // Prepare
    const owner = await customer();

    // Act: a 145,000 EUR car is 14,500 points: Silver; then a 100 GBP visit (117 EUR × 1 × 1.25)
    const vin = await registerFor(owner);
    const visit = await recordServiceVisit(context(), {
      vin,
      dealerId: toGlobalId('Dealer', dealer.id),
      performedAt: '2026-11-15T09:00:00.000Z',
      odometerKm: 900,
      kind: 'MAINTENANCE',
      items: [{ code: 'OIL_SERVICE', description: 'Oil service', parts: [], labour: [{ description: 'Labour', quantity: 1, amount: { amount: '100.00', currency: 'GBP' } }] }],
      totalAmount: { amount: '100.00', currency: 'GBP' },
      waitTimeMinutes: 30,
      firstTimeFix: true,
    });

    // Assess
    expect(visit.userErrors).toEqual([]);
    expect((await entries(owner)).map((e) => [e.kind, e.source?.type, e.source?.id, e.points])).toEqual([
      ['ACCRUAL', 'VEHICLE_PURCHASE', vin, 14_500],
      ['ACCRUAL', 'SERVICE_VISIT', visit.serviceVisit!.id, 146],
    ]);
    expect(await store.repos.ledger.getMembership(owner)).toMatchObject({ level: 'SILVER', balance: 14_646, qualifying: { '2026-11': 14_646 } });
    const changes = (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === 'ClubStatusChanged' && e.detail.customerId === owner);
    expect(changes.map((e) => e.detail)).toEqual([expect.objectContaining({ previousLevel: 'MEMBER', level: 'SILVER', cause: 'ACCRUAL', qualifyingPoints: 14_500 })]);

    // Act: a finance contract on the car earns on its principal (0.05 per euro, × 1.25)
    const finance = await recordFinanceContract(context(), { customerId: toGlobalId('Customer', owner), vin, kind: 'LOAN', principal: { amount: '80000.00', currency: 'EUR' }, termMonths: 36, monthlyPayment: { amount: '2000.00', currency: 'EUR' }, startDate: '2026-11-16', endDate: '2029-11-16' });
    expect(finance.userErrors).toEqual([]);
    expect((await entries(owner)).at(-1)).toMatchObject({ kind: 'ACCRUAL', points: 5_000, source: { type: 'FINANCE_CONTRACT' } });
    expect(await checkLedger(store, owner, now.toISOString())).toEqual([]);
  });

  it('dates the points of a contract that starts next month today: pending from now, qualifying in this month, the level judged as of now', async () => {
    // Prepare: a member with a car
    const owner = await customer();
    const vin = await registerFor(owner);
    const before = (await store.repos.ledger.getMembership(owner))!;

    // Act: a lease starting in 2027 (and one starting in 9990) on the car
    for (const startDate of ['2027-06-01', '9990-01-01']) {
      const lease = await recordFinanceContract(context(), { customerId: toGlobalId('Customer', owner), vin, kind: 'LEASE', principal: { amount: '40000.00', currency: 'EUR' }, termMonths: 36, monthlyPayment: { amount: '900.00', currency: 'EUR' }, startDate, endDate: '9999-01-01' });
      expect(lease.userErrors).toEqual([]);
    }

    // Assess: both accruals dated now, in November's qualifying points, nothing in the future
    const accruals = (await entries(owner)).filter((e) => e.source?.type === 'FINANCE_CONTRACT');
    expect(accruals.map((e) => e.at)).toEqual([now.toISOString(), now.toISOString()]);
    const after = (await store.repos.ledger.getMembership(owner))!;
    expect(Object.keys(after.qualifying).every((month) => month <= '2026-11')).toBe(true);
    expect(after.qualifying['2026-11']).toBe((before.qualifying['2026-11'] ?? 0) + accruals.reduce((sum, e) => sum + e.points, 0));
    expect(after.levelSince <= now.toISOString()).toBe(true);
    const lots = await store.repos.ledger.liveLots(owner, now.toISOString());
    expect(lots.filter((l) => l.source.type === 'FINANCE_CONTRACT').map((l) => l.availableFrom)).toEqual(['2026-12-04T12:00:00.000Z', '2026-12-04T12:00:00.000Z']);
    expect(await checkLedger(store, owner, now.toISOString())).toEqual([]);
  });

  it('judges the level as of now when a document is recorded late: later months count', async () => {
    // Prepare: 4,000 qualifying points from an order dated 10 November
    const member = await customer();
    expect((await recordOrder(context(), orderInput(member, '2000.00'))).userErrors).toEqual([]);

    // Act: an order dated 5 October, recorded now (20 November), worth 1,200 points
    const late = await recordOrder(context(), { ...orderInput(member, '600.00'), orderedAt: '2026-10-05T10:00:00.000Z' });

    // Assess: 5,200 qualifying points in the window that ends now: Silver (judged as of 5 October it stayed Member)
    expect(late.userErrors).toEqual([]);
    const membership = (await store.repos.ledger.getMembership(member))!;
    expect(membership.qualifying).toEqual({ '2026-10': 1_200, '2026-11': 4_000 });
    expect(membership.level).toBe('SILVER');
    expect(membership.levelSince).toBe(now.toISOString());
    expect(await checkLedger(store, member, now.toISOString())).toEqual([]);
  });

  it('earns nothing for a customer who never joined or who left, and records their facts all the same', async () => {
    // Prepare
    const stranger = await customer({ member: false });
    const former = await customer();
    expect((await store.repos.ledger.leave(former, '2026-10-15T08:00:00.000Z')).ok).toBe(true);

    // Act
    const results = await Promise.all([recordOrder(context(), orderInput(stranger)), recordOrder(context(), orderInput(former)), registerFor(stranger)]);

    // Assess
    expect(results.slice(0, 2).map((r) => (r as { userErrors: unknown[] }).userErrors)).toEqual([[], []]);
    expect(await entries(stranger)).toEqual([]);
    expect(await entries(former)).toEqual([]);
    expect((await store.repos.customers.get(former))?.aggregates.orders).toHaveLength(1);
  });

  it('earns nothing on documents dated before the day the member joined or between leaving and rejoining; the joining day earns', async () => {
    // Prepare: joined 2026-10-01 08:00 (see `customer`)
    const member = await customer();
    const orderAt = async (amount: string, orderedAt: string) => expect((await recordOrder(context(), { ...orderInput(member, amount), orderedAt })).userErrors).toEqual([]);

    // Act: the day before joining; the joining day, before the join itself; a car bought two and a half years
    // earlier (its lot would be expired at birth); then a gap between leaving and rejoining
    await orderAt('10.00', '2026-09-30T23:59:00.000Z');
    await orderAt('20.00', '2026-10-01T06:00:00.000Z');
    await registerFor(member, '2024-04-15');
    expect((await store.repos.ledger.leave(member, '2026-10-10T08:00:00.000Z')).ok).toBe(true);
    expect((await store.repos.ledger.join({ customerId: member, consent: { source: 'APP', at: '2026-10-20T08:00:00.000Z', recordedBy: { kind: 'customer', id: member } }, at: '2026-10-20T08:00:00.000Z' })).ok).toBe(true);
    await orderAt('30.00', '2026-10-15T10:00:00.000Z');
    await orderAt('40.00', '2026-10-05T10:00:00.000Z');
    await orderAt('50.00', '2026-10-20T07:00:00.000Z');

    // Assess: only the joining day, a day of the first membership and the rejoining day earn; the facts are recorded all the same
    expect((await entries(member)).map((e) => [e.kind, e.points, e.at])).toEqual([
      ['ACCRUAL', 40, '2026-10-01T06:00:00.000Z'],
      ['ACCRUAL', 80, '2026-10-05T10:00:00.000Z'],
      ['ACCRUAL', 100, '2026-10-20T07:00:00.000Z'],
    ]);
    expect((await store.repos.customers.get(member))?.aggregates.orders).toHaveLength(5);
    expect(await checkLedger(store, member, now.toISOString())).toEqual([]);
  });

  it('records concurrent orders of one member each with its own points, the membership contended but never lost', async () => {
    // Prepare
    const member = await customer();

    // Act
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => recordOrder(context(), orderInput(member, `${10 * (i + 1)}.00`))));

    // Assess: 2 points per euro: 20 + 40 + 60 + 80 + 100
    expect(results.map((r) => r.userErrors)).toEqual([[], [], [], [], []]);
    expect((await entries(member)).map((e) => e.points).sort((a, b) => a - b)).toEqual([20, 40, 60, 80, 100]);
    expect((await store.repos.ledger.getMembership(member))?.balance).toBe(300);
    expect(await checkLedger(store, member, now.toISOString())).toEqual([]);
  });

  it('earns once for one order however often its hook runs, concurrently or retried', async () => {
    // Prepare: the same order, its hook asked five times before any write
    const member = await customer();
    const order: OrderRecord = { id: newId(), customerId: member, channel: 'ONLINE', lines: [], totalEurMinor: 12_345, orderedAt: '2026-11-10T10:00:00.000Z' };
    const asked = await Promise.all(Array.from({ length: 5 }, () => clubFactHooks.OrderRecorded!({ order }, store)));

    // Act: all five written at once, then the hook asked again (a retry of the fact)
    const written = await Promise.all(asked.map((items) => writeContributions(store, items)));
    const retried = await clubFactHooks.OrderRecorded!({ order }, store);

    // Assess
    expect(asked.every((items) => items.length > 0)).toBe(true);
    expect(written.filter((w) => w.ok)).toHaveLength(1);
    expect(retried).toEqual([]);
    expect((await entries(member)).map((e) => [e.kind, e.points])).toEqual([['ACCRUAL', 246]]);
    expect(await store.repos.ledger.getAccrual(member, { type: 'ORDER', id: order.id })).toMatchObject({ points: 246 });
    expect(await checkLedger(store, member, now.toISOString())).toEqual([]);
  });
});
