import { DeleteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFactHooks } from '../../src/composition.js';
import { customerKeys, makeCustomer } from '../../src/customer/customer.js';
import { makeDealer } from '../../src/dealer/dealer.js';
import { recordServiceVisit } from '../../src/service/service-visit-service.js';
import { toGlobalId, newId } from '../../src/shared/ids.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import type { FactHooks } from '../../src/store/fact-hooks.js';
import type { Store } from '../../src/store/store.js';
import { ENTITY_TYPE_ATTRIBUTE } from '../../src/store/table.js';
import { recordInteractions, recordOrder } from '../../src/value/value-service.js';
import { registerVehicle, writeRegistration } from '../../src/vehicle/vehicle-service.js';
import { makeVehicle } from '../../src/vehicle/vehicle.js';
import { createTestStore, type TestStore } from '../support/store.js';
import { adminServiceContext } from '../support/service-context.js';

/**
 * A domain that reacts to service visits adds a hook set in its own folder and nothing
 * in the vehicle or service folders: its item is written in the visit's transaction, and
 * when its condition fails, nothing of the visit is written.
 */
describe('Fact hooks on ServiceVisitRecorded (DynamoDB Local)', () => {
  let store: TestStore;
  const dealer = makeDealer({ id: newId(), code: 'DE-HOOK-01' });
  const now = new Date('2026-11-20T12:00:00.000Z');

  /** A toy domain (a points ledger): one item per visit, written only once. */
  const pointsHooks: FactHooks = {
    ServiceVisitRecorded: ({ visit }, s) => [
      {
        item: { Put: { TableName: s.tableName, Item: { PK: `POINTS#${visit.customerId}`, SK: `VISIT#${visit.id}`, points: 10 }, ConditionExpression: 'attribute_not_exists(PK)' } },
        explainFailure: async () => ({ code: 'LIMIT_REACHED', message: 'This visit earned its points already.' }),
      },
    ],
  };
  /** The same domain, refusing every visit (its condition can never hold). */
  const refusingHooks: FactHooks = {
    ServiceVisitRecorded: (_, s) => [{ item: { ConditionCheck: { TableName: s.tableName, Key: { PK: 'NOWHERE', SK: 'NOWHERE' }, ConditionExpression: 'attribute_exists(PK)' } } }],
  };

  const context = (hooks: FactHooks): ServiceContext => adminServiceContext(store, now, hooks);

  async function registeredCar(vin: string) {
    const owner = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com` });
    await store.repos.customers.create(owner);
    const vehicle = makeVehicle({ vin, ownerId: owner.id, ownerHistory: [{ customerId: owner.id, from: '2024-03-15' }], sellingDealerId: dealer.id, servicingDealerId: dealer.id });
    expect(await writeRegistration({ repos: store.repos, facts: createFactHooks(store) }, vehicle, { vin, km: vehicle.odometerKm, readAt: vehicle.odometerReadAt, source: 'registration', recordedAt: vehicle.registeredAt })).toEqual({ kind: 'REGISTERED' });
    return { vehicle, owner };
  }

  const visitInput = (vin: string) => ({
    vin,
    dealerId: toGlobalId('Dealer', dealer.id),
    performedAt: '2026-11-01T09:00:00.000Z',
    odometerKm: 9_000,
    kind: 'MAINTENANCE' as const,
    items: [{ code: 'OIL_SERVICE', description: 'Oil service', parts: [], labour: [{ description: 'Labour', quantity: 1, amount: { amount: '100.00', currency: 'EUR' } }] }],
    totalAmount: { amount: '100.00', currency: 'EUR' },
    waitTimeMinutes: 30,
    firstTimeFix: true,
  });

  beforeAll(async () => {
    store = await createTestStore();
    await store.repos.dealers.create(dealer);
  });
  afterAll(() => store.drop());

  it("writes a hook's item in the visit's transaction, with the visit and the owner's aggregates", async () => {
    // Prepare
    const { owner } = await registeredCar('WP0ZZZ99ZTS700001');

    // Act
    const result = await recordServiceVisit(context(pointsHooks), visitInput('WP0ZZZ99ZTS700001'));

    // Assess
    expect(result.userErrors).toEqual([]);
    const visitId = result.serviceVisit!.id;
    const { Item } = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: { PK: `POINTS#${owner.id}`, SK: `VISIT#${visitId}` } }));
    expect(Item?.points).toBe(10);
    expect((await store.repos.customers.get(owner.id))?.aggregates.visits).toHaveLength(1);
    expect((await store.repos.visits.ofVehicle('WP0ZZZ99ZTS700001', 10)).items.map((v) => v.id)).toEqual([visitId]);
  });

  it("writes nothing of the visit when a hook's condition fails", async () => {
    // Prepare
    const { owner, vehicle } = await registeredCar('WP0ZZZ99ZTS700002');

    // Act: a condition that never holds is a conflict to the visit: it retries, then gives up.
    const attempt = recordServiceVisit(context(refusingHooks), visitInput('WP0ZZZ99ZTS700002'));

    // Assess
    await expect(attempt).rejects.toThrow(/kept conflicting/);
    expect((await store.repos.visits.ofVehicle(vehicle.vin, 10)).items).toEqual([]);
    expect((await store.repos.vehicles.get(vehicle.vin))?.version).toBe(vehicle.version);
    expect((await store.repos.customers.get(owner.id))?.aggregates.visits).toEqual([]);
  });

  it('answers NOT_FOUND on vin, writing nothing, when the owner on the visit\'s date has no profile any more', async () => {
    // Prepare: the owner's profile is erased after the car was registered.
    const { owner, vehicle } = await registeredCar('WP0ZZZ99ZTS700003');
    await store.doc.send(new DeleteCommand({ TableName: store.tableName, Key: customerKeys.profile(owner.id) }));

    // Act
    const result = await recordServiceVisit(context({}), visitInput('WP0ZZZ99ZTS700003'));

    // Assess: a user error, not a retry loop ending in a fault.
    expect(result.userErrors).toEqual([{ field: ['input', 'vin'], code: 'NOT_FOUND', message: expect.stringContaining('no customer profile') }]);
    expect(result.serviceVisit).toBeNull();
    expect((await store.repos.visits.ofVehicle(vehicle.vin, 10)).items).toEqual([]);
    expect((await store.repos.vehicles.get(vehicle.vin))?.version).toBe(vehicle.version);
  });
});


/**
 * A domain that reacts to registrations (club points on a purchase, subscription custody)
 * adds a hook set in its own folder: its items join the registration's transaction, and
 * an item on the owner's profile — which the customer and value domains update for the
 * same fact — is merged into the profile's one operation (DynamoDB refuses a transaction
 * that touches an item twice).
 */
describe('Fact hooks on VehicleRegistered (DynamoDB Local)', () => {
  let store: TestStore;
  const dealer = makeDealer({ id: newId(), code: 'DE-HOOK-02' });
  const now = new Date('2026-11-20T12:00:00.000Z');
  let serial = 710_000;

  /** A toy club: its own ledger item per purchase. */
  const ledgerHooks: FactHooks = {
    VehicleRegistered: ({ vehicle }, s) => [{ item: { Put: { TableName: s.tableName, Item: { PK: `CLUB#${vehicle.ownerId}`, SK: `PURCHASE#${vehicle.vin}`, points: 500 }, ConditionExpression: 'attribute_not_exists(PK)' } } }],
  };
  /**
   * The same club keeping a balance on the owner's profile. Its placeholders are the ones
   * the customer domain uses for the same item (`#vc`, `:delta`): merging must keep them apart.
   */
  const balanceHooks = (max: number): FactHooks => ({
    VehicleRegistered: ({ vehicle }, s) => [
      {
        item: {
          Update: {
            TableName: s.tableName,
            Key: customerKeys.profile(vehicle.ownerId),
            UpdateExpression: 'ADD #vc :delta',
            ConditionExpression: 'attribute_not_exists(#vc) OR #vc < :max',
            ExpressionAttributeNames: { '#vc': 'clubPoints' },
            ExpressionAttributeValues: { ':delta': 500, ':max': max },
          },
        },
        // Asked whenever the merged profile update failed: read back, refuse only when the balance really is full.
        explainFailure: async () => {
          const { Item } = await s.doc.send(new GetCommand({ TableName: s.tableName, Key: customerKeys.profile(vehicle.ownerId), ConsistentRead: true }));
          return (Item?.clubPoints ?? 0) >= max ? { code: 'LIMIT_REACHED', message: 'The club balance is full.' } : null;
        },
      },
    ],
  });

  const context = (hooks: FactHooks): ServiceContext => adminServiceContext(store, now, hooks);

  async function newOwner() {
    const owner = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com` });
    await store.repos.customers.create(owner);
    return owner;
  }

  const input = (ownerId: string) => ({
    vin: `WP0ZZZ99ZTS${serial++}`,
    ownerId: toGlobalId('Customer', ownerId),
    modelLine: 'NINE_ELEVEN' as const,
    variant: '911 Carrera',
    powertrain: 'PETROL' as const,
    modelYear: 2026,
    purchaseDate: '2026-11-01',
    purchasePrice: { amount: '150000.00', currency: 'EUR' },
    sellingDealerId: toGlobalId('Dealer', dealer.id),
    odometerKm: 10,
  });

  beforeAll(async () => {
    store = await createTestStore();
    await store.repos.dealers.create(dealer);
  });
  afterAll(() => store.drop());

  it("writes a new domain's item in the registration's transaction", async () => {
    // Prepare
    const owner = await newOwner();
    const registration = input(owner.id);

    // Act
    const result = await registerVehicle(context(ledgerHooks), registration);

    // Assess
    expect(result.userErrors).toEqual([]);
    const { Item } = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: { PK: `CLUB#${owner.id}`, SK: `PURCHASE#${registration.vin}` } }));
    expect(Item?.points).toBe(500);
  });

  it("merges a hook's change to the owner's profile with the customer's and value domains' into one operation", async () => {
    // Prepare
    const owner = await newOwner();
    const registration = input(owner.id);

    // Act
    const result = await registerVehicle(context(balanceHooks(1_000)), registration);

    // Assess: every domain's change landed on the one profile item, with its own values.
    expect(result.userErrors).toEqual([]);
    const { Item } = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: customerKeys.profile(owner.id), ConsistentRead: true }));
    expect(Item?.clubPoints).toBe(500);
    expect(Item?.vehicleCounts.NINE_ELEVEN).toBe(1);
    expect([...(Item?.vehicleVins ?? [])]).toEqual([registration.vin]);
    expect([...(Item?.dealerIds ?? [])]).toEqual([dealer.id]);
    expect(Item?.aggregates.purchases.map((p: { vin: string }) => p.vin)).toEqual([registration.vin]);
  });

  it("answers a refused merged profile update with the refusing domain's reason, and writes nothing", async () => {
    // Prepare: a balance already at the club's cap.
    const owner = await newOwner();
    const registration = input(owner.id);
    await registerVehicle(context(balanceHooks(1_000)), input(owner.id));
    await registerVehicle(context(balanceHooks(1_000)), input(owner.id));
    const before = await store.repos.customers.get(owner.id);

    // Act
    const result = await registerVehicle(context(balanceHooks(1_000)), registration);

    // Assess: the customer and value domains had nothing to refuse; the club's reason is the answer.
    expect(result.userErrors).toEqual([{ field: ['input', 'ownerId'], code: 'LIMIT_REACHED', message: 'The club balance is full.' }]);
    expect(await store.repos.vehicles.get(registration.vin)).toBeNull();
    expect(await store.repos.customers.get(owner.id)).toEqual(before);
  });
});

/**
 * A domain that reacts to orders (club points on a purchase) adds a hook and edits nothing
 * in the value folder: its item is written in the order's transaction, with the order and
 * the customer's aggregates, and when its condition fails none of them is written.
 */
describe('Fact hooks on OrderRecorded and InteractionRecorded (DynamoDB Local)', () => {
  let store: TestStore;
  const now = new Date('2026-11-20T12:00:00.000Z');

  /** A toy club: points per euro of the order, one ledger item per order. */
  const clubHooks: FactHooks = {
    OrderRecorded: ({ order }, s) => [
      { item: { Put: { TableName: s.tableName, Item: { PK: `CLUB#${order.customerId}`, SK: `ORDER#${order.id}`, points: Math.floor(order.totalEurMinor / 100) }, ConditionExpression: 'attribute_not_exists(PK)' } } },
    ],
  };
  /** The same club refusing every order and interaction: a condition that never holds, explained as its limit. */
  const never = (s: Store) => ({
    item: { ConditionCheck: { TableName: s.tableName, Key: { PK: 'NOWHERE', SK: 'NOWHERE' }, ConditionExpression: 'attribute_exists(PK)' } },
    explainFailure: async () => ({ code: 'LIMIT_REACHED' as const, message: 'The club takes no more.' }),
  });
  const refusingHooks: FactHooks = { OrderRecorded: (_, s) => [never(s)], InteractionRecorded: (_, s) => [never(s)] };

  const context = (hooks: FactHooks): ServiceContext => adminServiceContext(store, now, hooks);

  async function newCustomer() {
    const customer = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com` });
    await store.repos.customers.create(customer);
    return customer;
  }

  const orderInput = (customerId: string) => ({
    customerId: toGlobalId('Customer', customerId),
    lines: [{ sku: 'CAP-01', description: 'Cap', quantity: 2, unitPrice: { amount: '45.00', currency: 'EUR' } }],
    channel: 'ONLINE' as const,
    orderedAt: '2026-11-19T10:00:00.000Z',
  });

  async function itemsOf(pk: string) {
    const { Items } = await store.doc.send(new QueryCommand({ TableName: store.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk } }));
    return Items ?? [];
  }

  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  it("writes a hook's item in the order's transaction, with the order and the customer's aggregates", async () => {
    // Prepare
    const customer = await newCustomer();

    // Act
    const result = await recordOrder(context(clubHooks), orderInput(customer.id));

    // Assess
    expect(result.userErrors).toEqual([]);
    const orders = (await itemsOf(customerKeys.partition(customer.id))).filter((i) => i[ENTITY_TYPE_ATTRIBUTE] === 'ORDER');
    expect(orders).toHaveLength(1);
    expect(await itemsOf(`CLUB#${customer.id}`)).toEqual([expect.objectContaining({ SK: `ORDER#${orders[0]!.id}`, points: 90 })]);
    expect((await store.repos.customers.get(customer.id))?.aggregates.orders).toEqual([{ at: '2026-11-19T10:00:00.000Z', amountMinor: 9_000 }]);
  });

  it("writes nothing of the order when a hook's condition fails, and answers the hook's reason", async () => {
    // Prepare
    const customer = await newCustomer();

    // Act
    const result = await recordOrder(context(refusingHooks), orderInput(customer.id));

    // Assess
    expect(result.userErrors).toEqual([expect.objectContaining({ code: 'LIMIT_REACHED', message: 'The club takes no more.' })]);
    expect((await itemsOf(customerKeys.partition(customer.id))).filter((i) => i[ENTITY_TYPE_ATTRIBUTE] === 'ORDER')).toEqual([]);
    expect((await store.repos.customers.get(customer.id))?.aggregates.orders).toEqual([]);
  });

  it("rejects an interaction a hook refuses, writing neither it nor its dedup item, so a re-send is not a duplicate", async () => {
    // Prepare
    const customer = await newCustomer();
    const event = { customerId: toGlobalId('Customer', customer.id), sourceSystem: 'web', sourceEventId: `e-${newId()}`, channel: 'WEB', type: 'PAGE_VIEW', modelLine: 'NINE_ELEVEN', occurredAt: '2026-11-19T10:00:00.000Z' };

    // Act
    const refused = await recordInteractions(context(refusingHooks), { events: [event] });
    const resent = await recordInteractions(context({}), { events: [event] });

    // Assess
    expect(refused.results).toEqual([{ index: 0, outcome: 'REJECTED', userErrors: [expect.objectContaining({ code: 'LIMIT_REACHED', message: 'The club takes no more.' })] }]);
    expect(resent.results).toEqual([{ index: 0, outcome: 'ACCEPTED', userErrors: [] }]);
  });
});
