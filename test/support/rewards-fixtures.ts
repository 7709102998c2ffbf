import { expect } from 'vitest';
import type { TestApi } from './api.js';
import { createCustomer } from './fixtures.js';

/** Club members with points, and rewards, for the rewards tests: the catalogue through the API, the ledger through its repository. */

/** The customer key inside a global id (what a customer token carries). */
export const keyOf = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1]!;

const ADMIN = { kind: 'admin' as const, id: 'test-admin' };

/** A customer who joined the club, with one spendable lot per entry of `lots` (admin adjustments: spendable at once). */
export async function memberWithPoints(api: TestApi, at: string, lots: readonly number[] = []) {
  const customer = await createCustomer(api, api.bearer('admin'));
  const id = keyOf(customer.id);
  const joined = await api.store.repos.ledger.join({ customerId: id, consent: { source: 'APP', at, recordedBy: { kind: 'customer', id } }, at });
  expect(joined.ok).toBe(true);
  for (const points of lots) expect((await api.store.repos.ledger.adjust({ customerId: id, points, reason: 'Welcome points', at, by: ADMIN })).ok).toBe(true);
  return { globalId: customer.id, id, headers: api.bearer('customer', id) };
}

export const REWARD_FIELDS = 'id code name pointsPrice stock status minLevel version voucherTerms { kind validDays discount { fixedAmount { amount currency } percentOff percentCap { amount currency } } }';

let rewardSerial = 0;

/** A reward created by an admin (a merchandise voucher unless `voucherTerms` says otherwise). */
export async function createReward(api: TestApi, overrides: Record<string, unknown> = {}) {
  rewardSerial++;
  const res = await api.call(
    `mutation($input: CreateRewardInput!) { createReward(input: $input) { reward { ${REWARD_FIELDS} } userErrors { field code message } } }`,
    { input: { code: `RW-${rewardSerial}-${Date.now()}`, name: `Reward ${rewardSerial}`, description: 'A reward.', category: 'LIFESTYLE', pointsPrice: 100, voucherTerms: { kind: 'MERCHANDISE', validDays: 180 }, ...overrides } },
    api.bearer('admin'),
  );
  expect(res.errors).toBeUndefined();
  expect(res.data?.createReward.userErrors).toEqual([]);
  return res.data!.createReward.reward as { id: string; code: string; pointsPrice: number; stock: number | null; version: number };
}

export const VOUCHER_FIELDS = 'code status kind points issuedAt expiresAt usedAt discount { amount currency } discountTerms { fixedAmount { amount } percentOff percentCap { amount } } reward { id } usedOnVisit { id }';

export function redeem(api: TestApi, input: Record<string, unknown>, headers: Record<string, string>) {
  return api.call(
    `mutation($input: RedeemRewardInput!) { redeemReward(input: $input) { vouchers { ${VOUCHER_FIELDS} } pointsSpent membership { balance { available } } userErrors { field code message } } }`,
    { input },
    headers,
  );
}

export function cancel(api: TestApi, code: string, headers: Record<string, string>) {
  return api.call(
    `mutation($code: String!) { cancelVoucher(input: { code: $code }) { vouchers { code status cancelledAt } pointsReturned membership { balance { available } } userErrors { field code message } } }`,
    { code },
    headers,
  );
}

/** Everything of a member's club the tests compare before and after a refused write. */
export async function clubState(api: TestApi, customerId: string) {
  const [membership, lots, entries, vouchers] = await Promise.all([
    api.store.repos.ledger.getMembership(customerId),
    api.store.repos.ledger.allLots(customerId),
    api.store.repos.ledger.allEntries(customerId),
    api.store.repos.vouchers.ofCustomer(customerId, 100),
  ]);
  return { membership, lots, entries, vouchers: vouchers.items };
}
