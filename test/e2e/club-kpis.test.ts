import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClubJob } from '../../src/club/club-job.js';
import type { ClubKpiJobStats } from '../../src/club-kpis/club-kpi-job.js';
import { runClubKpiRollup } from '../../src/club-kpis/club-kpi-job.js';
import { clubKpiRollupEntity } from '../../src/club-kpis/club-kpi-records.js';
import { makeCustomer } from '../../src/customer/customer.js';
import { emptyAggregates, type PurchaseFact } from '../../src/customer/profile-aggregates.js';
import { clubEventEntity } from '../../src/events/event-records.js';
import { newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { batchPutItems } from '../../src/store/batch.js';
import { writeContributions } from '../../src/store/fact-hooks.js';
import { emptySums } from '../../src/value/kpis.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createDealer, issueKey } from '../support/fixtures.js';

const ADMIN = { kind: 'admin' as const, id: 'admin-1' };
const logger = createLogger({}, { level: 'error', write: () => true });
const NOW = new Date('2026-12-01T03:00:00.000Z');

/**
 * The club's KPIs on a small population whose figures are worked out by hand: four
 * memberships (one left, one with a reversal after spending, one with an expired lot),
 * three non-members, six events of which two count, the brand's value KPIs and the
 * roll-up of a year before. The club run's roll-up computes them; `clubKpis` reads them.
 */
describe('Club KPIs: the daily roll-up and clubKpis', () => {
  let api: TestApi;
  let first: ClubKpiJobStats;
  const rollup = (options: { force?: boolean } = {}) => runClubKpiRollup({ clubKpis: api.store.repos.clubKpis, values: api.store.repos.values, logger }, { now: NOW, ...options });

  const purchase = (at: string): PurchaseFact => ({ at, vin: `VIN${newId()}`, dealerId: 'D1', modelLine: 'NINE_ELEVEN', variant: '911 Carrera', powertrain: 'PETROL', priceMinor: 12_000_000 });
  async function customer(purchases: number) {
    const c = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com`, aggregates: { ...emptyAggregates(), purchases: Array.from({ length: purchases }, (_, i) => purchase(`202${i}-05-01T00:00:00.000Z`)) } });
    expect(await api.store.repos.customers.create(c)).toBe('CREATED');
    return c.id;
  }
  async function member(purchases: number, joinedAt: string) {
    const id = await customer(purchases);
    expect((await api.store.repos.ledger.join({ customerId: id, consent: { source: 'APP', at: joinedAt, recordedBy: { kind: 'customer', id } }, at: joinedAt })).ok).toBe(true);
    return id;
  }
  async function earn(customerId: string, basePoints: number, at: string) {
    const source = { type: 'ORDER' as const, id: newId() };
    const m = (await api.store.repos.ledger.getMembership(customerId))!;
    expect((await writeContributions(api.store, api.store.repos.ledger.accrualContributions(m, { source, basePoints, at }))).ok).toBe(true);
    return source;
  }
  const spend = async (customerId: string, points: number, at: string) => expect((await api.store.repos.ledger.redeem({ customerId, points, source: { type: 'REWARD', id: 'R1' }, at, by: ADMIN })).ok).toBe(true);
  const event = (startsAt: string, hours: number, fields: Record<string, unknown>) =>
    clubEventEntity.toItem(clubEventEntity.make({ id: newId(), startsAt, endsAt: new Date(Date.parse(startsAt) + hours * 3_600_000).toISOString(), registrationDeadline: startsAt, heldSeats: 0, waitlisted: 0, checkedIn: 0, ...fields }));

  beforeAll(async () => {
    api = await createTestApi();
    // A: 2 cars; earns 1,000, spends 300, then the order is refunded: 700 taken back from the lot, 300 owed (cap 0 at MEMBER).
    const a = await member(2, '2026-06-01T09:00:00.000Z');
    const order = await earn(a, 1_000, '2026-06-10T09:00:00.000Z');
    await spend(a, 300, '2026-07-01T09:00:00.000Z');
    expect((await api.store.repos.ledger.reverseAccrual({ customerId: a, source: order, reason: 'Refunded', at: '2026-08-01T09:00:00.000Z', by: ADMIN })).ok).toBe(true);
    // B: 1 car; earns 6,000 (→ SILVER), spends 1,000.
    const b = await member(1, '2026-01-01T09:00:00.000Z');
    await earn(b, 6_000, '2026-03-05T09:00:00.000Z');
    await spend(b, 1_000, '2026-04-01T09:00:00.000Z');
    // C: no car; 200 points expire on 2026-11-01 (the club job below), 500 still pending.
    const c = await member(0, '2024-10-01T09:00:00.000Z');
    await earn(c, 200, '2024-10-05T09:00:00.000Z');
    await earn(c, 500, '2026-11-20T09:00:00.000Z');
    // D: 3 cars; earns 400, then leaves: a former member, whose points are still outstanding.
    const d = await member(3, '2026-01-15T09:00:00.000Z');
    await earn(d, 400, '2026-02-01T09:00:00.000Z');
    expect((await api.store.repos.ledger.leave(d, '2026-05-01T09:00:00.000Z')).ok).toBe(true);
    // Non-members: 2 cars, 1 car, none.
    for (const cars of [2, 1, 0]) await customer(cars);
    expect((await runClubJob({ clubSchedule: api.store.repos.clubSchedule, logger }, { now: NOW })).lotsExpired).toBe(1);

    // The brand's value KPIs of the month: buyers A, B, D, E, F; repeat buyers A, D, E.
    await api.store.repos.values.writeKpis('2026-12', { BRAND: { ...emptySums(), buyers: 5, repeatBuyers: 3 } }, 'scores-test', '2026-12-01T01:00:00.000Z');
    // The roll-up of a year before: 400 earned, nothing redeemed by then.
    const base = clubKpiRollupEntity.make({ day: '2025-12-01' });
    await batchPutItems(api.store.doc, api.store.tableName, [clubKpiRollupEntity.toItem({ ...base, members: { ...base.members, pointsEarned: 400, pointsRedeemed: 0 } })]);
    await batchPutItems(api.store.doc, api.store.tableName, [
      event('2026-06-10T08:00:00.000Z', 9, { capacity: 20, confirmedSeats: 16, checkedInSeats: 12 }), // counts
      event('2026-09-01T08:00:00.000Z', 9, { capacity: 10, confirmedSeats: 10, checkedInSeats: 9 }), // counts
      event('2026-08-01T08:00:00.000Z', 9, { status: 'CANCELLED', capacity: 10, confirmedSeats: 0, checkedInSeats: 0 }), // cancelled
      event('2026-12-01T01:00:00.000Z', 8, { capacity: 10, confirmedSeats: 10, checkedInSeats: 3 }), // not over yet
      event('2026-12-20T08:00:00.000Z', 9, { capacity: 10, confirmedSeats: 5, checkedInSeats: 0 }), // upcoming
      event('2025-10-01T08:00:00.000Z', 9, { capacity: 50, confirmedSeats: 50, checkedInSeats: 50 }), // over a year ago
    ]);
    first = await rollup();
  }, 60_000);
  afterAll(() => api.close());

  it('computes the figures worked out by hand, reading two items per active member and one per former member', async () => {
    // 1 latest + 1 brand KPIs + 4 memberships + 3 active profiles + 4 events in the window (two past, one cancelled, one running) + 1 base
    expect(first).toMatchObject({ day: '2026-12-01', written: true, complete: true, memberships: 4, itemsRead: 14, skipped: 0 });
    const stored = (await api.store.repos.clubKpis.latest())!;
    expect(stored.members).toEqual({
      active: 3,
      former: 1,
      byLevel: { MEMBER: 2, SILVER: 1, GOLD: 0, PLATINUM: 0 },
      // A: −300 balance + 300 owed = 0 in lots; B 5,000; C 500 (pending); D 400
      pointsOutstanding: 5_900,
      pointsOwed: 300,
      // A's 1,000 reversed; B 6,000; C 700; D 400
      pointsEarned: 7_100,
      pointsRedeemed: 1_300,
      pointsExpired: 200,
      // A (2 cars) and B (1 car); C has none; D left
      buyers: 2,
      repeatBuyers: 1,
      withoutProfile: 0,
    });
    expect(stored.events).toEqual({ from: '2025-12-01', events: 2, capacity: 30, confirmedSeats: 26, checkedInSeats: 21 });
    expect(stored.last12Months).toEqual({ since: '2025-12-01', pointsEarned: 6_700, pointsRedeemed: 1_300 });
  });

  it('answers admins and analysts with the ratios and money, in one read', async () => {
    const query = `{ clubKpis { asOf activeMembers formerMembers activeMembersByLevel { level members } pointsOutstanding pointsOwed pointValue { amount currency } pointsLiability { amount currency }
      pointsEarned pointsRedeemed pointsExpired redemptionRate { value part whole } redemptionRateLast12Months { value part whole } last12MonthsSince
      eventsFrom pastEvents eventFillRate { value part whole } eventNoShowRate { value part whole }
      repeatPurchaseBasis repeatPurchaseRateMembers { value part whole } repeatPurchaseRateNonMembers { value part whole } } }`;
    for (const role of ['admin', 'analyst'] as const) {
      const res = await api.call(query, {}, api.bearer(role));
      expect(res.errors).toBeUndefined();
      expect(res.data!.clubKpis).toEqual({
        asOf: '2026-12-01',
        activeMembers: 3,
        formerMembers: 1,
        activeMembersByLevel: [
          { level: 'MEMBER', members: 2 },
          { level: 'SILVER', members: 1 },
          { level: 'GOLD', members: 0 },
          { level: 'PLATINUM', members: 0 },
        ],
        pointsOutstanding: 5_900,
        pointsOwed: 300,
        pointValue: { amount: '0.01', currency: 'EUR' },
        pointsLiability: { amount: '59.00', currency: 'EUR' },
        pointsEarned: 7_100,
        pointsRedeemed: 1_300,
        pointsExpired: 200,
        redemptionRate: { value: 0.183, part: 1_300, whole: 7_100 },
        redemptionRateLast12Months: { value: 0.194, part: 1_300, whole: 6_700 },
        last12MonthsSince: '2025-12-01',
        eventsFrom: '2025-12-01',
        pastEvents: 2,
        eventFillRate: { value: 0.867, part: 26, whole: 30 },
        eventNoShowRate: { value: 0.192, part: 5, whole: 26 },
        repeatPurchaseBasis: '2026-12',
        repeatPurchaseRateMembers: { value: 0.5, part: 1, whole: 2 },
        // The brand's 5 buyers and 3 repeat buyers less the members' 2 and 1: D (left), E and F
        repeatPurchaseRateNonMembers: { value: 0.667, part: 2, whole: 3 },
      });
    }
  });

  it('reads a given day, and refuses a day that is not one', async () => {
    const day = await api.call('{ clubKpis(asOf: "2025-12-01") { asOf pointsEarned } }', {}, api.bearer('admin'));
    expect(day.data!.clubKpis).toEqual({ asOf: '2025-12-01', pointsEarned: 400 });
    expect((await api.call('{ clubKpis(asOf: "2026-11-30") { asOf } }', {}, api.bearer('admin'))).data!.clubKpis).toBeNull();
    const bad = await api.call('{ clubKpis(asOf: "2026-02-30") { asOf } }', {}, api.bearer('admin'));
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers customers and dealer keys as kpis does: nothing', async () => {
    const dealer = await createDealer(api, 'DE-KPI-01');
    const { secret } = await issueKey(api, dealer.id, ['CUSTOMERS_READ', 'CLUB_EVENTS']);
    for (const headers of [api.bearer('customer', newId()), { 'x-api-key': secret }]) {
      const res = await api.call('{ clubKpis { activeMembers } }', {}, headers);
      expect(res.errors).toBeUndefined();
      expect(res.data!.clubKpis).toBeNull();
    }
  });

  it('is computed once a day: a later run that day reads one item and writes nothing; forced, it writes the same figures', async () => {
    const before = (await api.store.repos.clubKpis.latest())!;
    expect(await rollup()).toMatchObject({ written: false, itemsRead: 1 });
    expect(await rollup({ force: true })).toMatchObject({ written: true, itemsRead: 13 });
    expect({ ...(await api.store.repos.clubKpis.latest())!, itemsRead: 0 }).toEqual({ ...before, itemsRead: 0 });
  });

  it('is made again the same day once the first scores run has written the value KPIs it lacked', async () => {
    // Prepare: a day whose roll-up was made before any scores run
    const day = new Date('2026-12-02T03:00:00.000Z');
    await api.store.repos.clubKpis.write({ ...(await api.store.repos.clubKpis.latest())!, day: '2026-12-02', brandBuyers: undefined });
    const run = () => runClubKpiRollup({ clubKpis: api.store.repos.clubKpis, values: api.store.repos.values, logger }, { now: day });

    // Act, Assess: the value KPIs of December exist, so it is made again, with them
    expect(await run()).toMatchObject({ written: true });
    expect((await api.store.repos.clubKpis.latest())!).toMatchObject({ day: '2026-12-02', brandBuyers: { period: '2026-12', buyers: 5, repeatBuyers: 3 } });
    expect(await run()).toMatchObject({ written: false, itemsRead: 1 });
  });
});
