import { customerEntity, emptyVehicleCounts, makeCustomer, type CustomerRecord } from '../../src/customer/customer.js';
import { addDays } from '../../src/service/calendar.js';
import { batchPutItems } from '../../src/store/batch.js';
import type { Store } from '../../src/store/store.js';
import { makeVehicle, vehicleEntity, type VehicleRecord } from '../../src/vehicle/vehicle.js';

/**
 * A generated fleet for job tests: owners with varied consents and cars whose stored
 * plans put their next due dates on known days between `today - 20` and `today + 70`.
 * Written straight to the table, as an import would, so a 1,000-car fleet takes seconds.
 */
export interface Fleet {
  customers: CustomerRecord[];
  vehicles: VehicleRecord[];
}

export function makeFleet({ vehicles: count, today, dealerIds, seed = 7 }: { vehicles: number; today: string; dealerIds: string[]; seed?: number }): Fleet {
  let state = seed;
  const rand = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const customers: CustomerRecord[] = [];
  const vehicles: VehicleRecord[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) {
      const n = customers.length;
      // Every fifth owner consented to nothing; the others to email, some also to push.
      const consents: CustomerRecord['consents'] =
        n % 5 === 4
          ? { EMAIL: { channel: 'EMAIL', granted: false, source: 'test', recordedAt: '2026-01-01T00:00:00.000Z' } }
          : {
              EMAIL: { channel: 'EMAIL', granted: true, source: 'test', recordedAt: '2026-01-01T00:00:00.000Z' },
              ...(n % 2 ? { PUSH: { channel: 'PUSH' as const, granted: true, source: 'test', recordedAt: '2026-01-01T00:00:00.000Z' } } : {}),
            };
      customers.push(makeCustomer({ id: `CUST${String(n).padStart(22, '0')}`, email: `owner${n}@example.com`, consents, vehicleCounts: emptyVehicleCounts(), dealerIds: [dealerIds[n % dealerIds.length]!] }));
    }
    const owner = customers.at(-1)!;
    const due = addDays(today, Math.floor(rand() * 91) - 20);
    const vin = `WP0ZZZ99ZTS${String(200_000 + i)}`;
    vehicles.push(
      makeVehicle({
        vin,
        ownerId: owner.id,
        ownerHistory: [{ customerId: owner.id, from: '2024-03-15' }],
        sellingDealerId: owner.dealerIds[0]!,
        servicingDealerId: owner.dealerIds[0]!,
        servicePlan: {
          rate: { kmPerYear: 12_000, source: 'HISTORY', quality: 0.9 },
          items: [
            { code: 'OIL_SERVICE', dueDate: due, dueOdometerKm: 30_000, basis: 'MILEAGE', confidence: 0.9 },
            { code: 'BRAKE_FLUID', dueDate: addDays(due, Math.floor(rand() * 30)), basis: 'CALENDAR', confidence: 1 },
          ],
        },
      }),
    );
    owner.vehicleVins.push(vin);
  }
  return { customers, vehicles };
}

export async function writeFleet(store: Store, fleet: Fleet): Promise<void> {
  await batchPutItems(store.doc, store.tableName, [...fleet.customers.map(customerEntity.toItem), ...fleet.vehicles.map(vehicleEntity.toItem)]);
}
