import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFleet, writeFleet } from '../support/fleet.js';
import { createTestStore, type TestStore } from '../support/store.js';

/** The reminders job's deployed entry point, configured by environment as Lambda does it. */
describe('Module: src/handlers/reminders-job.ts', () => {
  let store: TestStore;
  const saved = { ...process.env };

  beforeAll(async () => {
    store = await createTestStore();
    await writeFleet(store, makeFleet({ vehicles: 90, today: '2026-12-01', dealerIds: ['D1', 'D2'] }));
    Object.assign(process.env, { TABLE_NAME: store.tableName, DYNAMODB_ENDPOINT: store.endpoint });
  });
  afterAll(async () => {
    process.env = saved;
    await store.drop();
  });

  it('fails a run that must stop before the timeout, so Lambda’s retry continues it', async () => {
    const { handler, IncompleteRunError } = await import('../../src/handlers/reminders-job.js');
    const almostOut = { getRemainingTimeInMillis: () => 30_000 };
    await expect(handler({ now: '2026-12-01T05:00:00.000Z' }, almostOut)).rejects.toBeInstanceOf(IncompleteRunError);
  });

  it('runs with the scheduled time from the Scheduler input and reports what it did', async () => {
    const { handler } = await import('../../src/handlers/reminders-job.js');
    const stats = await handler({ now: '2026-12-01T05:00:00.000Z' }, { getRemainingTimeInMillis: () => 900_000 });
    expect(stats.complete).toBe(true);
    expect(stats.remindersCreated).toBeGreaterThan(0);
    expect(stats.vehiclesRead).toBe(stats.remindersCreated);
    expect((await handler({ now: '2026-12-01T05:00:00.000Z' })).remindersCreated).toBe(0);
  });

  it('refuses an input time that is not one', async () => {
    const { handler } = await import('../../src/handlers/reminders-job.js');
    await expect(handler({ now: 'yesterday' })).rejects.toThrow(/Invalid "now"/);
  });
});
