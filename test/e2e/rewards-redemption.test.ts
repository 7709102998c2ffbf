import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clubKeys } from '../../src/club/club-records.js';
import { rewardKeys } from '../../src/rewards/reward-records.js';
import { checkLedger } from '../../src/club/ledger-consistency.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createDealer, issueKey } from '../support/fixtures.js';
import { cancel, clubState, createReward, keyOf, memberWithPoints, redeem, REWARD_FIELDS } from '../support/rewards-fixtures.js';

/** The rewards catalogue, redemptions and cancellations through the Lambda handler. */
describe('Lambda handler: club rewards and vouchers', () => {
  let api: TestApi;
  const now = new Date('2026-11-20T10:00:00.000Z');
  const at = now.toISOString();

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
  });
  afterAll(() => api.close());

  const rewards = (headers: Record<string, string>) => api.call(`{ rewards(first: 100) { edges { node { id code status } } } }`, {}, headers);
  const stockOf = async (id: string) => (await api.call(`query($id: ID!) { node(id: $id) { ... on Reward { stock } } }`, { id }, api.bearer('admin'))).data?.node.stock;

  describe('the catalogue', () => {
    it('lets admins create, edit under a version, restock and retire rewards; members see the active ones only', async () => {
      // Prepare
      const member = await memberWithPoints(api, at);
      const reward = await createReward(api, { code: ' oil-50 ', category: 'MAINTENANCE', pointsPrice: 5_000, stock: 3, minLevel: 'SILVER', voucherTerms: { kind: 'MAINTENANCE_DISCOUNT', validDays: 365, fixedAmount: { amount: '50.00', currency: 'EUR' } } });
      expect(reward).toMatchObject({ code: 'OIL-50', stock: 3, minLevel: 'SILVER', version: 1, voucherTerms: { kind: 'MAINTENANCE_DISCOUNT', discount: { fixedAmount: { amount: '50.00', currency: 'EUR' }, percentOff: null } } });
      // Act: edit, a stale edit, restock, retire
      const update = `mutation($input: UpdateRewardInput!) { updateReward(input: $input) { reward { ${REWARD_FIELDS} } userErrors { field code } } }`;
      const edited = await api.call(update, { input: { id: reward.id, version: 1, pointsPrice: 4_500, voucherTerms: { kind: 'MAINTENANCE_DISCOUNT', validDays: 180, percentOff: 15, percentCap: { amount: '100', currency: 'EUR' } } } }, api.bearer('admin'));
      const stale = await api.call(update, { input: { id: reward.id, version: 1, name: 'Lost edit' } }, api.bearer('admin'));
      const restocked = await api.call(`mutation($id: ID!) { restockReward(input: { id: $id, quantity: 7 }) { reward { stock version } userErrors { field code } } }`, { id: reward.id }, api.bearer('admin'));
      const retired = await api.call(update, { input: { id: reward.id, version: 2, status: 'RETIRED' } }, api.bearer('admin'));
      // Assess
      expect(edited.data?.updateReward).toMatchObject({ userErrors: [], reward: { pointsPrice: 4_500, version: 2, stock: 3, voucherTerms: { validDays: 180, discount: { fixedAmount: null, percentOff: 15, percentCap: { amount: '100.00' } } } } });
      expect(stale.data?.updateReward).toEqual({ reward: null, userErrors: [{ field: ['input', 'version'], code: 'STALE_VERSION' }] });
      expect(restocked.data?.restockReward).toEqual({ reward: { stock: 10, version: 2 }, userErrors: [] });
      expect(retired.data?.updateReward.reward.status).toBe('RETIRED');
      const seenByAdmin = (await rewards(api.bearer('admin'))).data?.rewards.edges.map((e: { node: { id: string } }) => e.node.id);
      const seenByMember = (await rewards(member.headers)).data?.rewards.edges.map((e: { node: { id: string } }) => e.node.id);
      expect(seenByAdmin).toContain(reward.id);
      expect(seenByMember).not.toContain(reward.id);
      expect((await api.call(`query($id: ID!) { node(id: $id) { id } }`, { id: reward.id }, member.headers)).data?.node).toBeNull();
    });

    it('answers bad catalogue input with the field and a code, and writes nothing', async () => {
      const existing = await createReward(api, { code: 'CAP-2026' });
      const create = (input: Record<string, unknown>) =>
        api.call(`mutation($input: CreateRewardInput!) { createReward(input: $input) { reward { id } userErrors { field code } } }`, { input: { code: 'NEW-1', name: 'Cap', description: 'A cap.', category: 'LIFESTYLE', pointsPrice: 100, voucherTerms: { kind: 'MERCHANDISE', validDays: 30 }, ...input } }, api.bearer('admin'));
      const codes = async (input: Record<string, unknown>) => (await create(input)).data?.createReward.userErrors;
      expect(await codes({ code: 'CAP-2026' })).toEqual([{ field: ['input', 'code'], code: 'ALREADY_EXISTS' }]);
      expect(await codes({ code: 'no spaces please', pointsPrice: 0, stock: -1, name: ' ' })).toEqual([
        { field: ['input', 'code'], code: 'INVALID' },
        { field: ['input', 'name'], code: 'REQUIRED' },
        { field: ['input', 'pointsPrice'], code: 'OUT_OF_RANGE' },
        { field: ['input', 'stock'], code: 'OUT_OF_RANGE' },
      ]);
      expect(await codes({ voucherTerms: { kind: 'MAINTENANCE_DISCOUNT', validDays: 30 } })).toEqual([{ field: ['input', 'voucherTerms'], code: 'REQUIRED' }]);
      const unlimited = await api.call(`mutation($id: ID!) { restockReward(input: { id: $id, quantity: 5 }) { userErrors { field code } } }`, { id: existing.id }, api.bearer('admin'));
      expect(unlimited.data?.restockReward.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID' }]);
      expect((await rewards(api.bearer('admin'))).data?.rewards.edges.filter((e: { node: { code: string } }) => e.node.code === 'NEW-1')).toEqual([]);
      // Only admins manage the catalogue
      const dealer = await createDealer(api, 'DE-RWD-01');
      const key = { 'x-api-key': (await issueKey(api, dealer.id)).secret };
      for (const headers of [api.bearer('analyst'), key, (await memberWithPoints(api, at)).headers]) {
        const refused = await api.call(`mutation { createReward(input: { code: "NEW-3", name: "x", description: "x", category: LIFESTYLE, pointsPrice: 1, voucherTerms: { kind: MERCHANDISE, validDays: 1 } }) { userErrors { code } } }`, {}, headers);
        expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
    });
  });

  describe('redemption', () => {
    it('lets exactly 10 of 100 concurrent redemptions through against a balance that covers 10; the others are INSUFFICIENT_POINTS', async () => {
      // Prepare: 1,000 points in three lots, a reward of 100
      const member = await memberWithPoints(api, at, [300, 300, 400]);
      const reward = await createReward(api, { pointsPrice: 100 });
      // Act
      const results = await Promise.all(Array.from({ length: 100 }, () => redeem(api, { customerId: member.globalId, rewardId: reward.id }, member.headers)));
      // Assess
      expect(results.filter((r) => r.errors).map((r) => r.errors)).toEqual([]);
      const ok = results.filter((r) => r.data?.redeemReward.userErrors.length === 0);
      const refused = results.filter((r) => r.data?.redeemReward.userErrors.length > 0);
      expect(ok).toHaveLength(10);
      expect(new Set(refused.map((r) => JSON.stringify(r.data?.redeemReward.userErrors.map((e: { field: string[]; code: string }) => [e.field, e.code]))))).toEqual(new Set([JSON.stringify([[['input', 'rewardId'], 'INSUFFICIENT_POINTS']])]));
      const state = await clubState(api, member.id);
      expect(state.membership).toMatchObject({ balance: 0, redeemedTotal: 1_000 });
      expect(state.lots.map((l) => l.remaining)).toEqual([0, 0, 0]);
      expect(state.vouchers).toHaveLength(10);
      expect(new Set(state.vouchers.map((v) => v.code)).size).toBe(10);
      expect(state.entries.filter((e) => e.kind === 'REDEMPTION')).toHaveLength(10);
      expect(await checkLedger(api.store, member.id, at)).toEqual([]);
    }, 90_000);

    it('never oversells: 20 concurrent redemptions of a reward with 5 in stock issue exactly 5 vouchers', async () => {
      // Prepare
      const member = await memberWithPoints(api, at, [10_000]);
      const reward = await createReward(api, { pointsPrice: 50, stock: 5 });
      // Act
      const results = await Promise.all(Array.from({ length: 20 }, () => redeem(api, { customerId: member.globalId, rewardId: reward.id }, member.headers)));
      // Assess
      const ok = results.filter((r) => r.data?.redeemReward.userErrors.length === 0);
      expect(ok).toHaveLength(5);
      for (const r of results.filter((x) => !ok.includes(x))) expect(r.data?.redeemReward.userErrors).toEqual([{ field: ['input', 'rewardId'], code: 'OUT_OF_STOCK', message: 'This reward is out of stock.' }]);
      expect(await stockOf(reward.id)).toBe(0);
      const state = await clubState(api, member.id);
      expect(state.vouchers).toHaveLength(5);
      expect(state.membership?.balance).toBe(10_000 - 5 * 50);
      expect(await checkLedger(api.store, member.id, at)).toEqual([]);
    }, 60_000);

    it('issues one voucher per unit with the terms as redeemed, and shows them on the membership', async () => {
      const member = await memberWithPoints(api, at, [1_000]);
      const reward = await createReward(api, { pointsPrice: 200, stock: 10, voucherTerms: { kind: 'MAINTENANCE_DISCOUNT', validDays: 30, fixedAmount: { amount: '25', currency: 'EUR' } } });
      const res = await redeem(api, { customerId: member.globalId, rewardId: reward.id, quantity: 3 }, member.headers);
      expect(res.data?.redeemReward).toMatchObject({ pointsSpent: 600, membership: { balance: { available: 400 } }, userErrors: [] });
      const vouchers = res.data?.redeemReward.vouchers;
      expect(vouchers).toHaveLength(3);
      for (const v of vouchers) {
        expect(v).toMatchObject({ status: 'ISSUED', kind: 'MAINTENANCE_DISCOUNT', points: 200, issuedAt: at, expiresAt: '2026-12-20T10:00:00.000Z', discountTerms: { fixedAmount: { amount: '25.00' } }, reward: { id: reward.id }, usedAt: null, discount: null });
        expect(v.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      }
      const listed = await api.call(`query($id: ID!) { customer(id: $id) { club { vouchers(first: 10) { edges { node { code status } } } } } }`, { id: member.globalId }, member.headers);
      expect(listed.data?.customer.club.vouchers.edges.map((e: { node: { code: string } }) => e.node.code).sort()).toEqual(vouchers.map((v: { code: string }) => v.code).sort());
      expect(await stockOf(reward.id)).toBe(7);
    });

    it('answers every bad redemption with the field and a specific code, and writes nothing', async () => {
      // Prepare
      const member = await memberWithPoints(api, at, [500]);
      const cheap = await createReward(api, { pointsPrice: 100, stock: 2 });
      const dear = await createReward(api, { pointsPrice: 600 });
      const silver = await createReward(api, { pointsPrice: 10, minLevel: 'SILVER' });
      const soldOut = await createReward(api, { pointsPrice: 10, stock: 0 });
      const retired = await createReward(api, { pointsPrice: 10 });
      await api.call(`mutation($id: ID!) { updateReward(input: { id: $id, version: 1, status: RETIRED }) { userErrors { code } } }`, { id: retired.id }, api.bearer('admin'));
      const outsider = await memberWithPoints(api, at);
      const nonMember = (await memberWithPoints(api, at)).globalId;
      await api.store.repos.ledger.leave(keyOf(nonMember), at);
      const before = await clubState(api, member.id);
      const errorsOf = async (input: Record<string, unknown>, headers = member.headers) => (await redeem(api, { customerId: member.globalId, ...input }, headers)).data?.redeemReward.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code]);
      // Act + Assess
      expect(await errorsOf({ rewardId: dear.id })).toEqual([['input.rewardId', 'INSUFFICIENT_POINTS']]);
      expect(await errorsOf({ rewardId: cheap.id, quantity: 6 })).toEqual([['input.quantity', 'OUT_OF_STOCK']]);
      expect(await errorsOf({ rewardId: cheap.id, quantity: 11 })).toEqual([['input.quantity', 'OUT_OF_RANGE']]);
      expect(await errorsOf({ rewardId: cheap.id, quantity: 0 })).toEqual([['input.quantity', 'OUT_OF_RANGE']]);
      expect(await errorsOf({ rewardId: soldOut.id })).toEqual([['input.rewardId', 'OUT_OF_STOCK']]);
      expect(await errorsOf({ rewardId: silver.id })).toEqual([['input.rewardId', 'INELIGIBLE_LEVEL']]);
      expect(await errorsOf({ rewardId: retired.id })).toEqual([['input.rewardId', 'NOT_FOUND']]);
      expect(await errorsOf({ rewardId: member.globalId })).toEqual([['input.rewardId', 'NOT_FOUND']]);
      expect(await errorsOf({ rewardId: 'UmV3YXJkOjAxSkZBS0UwMDAwMDAwMDAwMDAwMDAwMDA' })).toEqual([['input.rewardId', 'NOT_FOUND']]);
      expect(await errorsOf({ customerId: nonMember, rewardId: cheap.id }, api.bearer('admin'))).toEqual([['input.customerId', 'NOT_A_MEMBER']]);
      // Another customer, a dealer key and an analyst cannot spend the member's points: the member is not found
      const dealer = await createDealer(api, 'DE-RWD-02');
      const key = { 'x-api-key': (await issueKey(api, dealer.id)).secret };
      for (const headers of [outsider.headers, key, api.bearer('analyst')]) expect(await errorsOf({ rewardId: cheap.id }, headers)).toEqual([['input.customerId', 'NOT_FOUND']]);
      // Nothing written
      expect(await clubState(api, member.id)).toEqual(before);
      expect(await stockOf(cheap.id)).toBe(2);
      // An admin may redeem on the member's behalf
      expect(await errorsOf({ rewardId: cheap.id }, api.bearer('admin'))).toEqual([]);
    });

    it('lets a member of the reward’s level or above redeem it', async () => {
      const member = await memberWithPoints(api, at, [100]);
      const gold = await createReward(api, { pointsPrice: 10, minLevel: 'GOLD' });
      await api.store.doc.send(new UpdateCommand({ TableName: api.store.tableName, Key: clubKeys.membership(member.id), UpdateExpression: 'SET #l = :l', ExpressionAttributeNames: { '#l': 'level' }, ExpressionAttributeValues: { ':l': 'PLATINUM' } }));
      expect((await redeem(api, { customerId: member.globalId, rewardId: gold.id }, member.headers)).data?.redeemReward.userErrors).toEqual([]);
    });
  });

  describe('cancellation', () => {
    it('gives the points back to the lots they came from and the units back to the stock, exactly once', async () => {
      // Prepare: two lots; a redemption of 2 × 150 takes 200 from the first and 100 from the second
      const member = await memberWithPoints(api, at, [200, 500]);
      const reward = await createReward(api, { pointsPrice: 150, stock: 4 });
      const lotsBefore = (await clubState(api, member.id)).lots;
      const redeemed = await redeem(api, { customerId: member.globalId, rewardId: reward.id, quantity: 2 }, member.headers);
      const [first, second] = redeemed.data?.redeemReward.vouchers.map((v: { code: string }) => v.code);
      expect((await clubState(api, member.id)).lots.map((l) => l.remaining).sort((a, b) => a - b)).toEqual([0, 400]);
      // Act: cancel one (its redemption is given back whole), then again, concurrently
      const [once, twice] = await Promise.all([cancel(api, first.toLowerCase(), member.headers), cancel(api, second, member.headers)]);
      // Assess
      const answers = [once, twice].map((r) => r.data?.cancelVoucher);
      const done = answers.find((a) => a.userErrors.length === 0);
      const refused = answers.find((a) => a.userErrors.length > 0);
      expect(done).toMatchObject({ pointsReturned: 300, membership: { balance: { available: 700 } } });
      expect(done.vouchers.map((v: { code: string; status: string }) => [v.code, v.status]).sort()).toEqual([[first, 'CANCELLED'], [second, 'CANCELLED']].sort());
      expect(refused.userErrors).toEqual([{ field: ['input', 'code'], code: 'VOUCHER_CANCELLED', message: expect.any(String) }]);
      const after = await clubState(api, member.id);
      expect(after.lots.map((l) => [l.id, l.remaining])).toEqual(lotsBefore.map((l) => [l.id, l.remaining]));
      expect(after.entries.filter((e) => e.kind === 'REVERSAL')).toHaveLength(1);
      expect(after.vouchers.map((v) => v.status)).toEqual(['CANCELLED', 'CANCELLED']);
      expect(await stockOf(reward.id)).toBe(4);
      expect(await checkLedger(api.store, member.id, at)).toEqual([]);
      expect((await cancel(api, first, member.headers)).data?.cancelVoucher.userErrors[0].code).toBe('VOUCHER_CANCELLED');
    });

    it('refuses to cancel a used voucher, an unknown code, or another member’s voucher, and writes nothing', async () => {
      const member = await memberWithPoints(api, at, [1_000]);
      const other = await memberWithPoints(api, at);
      const reward = await createReward(api, { pointsPrice: 100 });
      const code = (await redeem(api, { customerId: member.globalId, rewardId: reward.id }, member.headers)).data?.redeemReward.vouchers[0].code;
      const before = await clubState(api, member.id);
      const errorsOf = async (c: string, headers: Record<string, string>) => (await cancel(api, c, headers)).data?.cancelVoucher.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code]);
      expect(await errorsOf('0000-0000-0000', member.headers)).toEqual([['input.code', 'VOUCHER_NOT_FOUND']]);
      expect(await errorsOf('not a code', member.headers)).toEqual([['input.code', 'VOUCHER_NOT_FOUND']]);
      const dealer = await createDealer(api, 'DE-RWD-03');
      for (const headers of [other.headers, { 'x-api-key': (await issueKey(api, dealer.id)).secret }, api.bearer('analyst')]) expect(await errorsOf(code, headers)).toEqual([['input.code', 'VOUCHER_NOT_FOUND']]);
      // Used (a voucher marked used, as a visit leaves it)
      await api.store.doc.send(new UpdateCommand({ TableName: api.store.tableName, Key: rewardKeys.voucher(code), UpdateExpression: 'SET #s = :u, usedAt = :at', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':u': 'USED', ':at': at } }));
      const usedBefore = await clubState(api, member.id);
      expect(await errorsOf(code, member.headers)).toEqual([['input.code', 'VOUCHER_USED']]);
      expect(await clubState(api, member.id)).toEqual(usedBefore);
      expect(usedBefore.entries).toEqual(before.entries);
    });
  });
});
