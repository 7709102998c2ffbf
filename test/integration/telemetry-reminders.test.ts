import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFactHooks } from '../../src/composition.js';
import { makeCustomer } from '../../src/customer/customer.js';
import { makeDealer } from '../../src/dealer/dealer.js';
import { runRemindersJob } from '../../src/reminder/reminders-job.js';
import { addDays } from '../../src/service/calendar.js';
import { newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { recordVehicleTelemetry } from '../../src/vehicle/telemetry-service.js';
import { writeRegistration } from '../../src/vehicle/vehicle-service.js';
import { makeVehicle } from '../../src/vehicle/vehicle.js';
import { adminServiceContext } from '../support/service-context.js';
import { createTestStore, itemsOfType, type TestStore } from '../support/store.js';

/**
 * Telemetry is a fact other domains react to like a workshop reading (`VehiclePlanChanged`
 * in the readings' transaction): a car whose sent reminder the new readings make due
 * sooner gets it brought forward — once, however often the platform re-sends the batch.
 */
describe('Service: recordVehicleTelemetry brings a sent reminder forward (DynamoDB Local)', () => {
  let store: TestStore;
  const dealer = makeDealer({ id: newId(), code: 'DE-TLM-REM' });
  const logger = createLogger({}, { level: 'error', write: () => true });

  beforeAll(async () => {
    store = await createTestStore();
    await store.repos.dealers.create(dealer);
  });
  afterAll(() => store.drop());

  it('moves the open reminder earlier in the readings’ transaction, and a re-sent batch moves nothing', async () => {
    // Prepare: a 911 bought 2026-01-01 driving 1,500 km a month, read monthly to 2026-09-01, reminded of its oil service in the autumn
    const owner = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com`, consents: { EMAIL: { channel: 'EMAIL', granted: true, source: 'test', recordedAt: '2026-01-01T00:00:00.000Z' } } });
    await store.repos.customers.create(owner);
    const vin = 'WP0ZZZ99ZTS640001';
    const readings = Array.from({ length: 9 }, (_, m) => ({ vin, km: 10 + 1_500 * m, readAt: `2026-${String(m + 1).padStart(2, '0')}-01T10:00:00.000Z`, source: 'dealer', recordedAt: '2026-09-01T12:00:00.000Z' }));
    const car = makeVehicle({ vin, ownerId: owner.id, ownerHistory: [{ customerId: owner.id, from: '2026-01-01' }], sellingDealerId: dealer.id, servicingDealerId: dealer.id, purchaseDate: '2026-01-01', odometerKm: 10, odometerReadAt: readings[0]!.readAt });
    expect((await writeRegistration({ repos: store.repos, facts: createFactHooks(store) }, await store.repos.vehicles.planned(car, [readings[0]!]), readings[0]!)).kind).toBe('REGISTERED');
    for (const reading of readings.slice(1)) expect((await store.repos.vehicles.recordReading(reading)).kind).toBe('RECORDED');
    const remindedOn = addDays((await store.repos.vehicles.get(vin))!.servicePlan!.earlyDue!, -14);
    expect((await runRemindersJob({ reminders: store.repos.reminders, customers: store.repos.customers, logger }, { now: new Date(`${remindedOn}T06:00:00Z`) })).remindersCreated).toBe(1);
    const reminder = (await store.repos.reminders.get(vin, 1))!;

    // Act: the platform reports the month since: 2,900 km, faster than before, in two readings
    const ctx = adminServiceContext(store, new Date(`${addDays(remindedOn, 1)}T12:00:00Z`));
    const batch = {
      source: 'porsche-connect',
      readings: [
        { sourceReadingId: 'pc-1', vin, readAt: `${addDays(remindedOn, -10)}T09:00:00Z`, odometerKm: 13_500 },
        { sourceReadingId: 'pc-2', vin, readAt: `${addDays(remindedOn, 1)}T09:00:00Z`, odometerKm: 14_900 },
      ],
    };
    const result = await recordVehicleTelemetry(ctx, batch);
    const again = await recordVehicleTelemetry(adminServiceContext(store, new Date(`${addDays(remindedOn, 1)}T13:00:00Z`)), batch);

    // Assess: the same reminder, due on the car's new anchor, one update event; the re-send is all duplicates
    expect(result.accepted).toBe(2);
    expect(again.duplicates).toBe(2);
    const after = (await store.repos.vehicles.get(vin))!;
    expect(after.servicePlan!.earlyDue! < reminder.dueDate).toBe(true);
    expect(await store.repos.reminders.get(vin, 1)).toMatchObject({ status: 'OPEN', dueDate: after.servicePlan!.earlyDue, revision: 2, updatedAt: `${addDays(remindedOn, 1)}T12:00:00.000Z` });
    const updates = (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === 'MaintenanceReminderUpdated' && e.detail.vin === vin);
    expect(updates.map((e) => [e.detail.previousDueDate, e.detail.dueDate, e.detail.revision])).toEqual([[reminder.dueDate, after.servicePlan!.earlyDue, 2]]);
  });
});
