import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCustomer } from '../../src/customer/customer.js';
import { checkLedger } from '../../src/club/ledger-consistency.js';
import type { LedgerRepository } from '../../src/club/ledger-repository.js';
import { newId } from '../../src/shared/ids.js';
import { writeContributions } from '../../src/store/fact-hooks.js';
import { createTestStore, type TestStore } from '../support/store.js';

const ADMIN = { kind: 'admin' as const, id: 'admin-1' };

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

  async function earn(customerId: string, points: number, at: string) {
    const m = (await ledger.getMembership(customerId))!;
    const result = await writeContributions(store, ledger.accrualContributions(m, { source: { type: 'ORDER', id: newId() }, basePoints: points, at }));
    expect(result.ok).toBe(true);
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
});
