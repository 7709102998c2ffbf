import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustomerRepository } from '../../src/customer/customer-repository.js';
import { ReminderRepository } from '../../src/reminder/reminder-repository.js';
import { runRemindersJob, type RemindersJobStats } from '../../src/reminder/reminders-job.js';
import { addDays } from '../../src/service/calendar.js';
import { createLogger } from '../../src/shared/logger.js';
import type { Store } from '../../src/store/store.js';
import { makeFleet, writeFleet, type Fleet } from '../support/fleet.js';
import { crashingClient } from '../support/faults.js';
import { ownEngine, type TestStore } from '../support/store.js';

/**
 * Sized for a busy machine: DynamoDB Local writes a few dozen reminder transactions a
 * second when the cores are shared, and every test here writes a fleet and runs the job
 * over it. 200 cars give ~75 reminders on the first day and more on each later one —
 * several pages per shard-run, a real race between two runs and a crash well inside a
 * run — while the file finishes in a fraction of its timeout even with both cores loaded.
 */
const FLEET_SIZE = 200;
/** The crash test's client dies on this reminder transaction. */
const CRASH_AT = 40;
/** Transactions in flight per run (the job's default); a crash settles its batch first. */
const CONCURRENCY = 8;
const DAYS = ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-07'];
const logger = createLogger({}, { level: 'error', write: () => true });

/** Everything the job wrote: reminders by VIN, and outbox events. */
async function written(store: Store) {
  const reminders: Record<string, unknown>[] = [];
  const events: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.doc.send(new ScanCommand({ TableName: store.tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      if (item.entityType === 'MaintenanceReminder') reminders.push(item);
      if (item.entityType === 'OutboxEvent') events.push(item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { reminders, events };
}

/** The cars that should have a reminder by `day`: next due on or before day + 14 (independent of the job's code). */
function expectedBy(fleet: Fleet, day: string): string[] {
  return fleet.vehicles.filter((v) => v.servicePlan!.items[0]!.dueDate <= addDays(day, 14)).map((v) => v.vin).sort();
}

const run = (store: Store, day: string, doc: DynamoDBDocumentClient = store.doc): Promise<RemindersJobStats> => {
  const s = { doc, tableName: store.tableName };
  // Small pages, so 200 cars still make several pages per run: paging and resumption stay exercised.
  return runRemindersJob({ reminders: new ReminderRepository(s), customers: new CustomerRepository(s), logger }, { now: new Date(`${day}T06:00:00Z`), pageSize: 10, concurrency: CONCURRENCY });
};

// The bound is generous on purpose (the file takes well under a minute on an idle machine): it is there to stop a hung run, not to time one.
describe('Function: runRemindersJob (DynamoDB Local, generated fleet)', { timeout: 180_000 }, () => {
  const engine = ownEngine();
  let store: TestStore;
  let fleet: Fleet;

  beforeEach(async () => {
    store = await engine.createStore();
    fleet = makeFleet({ vehicles: FLEET_SIZE, today: DAYS[0]!, dealerIds: ['D1', 'D2', 'D3'] });
    await writeFleet(store, fleet);
  });
  afterEach(() => store.drop());

  it('creates exactly the expected reminders day after day, reading only the cars it reminds', async () => {
    for (const day of DAYS) {
      // Act
      const stats = await run(store, day);
      // Assess
      const { reminders, events } = await written(store);
      expect(reminders.map((r) => r.vin as string).sort()).toEqual(expectedBy(fleet, day));
      expect(events).toHaveLength(reminders.length);
      expect(stats.vehiclesRead).toBe(stats.remindersCreated);
      expect(stats.skippedAlreadyReminded).toBe(0);
      // The fleet's plans predate due windows (a point each): nobody's reminder is a guess, nobody is asked for a reading.
      expect(stats.readingCandidatesRead).toBeGreaterThan(0);
      expect(stats.readingsRequested).toBe(0);
    }
    const { reminders } = await written(store);
    // Each reminder lists the items due by its day + 14, the earliest first.
    for (const r of reminders) {
      const vehicle = fleet.vehicles.find((v) => v.vin === r.vin)!;
      const horizon = addDays((r.createdAt as string).slice(0, 10), 14);
      expect((r.items as { code: string }[]).map((i) => i.code)).toEqual(vehicle.servicePlan!.items.filter((i) => i.dueDate <= horizon).map((i) => i.code));
      expect(r.dueDate).toBe(vehicle.servicePlan!.items[0]!.dueDate);
    }
  });

  it('is idempotent: a second run the same day creates and reads nothing', async () => {
    const first = await run(store, DAYS[0]!);
    const second = await run(store, DAYS[0]!);
    expect(first.remindersCreated).toBe(expectedBy(fleet, DAYS[0]!).length);
    expect(second).toMatchObject({ vehiclesRead: 0, remindersCreated: 0 });
    expect((await written(store)).reminders).toHaveLength(first.remindersCreated);
  });

  it('creates each reminder once when two runs race', async () => {
    const [a, b] = await Promise.all([run(store, DAYS[0]!), run(store, DAYS[0]!)]);
    const { reminders, events } = await written(store);
    const vins = reminders.map((r) => r.vin as string);
    expect(new Set(vins).size).toBe(vins.length);
    expect(vins.sort()).toEqual(expectedBy(fleet, DAYS[0]!));
    expect(a.remindersCreated + b.remindersCreated).toBe(vins.length);
    expect(events).toHaveLength(vins.length);
  });

  it('resumes after a crash half-way without duplicates or gaps', async () => {
    // Prepare: a client that dies on the 40th reminder transaction, like a Lambda killed mid-run
    const expected = expectedBy(fleet, DAYS[0]!);
    expect(expected.length).toBeGreaterThan(CRASH_AT + 2 * CONCURRENCY);
    const crashing = crashingClient(store.endpoint, CRASH_AT);
    // Act
    await expect(run(store, DAYS[0]!, crashing)).rejects.toThrow('injected crash');
    const half = (await written(store)).reminders.length;
    const resumed = await run(store, DAYS[0]!);
    // Assess
    // Everything before the crash happened (its batch settles before the error is thrown); the rest did not.
    expect(half).toBeGreaterThanOrEqual(CRASH_AT - CONCURRENCY);
    expect(half).toBeLessThan(expected.length);
    const { reminders, events } = await written(store);
    expect(reminders.map((r) => r.vin as string).sort()).toEqual(expected);
    expect(resumed.remindersCreated).toBe(expected.length - half);
    expect(events).toHaveLength(expected.length);
  });

  it('sends through the first consented channel and marks owners without consent not deliverable', async () => {
    await run(store, DAYS[0]!);
    const { reminders } = await written(store);
    const byOwner = new Map(fleet.customers.map((c) => [c.id, c]));
    for (const r of reminders) {
      const consents = byOwner.get(r.customerId as string)!.consents;
      const expected = consents.PUSH?.granted ? 'PUSH' : consents.EMAIL?.granted ? 'EMAIL' : undefined;
      expect(r.channel).toBe(expected);
      expect(r.deliverable).toBe(expected !== undefined);
    }
    expect(reminders.some((r) => r.deliverable === false)).toBe(true);
  });
});
