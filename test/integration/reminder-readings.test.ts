import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer, type CustomerRecord } from '../../src/customer/customer.js';
import { makeDealer } from '../../src/dealer/dealer.js';
import { createFactHooks } from '../../src/composition.js';
import { READING_REQUEST_LEAD_DAYS } from '../../src/reminder/reading-request.js';
import { runRemindersJob, type RemindersJobStats } from '../../src/reminder/reminders-job.js';
import type { ReminderRecord } from '../../src/reminder/reminder.js';
import { addDays } from '../../src/service/calendar.js';
import type { ItemPrediction } from '../../src/service/prediction.js';
import { newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { batchPutItems } from '../../src/store/batch.js';
import { recordOdometerReading, writeRegistration } from '../../src/vehicle/vehicle-service.js';
import { makeVehicle, vehicleEntity, type VehicleRecord } from '../../src/vehicle/vehicle.js';
import { adminServiceContext } from '../support/service-context.js';
import { createTestStore, itemsOfType, type TestStore } from '../support/store.js';

/**
 * The reminder domain's answers to uncertain and changing predictions: the job asks the
 * owner for a reading when a reminder two weeks out would be timed by a wide window, and
 * readings that move the due date earlier bring a sent reminder forward — the same
 * reminder, in the readings' transaction, with one `MaintenanceReminderUpdated`.
 */
const logger = createLogger({}, { level: 'error', write: () => true });
const consent = (granted: boolean) => ({ EMAIL: { channel: 'EMAIL' as const, granted, source: 'test', recordedAt: '2026-01-01T00:00:00.000Z' } });
const events = async (store: TestStore, type: string) => (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === type);
const runJob = (store: TestStore, now: Date): Promise<RemindersJobStats> => runRemindersJob({ reminders: store.repos.reminders, customers: store.repos.customers, logger }, { now, pageSize: 2 });

describe('Function: runRemindersJob asks for readings (DynamoDB Local)', () => {
  const TODAY = '2026-12-01';
  const NOW = new Date(`${TODAY}T06:00:00Z`);
  let store: TestStore;
  let serial = 610_000;
  const cars: Record<string, VehicleRecord> = {};

  /** A car whose first item's reminder anchor is `today + anchorIn`, with a window `width` days wide, last read `readDaysAgo` ago. */
  function car(name: string, owner: CustomerRecord, { anchorIn, width, readDaysAgo = 60, overrides = {} }: { anchorIn: number; width: number; readDaysAgo?: number; overrides?: Partial<VehicleRecord> }) {
    const anchor = addDays(TODAY, anchorIn);
    const earliest = addDays(anchor, 4);
    const first: ItemPrediction = {
      code: 'OIL_SERVICE',
      dueDate: addDays(earliest, Math.floor(width / 2)),
      dueOdometerKm: 30_000,
      basis: 'MILEAGE',
      confidence: 0.8,
      dueWindow: { earliest, likely: addDays(earliest, Math.floor(width / 2)), latest: addDays(earliest, width) },
      earlyDue: anchor,
    };
    const later: ItemPrediction = { code: 'BRAKE_FLUID', dueDate: addDays(TODAY, 300), basis: 'CALENDAR', confidence: 1, earlyDue: addDays(TODAY, 300) };
    cars[name] = makeVehicle({
      vin: `WP0ZZZ99ZTS${serial++}`,
      ownerId: owner.id,
      ownerHistory: [{ customerId: owner.id, from: '2024-03-15' }],
      odometerKm: 20_000,
      odometerReadAt: new Date(NOW.getTime() - readDaysAgo * 86_400_000).toISOString(),
      servicePlan: { rate: { kmPerYear: 12_000, source: 'COHORT', quality: 0 }, items: [first, later], earlyDue: anchor },
      ...overrides,
    });
  }

  beforeAll(async () => {
    store = await createTestStore();
    const consenting = makeCustomer({ id: newId(), email: 'consenting@example.com', consents: consent(true) });
    const silent = makeCustomer({ id: newId(), email: 'silent@example.com', consents: consent(false) });
    car('wide', consenting, { anchorIn: 20, width: 30 });
    car('wideAtLeadEnd', consenting, { anchorIn: 14 + READING_REQUEST_LEAD_DAYS, width: 7 });
    car('narrow', consenting, { anchorIn: 20, width: 6 });
    car('readRecently', consenting, { anchorIn: 20, width: 30, readDaysAgo: 5 });
    car('noConsent', silent, { anchorIn: 20, width: 30 });
    car('askedThisCycle', consenting, { anchorIn: 20, width: 30, overrides: { readingRequestedCycle: 1 } });
    car('askedLastCycle', consenting, { anchorIn: 20, width: 30, overrides: { reminderCycle: 2, remindedCycle: 1, readingRequestedCycle: 1 } });
    car('beyondLead', consenting, { anchorIn: 14 + READING_REQUEST_LEAD_DAYS + 1, width: 30 });
    car('dueNow', consenting, { anchorIn: 10, width: 30 });
    // A plan stored before windows: its window is a point, so never wide.
    cars.legacy = makeVehicle({
      ...cars.wide!,
      vin: `WP0ZZZ99ZTS${serial++}`,
      servicePlan: { rate: { kmPerYear: 12_000, source: 'HISTORY', quality: 1 }, items: [{ code: 'OIL_SERVICE', dueDate: addDays(TODAY, 20), basis: 'MILEAGE', confidence: 0.9 }] },
    });
    for (const c of [consenting, silent]) expect(await store.repos.customers.create(c)).toBe('CREATED');
    await batchPutItems(store.doc, store.tableName, Object.values(cars).map(vehicleEntity.toItem));
  });
  afterAll(() => store.drop());

  it('asks once per cycle, only when the window is wide, the reading stale and the owner reachable', async () => {
    // Act
    const stats = await runJob(store, NOW);
    // Assess
    const requested = await events(store, 'OdometerReadingRequested');
    const asked = Object.entries(cars).filter(([, v]) => requested.some((e) => e.detail.vin === v.vin)).map(([name]) => name);
    expect(asked.sort()).toEqual(['askedLastCycle', 'wide', 'wideAtLeadEnd']);
    expect(stats).toMatchObject({ readingsRequested: 3, remindersCreated: 1 });
    const wide = cars.wide!;
    expect(requested.find((e) => e.detail.vin === wide.vin)?.detail).toEqual({
      vin: wide.vin,
      customerId: wide.ownerId,
      cycle: 1,
      channel: 'EMAIL',
      dueWindow: wide.servicePlan!.items[0]!.dueWindow,
      reason: 'WIDE_WINDOW',
    });
    // The car is marked asked in this cycle, and its version moved (other writers re-read it instead of undoing the mark).
    const after = await store.repos.vehicles.get(wide.vin);
    expect(after).toMatchObject({ readingRequestedCycle: 1, version: wide.version + 1 });
    expect((await store.repos.vehicles.get(cars.askedLastCycle!.vin))?.readingRequestedCycle).toBe(2);
    // The due car got its reminder, not a request: it is too late to wait for an answer.
    expect((await store.repos.reminders.get(cars.dueNow!.vin, 1))?.status).toBe('OPEN');

    // A second run writes nothing and reads only cars it might still ask (narrow, unconsented, legacy).
    const again = await runJob(store, NOW);
    expect(again).toMatchObject({ readingsRequested: 0, remindersCreated: 0, vehiclesRead: 0, readingCandidatesRead: 3, poisoned: 0 });
    expect(await events(store, 'OdometerReadingRequested')).toHaveLength(3);
    // The next day asks only the car that came into the lead overnight; nobody twice.
    expect((await runJob(store, new Date(`${addDays(TODAY, 1)}T06:00:00Z`))).readingsRequested).toBe(1);
    const vins = (await events(store, 'OdometerReadingRequested')).map((e) => e.detail.vin);
    expect(vins).toHaveLength(4);
    expect(new Set(vins)).toEqual(new Set([cars.wide!.vin, cars.wideAtLeadEnd!.vin, cars.askedLastCycle!.vin, cars.beyondLead!.vin]));
  });

  it('asks once when two runs race', async () => {
    // Prepare: a fresh wide car in its own table
    const own = await createTestStore();
    try {
      const owner = makeCustomer({ id: newId(), email: 'racer@example.com', consents: consent(true) });
      await own.repos.customers.create(owner);
      car('racer', owner, { anchorIn: 18, width: 20 });
      await batchPutItems(own.doc, own.tableName, [vehicleEntity.toItem(cars.racer!)]);
      // Act
      const runs = await Promise.all([runJob(own, NOW), runJob(own, NOW), runJob(own, NOW)]);
      // Assess
      expect(runs.reduce((n, s) => n + s.readingsRequested, 0)).toBe(1);
      expect(await events(own, 'OdometerReadingRequested')).toHaveLength(1);
      expect((await own.repos.vehicles.get(cars.racer!.vin))?.readingRequestedCycle).toBe(1);
    } finally {
      await own.drop();
    }
  });
});

describe('Hook: VehiclePlanChanged brings a sent reminder forward (DynamoDB Local)', () => {
  let store: TestStore;
  const dealer = makeDealer({ id: newId(), code: 'DE-REM-FWD' });
  let serial = 620_000;

  beforeAll(async () => {
    store = await createTestStore();
    await store.repos.dealers.create(dealer);
  });
  afterAll(() => store.drop());

  /**
   * A 911 bought 2026-01-01 driving 1,500 km a month, read monthly until 2026-09-01: its
   * oil service (15,000 km) is due around November, so the job reminds it in October.
   * Returns the car and its reminder as the job made it.
   */
  async function remindedCar(): Promise<{ vehicle: VehicleRecord; reminder: ReminderRecord; remindedOn: string }> {
    const owner = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com`, consents: consent(true) });
    await store.repos.customers.create(owner);
    const vin = `WP0ZZZ99ZTS${serial++}`;
    const readings = Array.from({ length: 9 }, (_, m) => ({ vin, km: 10 + 1_500 * m, readAt: `2026-${String(m + 1).padStart(2, '0')}-01T10:00:00.000Z`, source: 'dealer', recordedAt: '2026-09-01T12:00:00.000Z' }));
    const car = makeVehicle({ vin, ownerId: owner.id, ownerHistory: [{ customerId: owner.id, from: '2026-01-01' }], sellingDealerId: dealer.id, servicingDealerId: dealer.id, purchaseDate: '2026-01-01', odometerKm: 10, odometerReadAt: readings[0]!.readAt });
    const facts = { repos: store.repos, facts: createFactHooks(store) };
    expect((await writeRegistration(facts, await store.repos.vehicles.planned(car, [readings[0]!]), readings[0]!)).kind).toBe('REGISTERED');
    for (const reading of readings.slice(1)) expect((await store.repos.vehicles.recordReading(reading)).kind).toBe('RECORDED');
    const planned = (await store.repos.vehicles.get(vin))!;
    const remindedOn = addDays(planned.servicePlan!.earlyDue!, -14);
    expect(remindedOn > '2026-09-01').toBe(true);
    expect((await runJob(store, new Date(`${remindedOn}T06:00:00Z`))).remindersCreated).toBe(1);
    const reminder = (await store.repos.reminders.get(vin, 1))!;
    expect(reminder).toMatchObject({ status: 'OPEN', dueDate: planned.servicePlan!.earlyDue, revision: 1 });
    return { vehicle: (await store.repos.vehicles.get(vin))!, reminder, remindedOn };
  }

  /** A reading through the vehicle service (which fires VehiclePlanChanged), the day after the reminder. */
  async function read(vehicle: VehicleRecord, remindedOn: string, km: number): Promise<VehicleRecord> {
    const ctx = adminServiceContext(store, new Date(`${addDays(remindedOn, 1)}T12:00:00Z`));
    const result = await recordOdometerReading(ctx, { vin: vehicle.vin, km, readAt: `${addDays(remindedOn, 1)}T09:00:00Z` });
    expect(result.userErrors).toEqual([]);
    return (await store.repos.vehicles.get(vehicle.vin))!;
  }
  const updatesOf = async (vin: string) => (await events(store, 'MaintenanceReminderUpdated')).filter((e) => e.detail.vin === vin);
  const remindersOf = async (vin: string) => (await itemsOfType(store, 'MaintenanceReminder')).filter((r) => r.vin === vin);

  it('moves the open reminder earlier when a reading shows the car drives faster, once, in the same reminder', async () => {
    // Prepare
    const { vehicle, reminder, remindedOn } = await remindedCar();
    // Act: 2,900 km in the month since the last reading (it drove 1,500 before)
    const after = await read(vehicle, remindedOn, 14_900);
    // Assess
    const newDue = after.servicePlan!.earlyDue!;
    expect(newDue < reminder.dueDate).toBe(true);
    const updated = (await store.repos.reminders.get(vehicle.vin, 1))!;
    expect(updated).toMatchObject({ status: 'OPEN', dueDate: newDue, revision: 2, updatedAt: `${addDays(remindedOn, 1)}T12:00:00.000Z`, createdAt: reminder.createdAt });
    expect(updated.items[0]).toMatchObject({ code: 'OIL_SERVICE', dueDate: newDue, recommendedProducts: reminder.items[0]!.recommendedProducts });
    expect(await remindersOf(vehicle.vin)).toHaveLength(1);
    const updates = await updatesOf(vehicle.vin);
    expect(updates.map((e) => e.detail)).toEqual([
      {
        reminderId: `${vehicle.vin}/1`,
        vin: vehicle.vin,
        customerId: vehicle.ownerId,
        dealerId: dealer.id,
        previousDueDate: reminder.dueDate,
        dueDate: newDue,
        items: updated.items.map((i) => i.code),
        channel: 'EMAIL',
        deliverable: true,
        revision: 2,
      },
    ]);
    // The same reading again (a re-sent upload) moves nothing further: no second update.
    await read(vehicle, remindedOn, 14_900);
    expect(await updatesOf(vehicle.vin)).toHaveLength(1);
    expect((await store.repos.reminders.get(vehicle.vin, 1))?.revision).toBe(2);
  });

  it('brings an acknowledged reminder forward too, and keeps it acknowledged', async () => {
    const { vehicle, reminder, remindedOn } = await remindedCar();
    await store.repos.reminders.transition(reminder, ['OPEN'], 'ACKNOWLEDGED', { acknowledgedAt: `${remindedOn}T10:00:00.000Z` });
    await read(vehicle, remindedOn, 14_900);
    expect(await store.repos.reminders.get(vehicle.vin, 1)).toMatchObject({ status: 'ACKNOWLEDGED', revision: 2 });
    expect(await updatesOf(vehicle.vin)).toHaveLength(1);
  });

  it('never pushes a reminder back: a reading that moves the due date later changes nothing', async () => {
    const { vehicle, reminder, remindedOn } = await remindedCar();
    // 300 km in a month: the car slowed down, the due date moves later
    const after = await read(vehicle, remindedOn, 12_310);
    expect(after.servicePlan!.earlyDue! > reminder.dueDate).toBe(true);
    expect(await store.repos.reminders.get(vehicle.vin, 1)).toEqual(reminder);
    expect(await updatesOf(vehicle.vin)).toEqual([]);
  });

  it.each([
    ['BOOKED', { booking: { appointmentAt: '2026-12-01T08:00:00.000Z', dealerId: 'D', bookedAt: '2026-10-01T00:00:00.000Z' } }],
    ['DISMISSED', { dismissal: { reason: 'sold', dismissedAt: '2026-10-01T00:00:00.000Z' } }],
  ] as const)('leaves a %s reminder alone (the reading is still recorded)', async (status, fields) => {
    const { vehicle, reminder, remindedOn } = await remindedCar();
    const moved = (await store.repos.reminders.transition(reminder, ['OPEN'], status, fields))!;
    const after = await read(vehicle, remindedOn, 14_900);
    expect(after.odometerKm).toBe(14_900);
    expect(after.servicePlan!.earlyDue! < reminder.dueDate).toBe(true);
    expect(await store.repos.reminders.get(vehicle.vin, 1)).toEqual(moved);
    expect(await updatesOf(vehicle.vin)).toEqual([]);
  });
});
