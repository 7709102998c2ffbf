import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEventHoldsJob } from '../../src/events/holds-job.js';
import { endRegistration } from '../../src/events/seats.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createDealer, issueKey } from '../support/fixtures.js';
import { createEvent, eventInput, eventState, keyOf, makeMember, registration } from '../support/club-events-fixtures.js';
import { itemsOfType } from '../support/store.js';

const HOUR = 3_600_000;

/** Capacity, the FIFO waitlist and timed holds, through the Lambda handler and the holds job. */
describe('Club events: seats, waitlist and holds', () => {
  let api: TestApi;
  let now = new Date('2026-05-04T09:00:00.000Z');
  const later = (hours: number) => new Date(Date.parse('2026-05-04T09:00:00.000Z') + hours * HOUR);
  let host: Record<string, string>;
  let eventId: string;
  let members: Awaited<ReturnType<typeof makeMember>>[];
  const jobDeps = () => ({ ...api.store.repos, logger: createLogger({}, { level: 'error', write: () => true }) });
  const statusOf = async (m: { id: string }) => (await api.store.repos.events.getRegistration(keyOf(eventId), m.id))?.status;

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    const dealer = await createDealer(api, 'DE-EVT-W');
    host = { 'x-api-key': (await issueKey(api, dealer.id, ['CLUB_EVENTS'])).secret };
    eventId = (await createEvent(api, host, eventInput(later(30 * 24).toISOString(), { capacity: 10 }))).id;
    members = [];
    for (let i = 0; i < 51; i++) members.push(await makeMember(api, now.toISOString()));
  }, 60_000);
  afterAll(() => api.close());

  it('confirms exactly 10 of 50 concurrent registrations for 10 seats and waitlists 40, decided in arrival order', async () => {
    // Act
    const results = await Promise.all(members.slice(0, 50).map((m) => registration(api, 'registerForEvent', { eventId, customerId: m.gid }, m.headers)));

    // Assess: every request answered, 10 seats, 40 waiting, arrival numbers 1–50 each once
    expect(results.flatMap((r) => r.userErrors)).toEqual([]);
    const regs = results.map((r) => r.registration!);
    const confirmed = regs.filter((r) => r.status === 'CONFIRMED');
    const waitlisted = regs.filter((r) => r.status === 'WAITLISTED');
    expect(confirmed).toHaveLength(10);
    expect(waitlisted).toHaveLength(40);
    expect(regs.map((r) => r.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // The first ten arrivals got the seats: the decision followed the arrival order.
    expect(confirmed.map((r) => r.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const state = await eventState(api, eventId, host);
    expect(state).toMatchObject({ capacity: 10, seatsLeft: 0, confirmedSeats: 10, heldSeats: 0, waitlistLength: 40 });
    // The waitlist lists them in arrival order.
    expect(state.waitlist.edges.map((e) => e.node.sequence)).toEqual(Array.from({ length: 40 }, (_, i) => i + 11));
    // Every confirmation went out once, through the outbox.
    expect((await itemsOfType(api.store, 'OutboxEvent')).filter((e) => e.eventType === 'EventRegistrationConfirmed')).toHaveLength(10);
  }, 60_000);

  const bySequence = async (sequence: number) => {
    for (const m of members) {
      const r = await api.store.repos.events.getRegistration(keyOf(eventId), m.id);
      if (r?.sequence === sequence) return m;
    }
    throw new Error(`no registration ${sequence}`);
  };

  it('refuses a second registration of the same member, writing nothing', async () => {
    const m = await bySequence(3);
    const again = await registration(api, 'registerForEvent', { eventId, customerId: m.gid }, m.headers);
    expect(again).toEqual({ registration: null, userErrors: [{ field: ['input', 'eventId'], code: 'ALREADY_REGISTERED' }] });
    expect((await api.store.repos.events.get(keyOf(eventId)))!.sequence).toBe(50);
  });

  it('holds a freed seat for the first waitlisted member, and keeps it from newcomers', async () => {
    // Act: a confirmed member cancels
    const leaving = await bySequence(4);
    const cancelled = await registration(api, 'cancelEventRegistration', { eventId, customerId: leaving.gid }, leaving.headers);

    // Assess: the first in line (arrival 11) holds the seat for 48 h; the seat is not free
    expect(cancelled.registration?.status).toBe('CANCELLED');
    const first = await bySequence(11);
    const offered = await api.store.repos.events.getRegistration(keyOf(eventId), first.id);
    expect(offered).toMatchObject({ status: 'OFFERED', holdExpiresAt: later(48).toISOString() });
    expect(await eventState(api, eventId)).toMatchObject({ seatsLeft: 0, confirmedSeats: 9, heldSeats: 1, waitlistLength: 39 });
    expect((await itemsOfType(api.store, 'OutboxEvent')).filter((e) => e.eventType === 'EventSeatOffered').map((e) => e.detail.customerId)).toEqual([first.id]);

    // A newcomer waits behind the queue: the held seat counts against capacity.
    const newcomer = members[50]!;
    expect((await registration(api, 'registerForEvent', { eventId, customerId: newcomer.gid }, newcomer.headers)).registration).toMatchObject({ status: 'WAITLISTED', sequence: 51 });
  });

  it('lapses a hold not accepted in time and offers the seat to the next member; the job run twice or concurrently changes nothing more', async () => {
    // Act: the holds job, a day after the hold ran out, run twice at once and once more
    const at = later(49);
    const runs = await Promise.all([runEventHoldsJob(jobDeps(), { now: at }), runEventHoldsJob(jobDeps(), { now: at })]);
    const again = await runEventHoldsJob(jobDeps(), { now: at });

    // Assess: one lapse, one new hold for arrival 12, whichever run got there
    expect(runs.reduce((n, r) => n + r.lapsed, 0)).toBe(1);
    expect(runs.reduce((n, r) => n + r.offered, 0)).toBe(1);
    expect(again).toMatchObject({ holdsRead: 0, lapsed: 0, offered: 0 });
    expect(await statusOf(await bySequence(11))).toBe('LAPSED');
    const next = await api.store.repos.events.getRegistration(keyOf(eventId), (await bySequence(12)).id);
    expect(next).toMatchObject({ status: 'OFFERED', holdExpiresAt: new Date(at.getTime() + 48 * HOUR).toISOString() });
    expect(await eventState(api, eventId)).toMatchObject({ seatsLeft: 0, confirmedSeats: 9, heldSeats: 1, waitlistLength: 39 });

    // The lapsed member can no longer take the seat.
    now = at;
    const lapsed = await bySequence(11);
    expect((await registration(api, 'acceptEventSeat', { eventId, customerId: lapsed.gid }, lapsed.headers)).userErrors).toEqual([{ field: ['input', 'eventId'], code: 'HOLD_EXPIRED' }]);
  });

  it('confirms a held seat accepted in time; a declined one passes to the next', async () => {
    // Act: arrival 12 declines, arrival 13 accepts the seat that passes to them
    const declining = await bySequence(12);
    expect((await registration(api, 'declineEventSeat', { eventId, customerId: declining.gid }, declining.headers)).registration?.status).toBe('DECLINED');
    const accepting = await bySequence(13);
    expect(await statusOf(accepting)).toBe('OFFERED');
    now = later(50);
    const accepted = await registration(api, 'acceptEventSeat', { eventId, customerId: accepting.gid }, accepting.headers);

    // Assess
    expect(accepted.userErrors).toEqual([]);
    expect(accepted.registration).toMatchObject({ status: 'CONFIRMED', sequence: 13 });
    expect(await eventState(api, eventId)).toMatchObject({ seatsLeft: 0, confirmedSeats: 10, heldSeats: 0, waitlistLength: 38 });
    // Accepting again answers the confirmed seat and writes nothing.
    expect((await registration(api, 'acceptEventSeat', { eventId, customerId: accepting.gid }, accepting.headers)).registration).toMatchObject({ status: 'CONFIRMED' });
    expect(await eventState(api, eventId)).toMatchObject({ confirmedSeats: 10 });
  });

  it('offers new seats to the waitlist first when the capacity grows, and refuses a capacity below the seats taken', async () => {
    // Act
    const grown = await api.call(`mutation($input: UpdateClubEventInput!) { updateClubEvent(input: $input) { clubEvent { capacity seatsLeft heldSeats } userErrors { field code } } }`, { input: { id: eventId, capacity: 12 } }, host);
    const cut = await api.call(`mutation($input: UpdateClubEventInput!) { updateClubEvent(input: $input) { clubEvent { capacity } userErrors { field code } } }`, { input: { id: eventId, capacity: 11 } }, host);

    // Assess: arrivals 14 and 15 hold the two new seats; 11 seats cannot hold 10 confirmed and 2 held
    expect(grown.data?.updateClubEvent).toEqual({ clubEvent: { capacity: 12, seatsLeft: 0, heldSeats: 2 }, userErrors: [] });
    expect([await statusOf(await bySequence(14)), await statusOf(await bySequence(15)), await statusOf(await bySequence(16))]).toEqual(['OFFERED', 'OFFERED', 'WAITLISTED']);
    expect(cut.data?.updateClubEvent).toEqual({ clubEvent: null, userErrors: [{ field: ['input', 'capacity'], code: 'CAPACITY_BELOW_CONFIRMED' }] });
    expect(await eventState(api, eventId)).toMatchObject({ capacity: 12, confirmedSeats: 10, heldSeats: 2 });
  });

  it('offers a freed seat to a member waitlisted while the seat was being freed, so no newcomer takes it ahead of them', async () => {
    // Prepare: one seat, taken; the member who will queue registers between the canceller's read of the event and its write
    const race = (await createEvent(api, host, eventInput(later(30 * 24).toISOString(), { capacity: 1 }))).id;
    const [seated, queued, newcomer] = [await makeMember(api, now.toISOString()), await makeMember(api, now.toISOString()), await makeMember(api, now.toISOString())];
    expect((await registration(api, 'registerForEvent', { eventId: race, customerId: seated.gid }, seated.headers)).registration?.status).toBe('CONFIRMED');
    let queuedMeanwhile = false;
    const events = new Proxy(api.store.repos.events, {
      get: (target, name, receiver) => {
        if (name !== 'get') return Reflect.get(target, name, receiver);
        return async (id: string) => {
          const read = await target.get(id);
          if (!queuedMeanwhile) {
            queuedMeanwhile = true;
            expect((await registration(api, 'registerForEvent', { eventId: race, customerId: queued.gid }, queued.headers)).registration?.status).toBe('WAITLISTED');
          }
          return read;
        };
      },
    });

    // Act: the seated member cancels (the seat engine as the API runs it, with the waitlist read going stale)
    const ended = await endRegistration(
      { ...api.store.repos, events },
      { eventId: keyOf(race), customerId: seated.id, to: 'CANCELLED', now, by: { kind: 'customer', id: seated.id }, check: () => null, reason: 'test' },
    );

    // Assess: the seat went to the member in the queue, not back on the shelf
    expect(queuedMeanwhile).toBe(true);
    expect(ended.ok).toBe(true);
    expect(await api.store.repos.events.getRegistration(keyOf(race), queued.id)).toMatchObject({ status: 'OFFERED' });
    expect(await eventState(api, race)).toMatchObject({ seatsLeft: 0, confirmedSeats: 0, heldSeats: 1, waitlistLength: 0 });
    expect((await registration(api, 'registerForEvent', { eventId: race, customerId: newcomer.gid }, newcomer.headers)).registration?.status).toBe('WAITLISTED');
  });
});
