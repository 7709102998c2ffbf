import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer } from '../../src/customer/customer.js';
import { clubEventEntity, registrationEntity } from '../../src/events/event-records.js';
import { newId } from '../../src/shared/ids.js';
import { batchPutItems } from '../../src/store/batch.js';
import { writeContributions } from '../../src/store/fact-hooks.js';
import { createTestStore, type TestStore } from '../support/store.js';

/**
 * The club run's deployed entry point, configured by environment as Lambda does it: one
 * invocation runs the club job (warnings, expiry), the event holds job (lapsed holds) and
 * the day's club KPI roll-up with the scheduled time, and a second invocation at the same
 * time finds nothing to do.
 */
describe('Module: src/handlers/club-job.ts', () => {
  let store: TestStore;
  const saved = { ...process.env };
  const NOW = '2026-12-01T03:00:00.000Z';
  let expiring: string;
  let warned: string;
  let eventId: string;

  async function member(earnedAt: string) {
    const customer = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com` });
    await store.repos.customers.create(customer);
    expect((await store.repos.ledger.join({ customerId: customer.id, consent: { source: 'APP', at: earnedAt, recordedBy: { kind: 'customer', id: customer.id } }, at: earnedAt })).ok).toBe(true);
    const m = (await store.repos.ledger.getMembership(customer.id))!;
    expect((await writeContributions(store, store.repos.ledger.accrualContributions(m, { source: { type: 'ORDER', id: newId() }, basePoints: 400, at: earnedAt }))).ok).toBe(true);
    return customer.id;
  }

  beforeAll(async () => {
    store = await createTestStore();
    // Earned in October 2024: last day 2026-10-31, gone on 2026-11-01 → expired by the run of 2026-12-01.
    expiring = await member('2024-10-05T09:00:00.000Z');
    // Earned in December 2024: last day 2026-12-31, warning due 2026-12-01.
    warned = await member('2024-12-05T09:00:00.000Z');
    // One event, one seat held for a member until an hour before the run: the hold has lapsed, nobody else waits.
    const holder = await member('2026-11-01T09:00:00.000Z');
    eventId = newId();
    const event = clubEventEntity.make({ id: eventId, hostDealerId: undefined, startsAt: '2026-12-20T08:00:00.000Z', endsAt: '2026-12-20T17:00:00.000Z', registrationDeadline: '2026-12-19T00:00:00.000Z', capacity: 1, seatsLeft: 0, confirmedSeats: 0, heldSeats: 1, waitlisted: 0, pricePoints: undefined, eligibility: { modelLines: [], variants: [] }, sequence: 1 });
    const hold = registrationEntity.make({ eventId, customerId: holder, companions: 0, sequence: 1, status: 'OFFERED', offeredAt: '2026-11-29T02:00:00.000Z', holdExpiresAt: '2026-12-01T02:00:00.000Z', version: 2 });
    await batchPutItems(store.doc, store.tableName, [clubEventEntity.toItem(event), registrationEntity.toItem(hold)]);
    Object.assign(process.env, { TABLE_NAME: store.tableName, DYNAMODB_ENDPOINT: store.endpoint, LOG_LEVEL: 'error' });
  });
  afterAll(async () => {
    process.env = saved;
    await store.drop();
  });

  it('fails a run that must stop before the timeout, so Lambda’s retry continues it', async () => {
    const { handler, ClubRunIncompleteError } = await import('../../src/handlers/club-job.js');
    const almostOut = { getRemainingTimeInMillis: () => 30_000 };
    await expect(handler({ now: NOW }, almostOut)).rejects.toBeInstanceOf(ClubRunIncompleteError);
    // It stopped before taking any work: nothing changed.
    expect((await store.repos.ledger.getMembership(expiring))!.expiredTotal).toBe(0);
  });

  it('runs both jobs with the scheduled time from the Scheduler input, and a rerun finds nothing left', async () => {
    const { handler } = await import('../../src/handlers/club-job.js');
    const stats = await handler({ now: NOW }, { getRemainingTimeInMillis: () => 900_000 });
    expect(stats.now).toBe(NOW);
    expect(stats.club).toMatchObject({ complete: true, lotsExpired: 1, pointsExpired: 400, lotsWarned: 1, poisoned: 0 });
    expect(stats.holds).toMatchObject({ complete: true, holdsRead: 1, lapsed: 1, offered: 0, poisoned: 0 });
    expect((await store.repos.ledger.getMembership(expiring))!).toMatchObject({ balance: 0, expiredTotal: 400 });
    expect((await store.repos.ledger.allLots(warned))[0]).toMatchObject({ warned: true, remaining: 400 });
    expect(await store.repos.events.get(eventId)).toMatchObject({ seatsLeft: 1, heldSeats: 0 });
    // The day's first complete run writes the club KPI roll-up: three members, after the day's expiry.
    expect(stats.kpis).toMatchObject({ day: '2026-12-01', written: true, complete: true, memberships: 3 });
    expect((await store.repos.clubKpis.latest())!.members).toMatchObject({ active: 3, pointsExpired: 400, pointsOutstanding: 800 });

    const again = await handler({ now: NOW });
    expect(again.club).toMatchObject({ lotsExpired: 0, lotsWarned: 0, itemsRead: 0 });
    expect(again.holds).toMatchObject({ holdsRead: 0, lapsed: 0 });
    // The roll-up of the day exists; without value KPIs yet (no scores run) it looks for them again, finds none and keeps it.
    expect(again.kpis).toMatchObject({ written: false, itemsRead: 3 });
  });

  it('refuses an input time that is not one', async () => {
    const { handler } = await import('../../src/handlers/club-job.js');
    await expect(handler({ now: 'yesterday' })).rejects.toThrow(/Invalid "now"/);
  });
});
