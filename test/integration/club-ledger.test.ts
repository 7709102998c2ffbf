import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClubJob } from '../../src/club/club-job.js';
import type { AccrualSourceRef, LedgerEntryRecord } from '../../src/club/club-records.js';
import { balanceOf, expiryDayFor, inSpendingOrder, isSpendable } from '../../src/club/ledger.js';
import { checkLedger } from '../../src/club/ledger-consistency.js';
import type { LedgerRepository } from '../../src/club/ledger-repository.js';
import { ACCRUAL_SOURCES } from '../../src/club/rules.js';
import { makeCustomer } from '../../src/customer/customer.js';
import { newId } from '../../src/shared/ids.js';
import { prng } from '../../src/shared/prng.js';
import { createLogger } from '../../src/shared/logger.js';
import { writeContributions } from '../../src/store/fact-hooks.js';
import { createTestStore, itemsOfType, type TestStore } from '../support/store.js';

const ADMIN = { kind: 'admin' as const, id: 'admin-1' };
const logger = createLogger({}, { level: 'error', write: () => true });


describe('Club ledger under concurrency (DynamoDB Local)', () => {
  let store: TestStore;
  let ledger: LedgerRepository;

  beforeAll(async () => {
    store = await createTestStore();
    ledger = store.repos.ledger;
  });
  afterAll(() => store.drop());

  async function member(at: string) {
    const customer = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com` });
    await store.repos.customers.create(customer);
    const joined = await ledger.join({ customerId: customer.id, consent: { source: 'APP', at, recordedBy: { kind: 'customer', id: customer.id } }, at });
    expect(joined.ok).toBe(true);
    return customer.id;
  }

  async function earn(customerId: string, points: number, at: string, source: AccrualSourceRef = { type: 'ORDER', id: newId() }) {
    // As a fact's writer does: a lost race is read again and asked again.
    for (let attempt = 0; attempt < 30; attempt++) {
      const m = (await ledger.getMembership(customerId))!;
      if ((await writeContributions(store, ledger.accrualContributions(m, { source, basePoints: points, at }))).ok) return source;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
    }
    throw new Error(`accrual of ${source.id} kept conflicting`);
  }

  it('lets exactly 10 of 100 concurrent redemptions of 10 points through a balance of 100, spread over four lots', async () => {
    // Prepare: four lots of 25, past their return window
    const customerId = await member('2026-01-02T09:00:00.000Z');
    for (const day of ['05', '06', '07', '08']) await earn(customerId, 25, `2026-01-${day}T09:00:00.000Z`);
    const at = '2026-03-01T10:00:00.000Z';

    // Act
    const results = await Promise.all(Array.from({ length: 100 }, () => ledger.redeem({ customerId, points: 10, source: { type: 'REWARD', id: 'R1' }, at, by: ADMIN })));

    // Assess
    const ok = results.filter((r) => r.ok);
    expect(ok).toHaveLength(10);
    expect(results.filter((r) => !r.ok && 'reason' in r && r.reason === 'INSUFFICIENT_POINTS')).toHaveLength(90);
    expect((await ledger.getMembership(customerId))!.balance).toBe(0);
    expect(await checkLedger(store, customerId, at)).toEqual([]);
  }, 60_000);

  it('reverses a refund after the points were spent: below zero down to the cap, the rest debt, settled first by the next points', async () => {
    // Prepare: Silver (cap 500) on two orders in one month, nearly all spent
    const customerId = await member('2026-01-02T09:00:00.000Z');
    const first = await earn(customerId, 6_000, '2026-01-05T09:00:00.000Z');
    const second = await earn(customerId, 4_400, '2026-01-06T09:00:00.000Z'); // × 1.25 at Silver: 5,500
    expect((await ledger.redeem({ customerId, points: 11_000, source: { type: 'REWARD', id: 'R9' }, at: '2026-02-01T10:00:00.000Z', by: ADMIN })).ok).toBe(true);

    // Act: the second order is refunded (its lot holds 500 of its 5,500)
    const reversed = await ledger.reverseAccrual({ customerId, source: second, reason: 'Refunded', at: '2026-02-10T10:00:00.000Z', by: ADMIN });
    const twice = await ledger.reverseAccrual({ customerId, source: second, reason: 'Refunded', at: '2026-02-10T11:00:00.000Z', by: ADMIN });
    const m = (await ledger.getMembership(customerId))!;
    const afterReversal = balanceOf(m, await ledger.liveLots(customerId, '2026-02-10T12:00:00.000Z'), '2026-02-10T12:00:00.000Z');
    const spendBelowCap = await ledger.adjust({ customerId, points: -1, reason: 'Test', at: '2026-02-10T12:00:00.000Z', by: ADMIN });

    // Assess: still Silver on the first order; −500 available, 4,500 debt; nothing more can be taken
    expect(reversed).toMatchObject({ ok: true, entry: { kind: 'REVERSAL', points: -5_500, owedChange: -5_000, draws: [{ points: 500 }] } });
    expect(twice).toEqual({ ok: false, reason: 'ALREADY_REVERSED' });
    expect(m).toMatchObject({ level: 'SILVER', owed: 5_000, balance: 11_500 - 11_000 - 5_500 });
    expect(afterReversal).toEqual({ available: -500, pending: 0, debt: 4_500 });
    expect(spendBelowCap).toMatchObject({ ok: false, reason: 'INSUFFICIENT_POINTS' });
    expect((await ledger.redeem({ customerId, points: 1, source: { type: 'REWARD', id: 'R9' }, at: '2026-02-10T12:00:00.000Z', by: ADMIN })).ok).toBe(false);

    // Act: the next points (4,800 × 1.25 = 6,000) settle the 5,000 owed first
    await earn(customerId, 4_800, '2026-02-20T09:00:00.000Z');

    // Assess
    const entries = await ledger.allEntries(customerId);
    expect(entries.at(-1)).toMatchObject({ kind: 'ACCRUAL', points: 6_000, owedChange: 5_000 });
    const settled = (await ledger.getMembership(customerId))!;
    expect(settled).toMatchObject({ owed: 0, balance: 1_000 });
    expect(balanceOf(settled, await ledger.liveLots(customerId, '2026-02-21T00:00:00.000Z'), '2026-02-21T00:00:00.000Z')).toEqual({ available: 0, pending: 1_000, debt: 0 });
    expect(await checkLedger(store, customerId, '2026-02-21T00:00:00.000Z')).toEqual([]);
    expect(first.type).toBe('ORDER');
  });

  /**
   * Generated sequences of accruals, redemptions (some too large), returns, reversals,
   * adjustments and expiry runs over three years; after every step the ledger must add
   * up (balance = Σ entries, Σ lots − owed = balance, every lot = its entries), every
   * redemption drew soonest-expiring spendable lots first, never an expired one, and its
   * draws account for all its points.
   */
  const counts: Record<string, number> = {};
  it.each([11, 23, 37])('keeps every ledger invariant on a generated sequence (seed %i)', async (seed) => {
    const rand = prng(seed);
    const customerId = await member('2024-01-01T08:00:00.000Z');
    let t = Date.parse('2024-01-01T09:00:00.000Z');
    const accruals: AccrualSourceRef[] = [];
    const redemptions: LedgerEntryRecord[] = [];

    for (let step = 0; step < 60; step++) {
      t += rand.int(0, 50) * 86_400_000 + rand.int(0, 23) * 3_600_000;
      const at = new Date(t).toISOString();
      const roll = rand.next();
      let op: string;
      if (roll < 0.35) {
        op = 'accrue';
        const type = rand.pick(ACCRUAL_SOURCES.filter((s) => s !== 'EVENT_CHECK_IN'));
        accruals.push(await earn(customerId, rand.int(20, 3_000), at, { type, id: newId() }));
      } else if (roll < 0.6) {
        op = 'redeem';
        const [m, lots] = await Promise.all([ledger.getMembership(customerId), ledger.liveLots(customerId, at)]);
        const { available } = balanceOf(m!, lots, at);
        const points = rand.int(1, Math.max(1, available) + 200);
        const result = await ledger.redeem({ customerId, points, source: { type: 'REWARD', id: 'R1' }, at, by: ADMIN });
        if (result.ok) {
          redemptions.push(result.entry);
          // FIFO among spendable lots, never an expired one, and every point traced to a lot
          const spendable = inSpendingOrder(lots.filter((l) => isSpendable(l, at)));
          let left = points;
          const expected = spendable.flatMap((l) => {
            const take = Math.min(l.remaining, left);
            left -= take;
            return take > 0 ? [{ lotId: l.id, expiresOn: l.expiresOn, points: take }] : [];
          });
          expect(result.entry.draws).toEqual(expected);
          expect(result.entry.draws!.reduce((s, d) => s + d.points, 0)).toBe(points);
          expect(result.entry.draws!.every((d) => d.expiresOn >= at.slice(0, 10))).toBe(true);
        } else {
          expect(result).toMatchObject({ reason: 'INSUFFICIENT_POINTS' });
          expect(points).toBeGreaterThan(available);
        }
      } else if (roll < 0.68 && redemptions.length) {
        op = 'return';
        const r = redemptions.splice(rand.int(0, redemptions.length - 1), 1)[0]!;
        expect((await ledger.returnRedemption({ customerId, redemptionEntryId: r.id, redemptionAt: r.at, at, by: ADMIN, reason: 'Cancelled' })).ok).toBe(true);
      } else if (roll < 0.76 && accruals.length) {
        op = 'reverse';
        const source = accruals.splice(rand.int(0, accruals.length - 1), 1)[0]!;
        expect((await ledger.reverseAccrual({ customerId, source, reason: 'Refunded', at, by: ADMIN })).ok).toBe(true);
      } else if (roll < 0.86) {
        op = 'adjust';
        const points = rand.pick([-1, 1]) * rand.int(1, 800);
        const result = await ledger.adjust({ customerId, points, reason: 'Correction', at, by: ADMIN });
        if (!result.ok) expect(result.reason).toBe('INSUFFICIENT_POINTS');
      } else {
        op = 'expire';
        const stats = await runClubJob({ clubSchedule: store.repos.clubSchedule, logger }, { now: new Date(at) });
        expect(stats.poisoned).toBe(0);
        // Nothing past its day keeps points after the run.
        const lots = await ledger.allLots(customerId);
        expect(lots.filter((l) => expiryDayFor(l.expiresOn) <= at.slice(0, 10) && l.remaining > 0)).toEqual([]);
      }
      counts[op] = (counts[op] ?? 0) + 1;
      expect(await checkLedger(store, customerId, at), `step ${step} (${op}) at ${at}`).toEqual([]);
    }
  }, 60_000);

  it('generated every kind of step across the sequences', () => {
    expect(Object.keys(counts).sort()).toEqual(['accrue', 'adjust', 'expire', 'redeem', 'return', 'reverse']);
  });

  it('keeps the ledger consistent when every kind of write races on one member', async () => {
    // Prepare: lots of several ages, one redemption to give back, one accrual to reverse
    const customerId = await member('2024-01-02T09:00:00.000Z');
    const old = await earn(customerId, 400, '2024-01-05T09:00:00.000Z'); // last day 2026-01-31
    for (const month of ['03', '05', '07']) await earn(customerId, 300, `2025-${month}-05T09:00:00.000Z`);
    const at = '2026-02-02T10:00:00.000Z';
    const spent = await ledger.redeem({ customerId, points: 250, source: { type: 'REWARD', id: 'R3' }, at: '2025-08-01T10:00:00.000Z', by: ADMIN });
    if (!spent.ok) throw new Error('not spent');
    const later = await earn(customerId, 200, '2025-09-05T09:00:00.000Z');

    // Act: all at once
    await Promise.all([
      ...Array.from({ length: 8 }, () => ledger.redeem({ customerId, points: 90, source: { type: 'REWARD', id: 'R4' }, at, by: ADMIN })),
      ...Array.from({ length: 3 }, (_, i) => earn(customerId, 100 + i, at)),
      ledger.reverseAccrual({ customerId, source: later, reason: 'Refunded', at, by: ADMIN }),
      ledger.reverseAccrual({ customerId, source: old, reason: 'Refunded', at, by: ADMIN }),
      ledger.returnRedemption({ customerId, redemptionEntryId: spent.entry.id, redemptionAt: spent.entry.at, at, by: ADMIN, reason: 'Cancelled' }),
      ledger.adjust({ customerId, points: -120, reason: 'Correction', at, by: ADMIN }),
      ledger.adjust({ customerId, points: 75, reason: 'Goodwill', at, by: ADMIN }),
      runClubJob({ clubSchedule: store.repos.clubSchedule, logger }, { now: new Date(at) }),
    ]);

    // Assess
    expect(await checkLedger(store, customerId, at)).toEqual([]);
    const kinds = new Set((await ledger.allEntries(customerId)).map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['ACCRUAL', 'ADJUSTMENT', 'EXPIRY', 'REDEMPTION', 'REVERSAL']);
  }, 60_000);

  it('changes the level exactly once when concurrent accruals cross a threshold together', async () => {
    // Prepare: 4,000 qualifying points this month; Silver is at 5,000
    const customerId = await member('2026-05-01T09:00:00.000Z');
    await earn(customerId, 4_000, '2026-05-02T09:00:00.000Z');

    // Act: five accruals of 300 at once (each alone stays under the threshold)
    await Promise.all(Array.from({ length: 5 }, (_, i) => earn(customerId, 300, `2026-05-1${i}T09:00:00.000Z`)));

    // Assess
    const m = (await ledger.getMembership(customerId))!;
    expect(m.level).toBe('SILVER');
    expect(m.qualifying['2026-05']).toBeGreaterThanOrEqual(5_500);
    expect(m.credits).toBe(6);
    const changes = (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === 'ClubStatusChanged' && e.detail.customerId === customerId);
    expect(changes.map((e) => [e.detail.previousLevel, e.detail.level])).toEqual([['MEMBER', 'SILVER']]);
    expect(await checkLedger(store, customerId, '2026-05-20T00:00:00.000Z')).toEqual([]);
  }, 30_000);
});
