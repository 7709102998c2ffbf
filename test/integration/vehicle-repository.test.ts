import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer } from '../../src/customer/customer.js';
import { makeDealer } from '../../src/dealer/dealer.js';
import { createFactHooks } from '../../src/composition.js';
import { newId } from '../../src/shared/ids.js';
import { writeRegistration, writeTransfer } from '../../src/vehicle/vehicle-service.js';
import { makeVehicle, type VehicleRecord } from '../../src/vehicle/vehicle.js';
import { createTestStore, type TestStore } from '../support/store.js';

/** The vehicle's own writes (readings under its version) and the facts it composes with other domains (registration, transfer). */
describe('Class: VehicleRepository and the vehicle facts (DynamoDB Local)', () => {
  let store: TestStore;
  const dealer = makeDealer({ id: newId(), code: 'DE-VEH-01' });
  let serial = 500_000;
  const owner = () => makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com` });

  beforeAll(async () => {
    store = await createTestStore();
    await store.repos.dealers.create(dealer);
  });
  /** What the vehicle service writes facts with: the repositories and every domain's hooks. */
  const facts = () => ({ repos: store.repos, facts: createFactHooks(store) });
  const register = (vehicle: VehicleRecord, reading: { vin: string; km: number; readAt: string; source: string; recordedAt: string }) => writeRegistration(facts(), vehicle, reading).then((o) => o.kind);
  afterAll(() => store.drop());

  async function registered(overrides: Partial<VehicleRecord> = {}) {
    const o = owner();
    await store.repos.customers.create(o);
    const vehicle = makeVehicle({ vin: `WP0ZZZ99ZTS${serial++}`, ownerId: o.id, ownerHistory: [{ customerId: o.id, from: '2024-03-15' }], sellingDealerId: dealer.id, servicingDealerId: dealer.id, ...overrides });
    expect(await register(vehicle, { vin: vehicle.vin, km: vehicle.odometerKm, readAt: vehicle.odometerReadAt, source: 'registration', recordedAt: vehicle.registeredAt })).toBe('REGISTERED');
    return vehicle;
  }

  it('registers a car atomically: vehicle, first reading, owner counts and VIN set, dealer link', async () => {
    const vehicle = await registered({ modelLine: 'TAYCAN' });
    const o = await store.repos.customers.get(vehicle.ownerId);
    expect(o?.vehicleVins).toEqual([vehicle.vin]);
    expect(o?.vehicleCounts.TAYCAN).toBe(1);
    expect(o?.dealerIds).toEqual([dealer.id]);
    expect((await store.repos.odometer.history(vehicle.vin, 10)).items.map((r) => r.km)).toEqual([12]);
  });

  it('registers a VIN once and writes nothing for an unknown owner or dealer', async () => {
    const vehicle = await registered();
    const reading = { vin: vehicle.vin, km: 1, readAt: vehicle.odometerReadAt, source: 'registration', recordedAt: vehicle.registeredAt };
    expect(await register(vehicle, reading)).toBe('VIN_TAKEN');
    const ghost = makeVehicle({ vin: `WP0ZZZ99ZTS${serial++}`, ownerId: 'NO-OWNER', sellingDealerId: dealer.id, servicingDealerId: dealer.id });
    expect(await writeRegistration(facts(), ghost, { ...reading, vin: ghost.vin })).toEqual({ kind: 'REFUSED', refusal: { code: 'NOT_FOUND', message: 'No customer with this ID.' } });
    const o = owner();
    await store.repos.customers.create(o);
    const noDealer = makeVehicle({ vin: `WP0ZZZ99ZTS${serial++}`, ownerId: o.id, sellingDealerId: 'NO-DEALER', servicingDealerId: 'NO-DEALER' });
    expect(await register(noDealer, { ...reading, vin: noDealer.vin })).toBe('DEALER_NOT_FOUND');
    expect(await store.repos.vehicles.get(ghost.vin)).toBeNull();
    expect(await store.repos.vehicles.get(noDealer.vin)).toBeNull();
    expect((await store.repos.customers.get(o.id))?.vehicleVins).toEqual([]);
  });

  it('fits past readings between their neighbours and keeps the latest on the vehicle', async () => {
    const vehicle = await registered();
    const at = (iso: string, km: number) => store.repos.vehicles.recordReading({ vin: vehicle.vin, km, readAt: new Date(iso).toISOString(), source: 'dealer', recordedAt: '2026-11-21T00:00:00.000Z' });
    expect((await at('2026-01-01T00:00:00Z', 20_000)).kind).toBe('RECORDED');
    expect((await at('2025-01-01T00:00:00Z', 9_000)).kind).toBe('RECORDED');
    expect(await at('2025-06-01T00:00:00Z', 8_000)).toEqual({ kind: 'DECREASE', earlierKm: 9_000, earlierReadAt: '2025-01-01T00:00:00.000Z' });
    expect(await at('2025-06-01T00:00:00Z', 21_000)).toEqual({ kind: 'EXCEEDS_LATER', laterKm: 20_000, laterReadAt: '2026-01-01T00:00:00.000Z' });
    const v = await store.repos.vehicles.get(vehicle.vin);
    expect(v).toMatchObject({ odometerKm: 20_000, odometerReadAt: '2026-01-01T00:00:00.000Z', version: 3 });
  });

  it('never records two concurrent readings that contradict each other', async () => {
    const vehicle = await registered();
    // Two uploads race: 5,000 km in February and 4,000 km in March cannot both be true.
    const results = await Promise.all([
      store.repos.vehicles.recordReading({ vin: vehicle.vin, km: 5_000, readAt: '2026-02-01T00:00:00.000Z', source: 'dealer', recordedAt: 'x' }),
      store.repos.vehicles.recordReading({ vin: vehicle.vin, km: 4_000, readAt: '2026-03-01T00:00:00.000Z', source: 'dealer', recordedAt: 'x' }),
    ]);
    // Whichever lands first, the other contradicts it (lower later, or higher earlier) and is refused.
    expect(results.filter((r) => r.kind === 'RECORDED')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'DECREASE' || r.kind === 'EXCEEDS_LATER')).toHaveLength(1);
    const kms = (await store.repos.odometer.history(vehicle.vin, 10)).items.map((r) => r.km);
    expect([...kms].reverse()).toEqual([...kms].reverse().sort((a, b) => a - b));
  });

  it('transfers under the version: owner history, VIN sets and counts move together; a stale copy loses', async () => {
    const vehicle = await registered({ modelLine: 'MACAN' });
    const buyer = owner();
    await store.repos.customers.create(buyer);
    const outcome = await writeTransfer(facts(), vehicle, buyer.id, '2026-05-01');
    expect(outcome.kind).toBe('TRANSFERRED');
    expect(await writeTransfer(facts(), vehicle, buyer.id, '2026-06-01')).toEqual({ kind: 'CONFLICT' });
    const [seller, newOwner, car] = await Promise.all([store.repos.customers.get(vehicle.ownerId), store.repos.customers.get(buyer.id), store.repos.vehicles.get(vehicle.vin)]);
    expect(seller?.vehicleVins).toEqual([]);
    expect(seller?.vehicleCounts.MACAN).toBe(0);
    expect(newOwner?.vehicleVins).toEqual([vehicle.vin]);
    expect(newOwner?.vehicleCounts.MACAN).toBe(1);
    expect(car?.ownerHistory).toEqual([
      { customerId: vehicle.ownerId, from: '2024-03-15', to: '2026-05-01' },
      { customerId: buyer.id, from: '2026-05-01' },
    ]);
  });
});
