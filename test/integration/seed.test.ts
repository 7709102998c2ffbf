import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasDealers, seedDemoBrand, type SeedResult } from '../../src/local/seed.js';
import { MODEL_LINES } from '../../src/catalogue/model-lines.js';
import { validateVin } from '../../src/vehicle/vin.js';
import { ownEngine, type TestStore } from '../support/store.js';

const SEED_BOUND_MS = 600_000;

describe('Function: seedDemoBrand', () => {
  const engine = ownEngine();
  let store: TestStore;
  let seeded: SeedResult;
  const now = new Date('2026-11-21T08:00:00Z');

  // The demo brand is the product's, not sized for the test: ~2,000 visits replayed through
  // the service’s transactions (≈ 30 s on a 2-core machine, several times that with both cores busy). The
  // bound stops a hung seed; it does not time one.
  beforeAll(async () => {
    store = await engine.createStore();
    expect(await hasDealers(store)).toBe(false);
    seeded = await seedDemoBrand(store, { now });
  }, SEED_BOUND_MS);
  afterAll(() => store.drop());

  it('creates the promised brand: ≥3 dealers, 200 customers, 300 valid vehicles over every model line', async () => {
    expect(seeded.dealers.length).toBeGreaterThanOrEqual(3);
    expect(seeded.customers).toHaveLength(200);
    expect(seeded.vehicles).toHaveLength(300);
    expect(new Set(seeded.vehicles.map((v) => v.modelLine))).toEqual(new Set(MODEL_LINES));
    expect(seeded.vehicles.every((v) => validateVin(v.vin) === null)).toBe(true);
    expect(seeded.vehicles.some((v) => v.ownerHistory.length > 1)).toBe(true);
    expect(await hasDealers(store)).toBe(true);
  });

  it('keeps the same invariants as the repositories: VIN sets, counts and links agree with the cars', async () => {
    const customers = await store.repos.customers.getMany(seeded.customers.map((c) => c.id));
    for (const vehicle of seeded.vehicles) {
      const owner = customers.get(vehicle.ownerId)!;
      expect(owner.vehicleVins).toContain(vehicle.vin);
      expect(owner.dealerIds).toContain(vehicle.sellingDealerId);
    }
    const total = [...customers.values()].reduce((sum, c) => sum + Object.values(c.vehicleCounts).reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(300);
    const firstDealer = seeded.dealers[0]!;
    const linked = seeded.customers.filter((c) => c.dealerIds.includes(firstDealer.id)).length;
    const page = await store.repos.customers.customerIdsOfDealer(firstDealer.id, 100);
    expect(page.items.length).toBe(Math.min(linked, 100));
  });

  it('keeps each customer\'s current consents in the consent history too, so consentsAt answers for the demo', async () => {
    for (const customer of seeded.customers.slice(0, 20)) {
      const current = Object.values(customer.consents).sort((a, b) => a.channel.localeCompare(b.channel));
      const atNow = (await store.repos.customers.consentsAt(customer.id, now.toISOString())).sort((a, b) => a.channel.localeCompare(b.channel));
      expect(atNow).toEqual(current);
    }
  });

  it('gives every car an odometer history that only goes up and ends before now', async () => {
    for (const vehicle of seeded.vehicles.slice(0, 40)) {
      const history = (await store.repos.odometer.history(vehicle.vin, 100)).items;
      const kms = history.map((r) => r.km).reverse();
      expect(kms).toEqual([...kms].sort((a, b) => a - b));
      expect(history[0]!.readAt <= now.toISOString()).toBe(true);
      expect(history[0]!.km).toBe(vehicle.odometerKm);
    }
  });
});
