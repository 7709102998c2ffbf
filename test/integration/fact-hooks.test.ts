import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Access } from '../../src/auth/access.js';
import { createLoaders } from '../../src/auth/loaders.js';
import { domainFactHooks } from '../../src/__generated__/fact-hooks.js';
import { createFactHooks } from '../../src/composition.js';
import { makeCustomer } from '../../src/customer/customer.js';
import { makeDealer } from '../../src/dealer/dealer.js';
import { recordServiceVisit } from '../../src/service/service-visit-service.js';
import { toGlobalId, newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import type { FactHooks } from '../../src/store/fact-hooks.js';
import { makeVehicle } from '../../src/vehicle/vehicle.js';
import { createTestStore, type TestStore } from '../support/store.js';

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
        explainFailure: async () => 'POINTS_REFUSED',
      },
    ],
  };
  /** The same domain, refusing every visit (its condition can never hold). */
  const refusingHooks: FactHooks = {
    ServiceVisitRecorded: (_, s) => [{ item: { ConditionCheck: { TableName: s.tableName, Key: { PK: 'NOWHERE', SK: 'NOWHERE' }, ConditionExpression: 'attribute_exists(PK)' } } }],
  };

  function context(hooks: FactHooks): ServiceContext {
    const principal = { kind: 'admin', subject: 'test-admin' } as const;
    const loaders = createLoaders(store.repos);
    return { principal, access: new Access(principal, loaders), loaders, repos: store.repos, facts: createFactHooks(store, [...domainFactHooks, hooks]), clock: () => now, logger: createLogger({}, { level: 'error', write: () => true }) };
  }

  async function registeredCar(vin: string) {
    const owner = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com` });
    await store.repos.customers.create(owner);
    const vehicle = makeVehicle({ vin, ownerId: owner.id, ownerHistory: [{ customerId: owner.id, from: '2024-03-15' }], sellingDealerId: dealer.id, servicingDealerId: dealer.id });
    expect(await store.repos.vehicles.register(vehicle, { vin, km: vehicle.odometerKm, readAt: vehicle.odometerReadAt, source: 'registration', recordedAt: vehicle.registeredAt })).toBe('REGISTERED');
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
    expect((await store.repos.vehicles.serviceHistory('WP0ZZZ99ZTS700001', 10)).items.map((v) => v.id)).toEqual([visitId]);
  });

  it("writes nothing of the visit when a hook's condition fails", async () => {
    // Prepare
    const { owner, vehicle } = await registeredCar('WP0ZZZ99ZTS700002');

    // Act: a condition that never holds is a conflict to the visit: it retries, then gives up.
    const attempt = recordServiceVisit(context(refusingHooks), visitInput('WP0ZZZ99ZTS700002'));

    // Assess
    await expect(attempt).rejects.toThrow(/kept conflicting/);
    expect((await store.repos.vehicles.serviceHistory(vehicle.vin, 10)).items).toEqual([]);
    expect((await store.repos.vehicles.get(vehicle.vin))?.version).toBe(vehicle.version);
    expect((await store.repos.customers.get(owner.id))?.aggregates.visits).toEqual([]);
  });
});
