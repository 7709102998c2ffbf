import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClubJob, type ClubJobStats } from '../../src/club/club-job.js';
import { checkLedger } from '../../src/club/ledger-consistency.js';
import { makeCustomer } from '../../src/customer/customer.js';
import { newId } from '../../src/shared/ids.js';
import { createLogger } from '../../src/shared/logger.js';
import { writeContributions } from '../../src/store/fact-hooks.js';
import { createTestStore, itemsOfType, type TestStore } from '../support/store.js';

const ADMIN = { kind: 'admin' as const, id: 'admin-1' };
const logger = createLogger({}, { level: 'error', write: () => true });

/**
 * The club job against DynamoDB Local: warnings once per lot, expiry once per lot, level
 * reviews, reruns and concurrent runs that change nothing, and what it reads.
 */
describe('Club job (DynamoDB Local)', () => {
  let store: TestStore;
  const job = (now: string) => runClubJob({ clubSchedule: store.repos.clubSchedule, logger }, { now: new Date(now), pageSize: 25 });

  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  async function member(joinedAt: string) {
    const customer = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com` });
    await store.repos.customers.create(customer);
    expect((await store.repos.ledger.join({ customerId: customer.id, consent: { source: 'APP', at: joinedAt, recordedBy: { kind: 'customer', id: customer.id } }, at: joinedAt })).ok).toBe(true);
    return customer.id;
  }

  async function earn(customerId: string, basePoints: number, at: string) {
    const m = (await store.repos.ledger.getMembership(customerId))!;
    expect((await writeContributions(store, store.repos.ledger.accrualContributions(m, { source: { type: 'ORDER', id: newId() }, basePoints, at }))).ok).toBe(true);
  }

  /** Everything of a member's ledger that a job could change. */
  async function snapshot(customerIds: string[]) {
    return Promise.all(customerIds.map(async (id) => ({ m: await store.repos.ledger.getMembership(id), lots: await store.repos.ledger.allLots(id), entries: await store.repos.ledger.allEntries(id) })));
  }

  const outbox = async (type: string) => (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === type);

  it('warns once per lot 30 days ahead, expires each lot once the day after its last day, and reads about one item per action', async () => {
    // Prepare: 8 members, 3 lots each earned in October 2024 (last day 2026-10-31); some spent, one member left
    const members: string[] = [];
    for (let i = 0; i < 8; i++) {
      const id = await member('2024-09-01T08:00:00.000Z');
      members.push(id);
      for (const day of ['03', '12', '21']) await earn(id, 100 + i, `2024-10-${day}T09:00:00.000Z`);
    }
    // One lot emptied by a redemption (it leaves the index), one partly spent, one member left (expiry continues).
    expect((await store.repos.ledger.redeem({ customerId: members[0]!, points: 100, source: { type: 'REWARD', id: 'R1' }, at: '2025-01-10T10:00:00.000Z', by: ADMIN })).ok).toBe(true);
    expect((await store.repos.ledger.redeem({ customerId: members[1]!, points: 150, source: { type: 'REWARD', id: 'R1' }, at: '2025-01-10T10:00:00.000Z', by: ADMIN })).ok).toBe(true);
    expect((await store.repos.ledger.leave(members[2]!, '2025-06-01T10:00:00.000Z')).ok).toBe(true);
    const liveLots = 8 * 3 - 2; // member 0 spent one lot whole, member 1 one whole and one in part

    // Act: the day before the warning day, the warning day, and again
    const early = await job('2026-09-30T02:00:00.000Z');
    const warned = await job('2026-10-01T02:00:00.000Z');
    const warnedAgain = await job('2026-10-01T05:00:00.000Z');

    // Assess: nothing read early; each lot warned once with what it holds
    expect(early).toMatchObject({ itemsRead: 0, lotsWarned: 0 });
    expect(warned).toMatchObject({ itemsRead: liveLots, lotsWarned: liveLots, lotsExpired: 0, poisoned: 0 });
    expect(warnedAgain).toMatchObject({ itemsRead: 0, lotsWarned: 0 });
    const warnings = await outbox('PointsExpiring');
    expect(warnings).toHaveLength(liveLots);
    expect(new Set(warnings.map((w) => w.detail.lotId)).size).toBe(warnings.length);
    expect(warnings.filter((w) => w.detail.customerId === members[1]).map((w) => [w.detail.points, w.detail.expiresOn]).sort()).toEqual([[101, '2026-10-31'], [52, '2026-10-31']]);

    // Act: the last day (still spendable), then the day after
    const lastDay = await job('2026-10-31T02:00:00.000Z');
    const expired = await job('2026-11-01T02:00:00.000Z');

    // Assess: each lot expired once, balances follow, the ledger adds up
    expect(lastDay).toMatchObject({ itemsRead: 0, lotsExpired: 0 });
    expect(expired).toMatchObject({ itemsRead: liveLots, lotsExpired: liveLots, poisoned: 0 });
    for (const id of members) {
      const m = (await store.repos.ledger.getMembership(id))!;
      expect(m.balance).toBe(0);
      expect(m.expiredTotal).toBe(m.earnedTotal - m.redeemedTotal);
      expect(await checkLedger(store, id, '2026-11-01T02:00:00.000Z')).toEqual([]);
    }
    // What the job read: one item per lot at each of its two steps, nothing else.
    const perLotExpired = expired.itemsRead / expired.lotsExpired;
    const perLotWholeLife = (warned.itemsRead + expired.itemsRead) / expired.lotsExpired;
    console.info(`club job: items read per lot expired ${perLotExpired.toFixed(2)} (expiry run), ${perLotWholeLife.toFixed(2)} with its warning`);
    expect(perLotExpired).toBeLessThanOrEqual(1.5);
  }, 60_000);

  it('changes nothing when run twice, or twice at once', async () => {
    // Prepare: lots earned in January 2024 (last day 2026-01-31), on their warning day and past it
    const members: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await member('2023-12-01T08:00:00.000Z');
      members.push(id);
      for (const day of ['05', '15']) await earn(id, 50 + i, `2024-01-${day}T09:00:00.000Z`);
    }

    // Act: two concurrent runs on the warning day, then two at once after expiry, then once more
    const warnRuns = await Promise.all([job('2026-01-01T02:00:00.000Z'), job('2026-01-01T02:00:00.000Z')]);
    const expiryRuns = await Promise.all([job('2026-02-01T02:00:00.000Z'), job('2026-02-01T02:00:00.000Z')]);
    const before = await snapshot(members);
    const rerun = await job('2026-02-01T03:00:00.000Z');

    // Assess: each lot warned once and expired once between the concurrent runs
    const total = (runs: ClubJobStats[], k: 'lotsWarned' | 'lotsExpired') => runs.reduce((s, r) => s + r[k], 0);
    expect(total(warnRuns, 'lotsWarned')).toBe(10);
    expect(total(expiryRuns, 'lotsExpired')).toBe(10);
    expect(rerun).toMatchObject({ itemsRead: 0, lotsWarned: 0, lotsExpired: 0 });
    expect(await snapshot(members)).toEqual(before);
    for (const { entries, m } of before) {
      expect(entries.filter((e) => e.kind === 'EXPIRY')).toHaveLength(2);
      expect(m!.balance).toBe(0);
    }
    expect((await outbox('PointsExpiring')).filter((w) => members.includes(w.detail.customerId))).toHaveLength(10);
  }, 60_000);

  it('gives points back to an expired lot and expires them again on the next run', async () => {
    // Prepare: a lot spent in part, then expired
    const id = await member('2023-05-01T08:00:00.000Z');
    await earn(id, 400, '2023-06-10T09:00:00.000Z');
    const spent = await store.repos.ledger.redeem({ customerId: id, points: 100, source: { type: 'REWARD', id: 'R2' }, at: '2024-01-10T10:00:00.000Z', by: ADMIN });
    if (!spent.ok) throw new Error('not spent');
    await job('2025-07-01T02:00:00.000Z');
    expect((await store.repos.ledger.getMembership(id))!.balance).toBe(0);

    // Act: the reward is cancelled after the points expired
    const back = await store.repos.ledger.returnRedemption({ customerId: id, redemptionEntryId: spent.entry.id, redemptionAt: spent.entry.at, at: '2025-07-05T10:00:00.000Z', by: ADMIN, reason: 'Voucher cancelled' });
    const afterReturn = (await store.repos.ledger.getMembership(id))!.balance;
    const run = await job('2025-07-06T02:00:00.000Z');

    // Assess: recorded, not spendable, expired again — nothing lost silently, nothing lives longer
    expect(back.ok).toBe(true);
    expect(afterReturn).toBe(100);
    expect(run).toMatchObject({ lotsExpired: 1, pointsExpired: 100 });
    expect((await store.repos.ledger.getMembership(id))!.balance).toBe(0);
    expect((await store.repos.ledger.allEntries(id)).map((e) => `${e.kind} ${e.points}`)).toEqual(['ACCRUAL 400', 'REDEMPTION -100', 'EXPIRY -300', 'REVERSAL 100', 'EXPIRY -100']);
    expect(await checkLedger(store, id, '2025-07-06T02:00:00.000Z')).toEqual([]);
  }, 30_000);

  it('reviews a level when its qualifying month leaves the window, once, with ClubStatusChanged', async () => {
    // Prepare: 6,000 qualifying points in March 2025 make a Silver member, reviewed on 1 March 2026
    const id = await member('2025-03-01T08:00:00.000Z');
    await earn(id, 6_000, '2025-03-10T09:00:00.000Z');
    const silver = (await store.repos.ledger.getMembership(id))!;

    // Act
    const early = await job('2026-02-28T02:00:00.000Z');
    const review = await job('2026-03-01T02:00:00.000Z');
    const again = await job('2026-03-02T02:00:00.000Z');

    // Assess
    expect(silver).toMatchObject({ level: 'SILVER', levelReviewOn: '2026-03-01' });
    expect(early.levelsReviewed).toBe(0);
    expect(review).toMatchObject({ levelsReviewed: 1, levelsChanged: 1 });
    expect(again.levelsReviewed).toBe(0);
    expect(await store.repos.ledger.getMembership(id)).toMatchObject({ level: 'MEMBER', levelSince: '2026-03-01T02:00:00.000Z', qualifying: {} });
    expect((await store.repos.ledger.getMembership(id))!.levelReviewOn).toBeUndefined();
    const changes = (await outbox('ClubStatusChanged')).filter((e) => e.detail.customerId === id).map((e) => [e.detail.cause, e.detail.previousLevel, e.detail.level]);
    expect(changes).toEqual(expect.arrayContaining([['ACCRUAL', 'MEMBER', 'SILVER'], ['REVIEW', 'SILVER', 'MEMBER']]));
    expect(changes).toHaveLength(2);
  }, 30_000);
});
