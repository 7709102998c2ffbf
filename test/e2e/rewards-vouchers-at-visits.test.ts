import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../support/api.js';
import { ALL_SCOPES, createDealer, issueKey, nextVin, registerVehicle } from '../support/fixtures.js';
import { cancel, createReward, memberWithPoints, redeem } from '../support/rewards-fixtures.js';

/** A maintenance-discount voucher presented at `recordServiceVisit`, through the Lambda handler. */
describe('Lambda handler: vouchers at service visits', () => {
  let api: TestApi;
  let now = new Date('2026-11-20T10:00:00.000Z');
  const at = now.toISOString();
  let dealerKey: Record<string, string>;
  let dealerId: string;
  let member: Awaited<ReturnType<typeof memberWithPoints>>;
  let other: Awaited<ReturnType<typeof memberWithPoints>>;
  let carA: string, carB: string;
  let percent: { id: string }, fixed: { id: string }, merchandise: { id: string }, shortLived: { id: string };

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    dealerId = (await createDealer(api, 'DE-VCH-01')).id;
    dealerKey = { 'x-api-key': (await issueKey(api, dealerId, [...ALL_SCOPES, 'SERVICE_WRITE'])).secret };
    member = await memberWithPoints(api, at, [50_000]);
    other = await memberWithPoints(api, at, [50_000]);
    carA = (await registerVehicle(api, api.bearer('admin'), { ownerId: member.globalId, sellingDealerId: dealerId })).vin;
    carB = (await registerVehicle(api, api.bearer('admin'), { ownerId: member.globalId, sellingDealerId: dealerId })).vin;
    const maintenance = (voucherTerms: Record<string, unknown>) => createReward(api, { category: 'MAINTENANCE', pointsPrice: 1_000, voucherTerms: { kind: 'MAINTENANCE_DISCOUNT', validDays: 365, ...voucherTerms } });
    percent = await maintenance({ percentOff: 15, percentCap: { amount: '100', currency: 'EUR' } });
    fixed = await maintenance({ fixedAmount: { amount: '50', currency: 'EUR' } });
    shortLived = await maintenance({ validDays: 1, fixedAmount: { amount: '20', currency: 'EUR' } });
    merchandise = await createReward(api, { pointsPrice: 1_000 });
  });
  afterAll(() => api.close());

  const voucherOf = async (rewardId: string, who = member) => {
    const res = await redeem(api, { customerId: who.globalId, rewardId }, who.headers);
    expect(res.data?.redeemReward.userErrors).toEqual([]);
    return res.data!.redeemReward.vouchers[0].code as string;
  };
  const visit = (vin: string, voucherCode: string | undefined, overrides: Record<string, unknown> = {}) => ({
    vin,
    performedAt: new Date(now.getTime() - 3_600_000).toISOString(),
    odometerKm: 5_000,
    kind: 'MAINTENANCE',
    items: [{ code: 'OIL_SERVICE', labour: [{ description: 'Oil service', quantity: 1, amount: { amount: '450.00', currency: 'EUR' } }] }],
    totalAmount: { amount: '450.00', currency: 'EUR' },
    waitTimeMinutes: 60,
    firstTimeFix: true,
    voucherCode,
    ...overrides,
  });
  const record = (input: Record<string, unknown>) =>
    api.call(
      `mutation($input: RecordServiceVisitInput!) { recordServiceVisit(input: $input) { serviceVisit { id voucher { code status discount { amount currency } usedOnVisit { id } } } userErrors { field code message } } }`,
      { input },
      dealerKey,
    );
  const historyOf = async (vin: string) => (await api.call(`query($vin: String!) { vehicle(vin: $vin) { odometer { km } serviceHistory { edges { node { id voucher { code discount { amount } } } } } } }`, { vin }, dealerKey)).data?.vehicle;
  const voucherStatus = async (code: string, who = member) => {
    const res = await api.call(`query($id: ID!) { customer(id: $id) { club { vouchers(first: 100) { edges { node { code status usedAt discount { amount } usedOnVisit { id } } } } } } }`, { id: who.globalId }, who.headers);
    return res.data?.customer.club.vouchers.edges.map((e: { node: { code: string } }) => e.node).find((v: { code: string }) => v.code === code);
  };
  const errorsOf = (res: Awaited<ReturnType<typeof record>>) => res.data?.recordServiceVisit.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code]);

  it('marks a voucher used exactly once: of two concurrent visits presenting it, one records the discount, the other is refused and not recorded', async () => {
    // Prepare
    const code = await voucherOf(percent.id);
    const [beforeA, beforeB] = [await historyOf(carA), await historyOf(carB)];
    // Act: the same voucher on two cars of its owner at once (one typed loosely)
    const [onA, onB] = await Promise.all([record(visit(carA, code)), record(visit(carB, ` ${code.toLowerCase().replace(/-/g, ' ')} `))]);
    // Assess
    const results = [
      { vin: carA, res: onA, before: beforeA },
      { vin: carB, res: onB, before: beforeB },
    ];
    const won = results.filter((r) => r.res.data?.recordServiceVisit.userErrors.length === 0);
    const lost = results.filter((r) => r.res.data?.recordServiceVisit.userErrors.length > 0);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    // 15 % of 450.00 is 67.50, under the 100.00 cap
    const recorded = won[0]!.res.data?.recordServiceVisit.serviceVisit;
    expect(recorded.voucher).toEqual({ code, status: 'USED', discount: { amount: '67.50', currency: 'EUR' }, usedOnVisit: { id: recorded.id } });
    expect(lost[0]!.res.data?.recordServiceVisit).toEqual({ serviceVisit: null, userErrors: [{ field: ['input', 'voucherCode'], code: 'VOUCHER_USED', message: expect.any(String) }] });
    expect(await historyOf(lost[0]!.vin)).toEqual(lost[0]!.before);
    expect((await historyOf(won[0]!.vin)).serviceHistory.edges).toEqual([{ node: { id: recorded.id, voucher: { code, discount: { amount: '67.50' } } } }]);
    expect(await voucherStatus(code)).toMatchObject({ status: 'USED', usedAt: at, discount: { amount: '67.50' }, usedOnVisit: { id: recorded.id } });
    // Used is final: neither a later visit nor a cancellation takes it again
    expect(errorsOf(await record(visit(lost[0]!.vin, code)))).toEqual([['input.voucherCode', 'VOUCHER_USED']]);
    expect((await cancel(api, code, member.headers)).data?.cancelVoucher.userErrors[0].code).toBe('VOUCHER_USED');
  });

  it('takes a fixed discount, never more than the invoice', async () => {
    const code = await voucherOf(fixed.id);
    const res = await record(visit(carA, code, { performedAt: new Date(now.getTime() - 1_800_000).toISOString(), odometerKm: 5_100, items: [{ code: 'BRAKE_FLUID', labour: [{ description: 'Brake fluid', quantity: 1, amount: { amount: '30.00', currency: 'EUR' } }] }], totalAmount: { amount: '30.00', currency: 'EUR' } }));
    expect(res.data?.recordServiceVisit.serviceVisit.voucher).toMatchObject({ code, discount: { amount: '30.00', currency: 'EUR' } });
  });

  it('refuses an unknown code, another owner’s voucher, a merchandise voucher, a cancelled one and one in another currency on voucherCode, recording nothing', async () => {
    // Prepare
    const othersCode = await voucherOf(fixed.id, other);
    const merchandiseCode = await voucherOf(merchandise.id);
    const cancelledCode = await voucherOf(fixed.id);
    expect((await cancel(api, cancelledCode, member.headers)).data?.cancelVoucher.userErrors).toEqual([]);
    const euroCode = await voucherOf(fixed.id);
    const before = await historyOf(carB);
    // Act + Assess
    expect(errorsOf(await record(visit(carB, '0000-0000-0000')))).toEqual([['input.voucherCode', 'VOUCHER_NOT_FOUND']]);
    expect(errorsOf(await record(visit(carB, 'WELCOME10')))).toEqual([['input.voucherCode', 'VOUCHER_NOT_FOUND']]);
    const unknown = await record(visit(carB, 'WELCOME10'));
    const foreign = await record(visit(carB, othersCode));
    expect(foreign.data?.recordServiceVisit.userErrors).toEqual(unknown.data?.recordServiceVisit.userErrors);
    expect(errorsOf(await record(visit(carB, merchandiseCode)))).toEqual([['input.voucherCode', 'VOUCHER_NOT_APPLICABLE']]);
    expect(errorsOf(await record(visit(carB, cancelledCode)))).toEqual([['input.voucherCode', 'VOUCHER_CANCELLED']]);
    const swiss = { items: [{ code: 'OIL_SERVICE', labour: [{ description: 'Oil service', quantity: 1, amount: { amount: '450.00', currency: 'CHF' } }] }], totalAmount: { amount: '450.00', currency: 'CHF' } };
    expect(errorsOf(await record(visit(carB, euroCode, swiss)))).toEqual([['input.voucherCode', 'VOUCHER_NOT_APPLICABLE']]);
    expect(errorsOf(await record(visit(carB, 'X'.repeat(41))))).toEqual([['input.voucherCode', 'TOO_LONG']]);
    expect(await historyOf(carB)).toEqual(before);
    for (const code of [othersCode, merchandiseCode, euroCode]) expect((await voucherStatus(code, code === othersCode ? other : member)).status).toBe('ISSUED');
  });

  it('refuses a voucher expired before the visit or issued over a week after it, and accepts one presented while valid even when recorded after its expiry', async () => {
    // Prepare: two one-day vouchers, then two days pass
    const expired = await voucherOf(shortLived.id);
    const presentedInTime = await voucherOf(shortLived.id);
    const issuedAt = now;
    now = new Date(issuedAt.getTime() + 2 * 86_400_000);
    try {
      // Act + Assess
      expect(await voucherStatus(expired)).toMatchObject({ status: 'EXPIRED' });
      expect(errorsOf(await record(visit(carB, expired, { odometerKm: 6_000 })))).toEqual([['input.voucherCode', 'VOUCHER_EXPIRED']]);
      expect((await cancel(api, expired, member.headers)).data?.cancelVoucher.userErrors[0].code).toBe('VOUCHER_EXPIRED');
      // The workshop records today a visit from the day the voucher was issued
      const late = await record(visit(carB, presentedInTime, { odometerKm: 5_500, performedAt: new Date(issuedAt.getTime() + 3_600_000).toISOString() }));
      expect(late.data?.recordServiceVisit.userErrors).toEqual([]);
      expect(late.data?.recordServiceVisit.serviceVisit.voucher).toMatchObject({ status: 'USED', discount: { amount: '20.00' } });
      // …but not on a visit from months before it was issued: no discount on an invoice already settled
      const beforeIssue = await voucherOf(fixed.id);
      const history = await historyOf(carB);
      expect(errorsOf(await record(visit(carB, beforeIssue, { odometerKm: 100, performedAt: new Date(issuedAt.getTime() - 200 * 86_400_000).toISOString() })))).toEqual([['input.voucherCode', 'VOUCHER_NOT_APPLICABLE']]);
      expect(await historyOf(carB)).toEqual(history);
      expect(await voucherStatus(beforeIssue)).toMatchObject({ status: 'ISSUED', usedAt: null });
    } finally {
      now = issuedAt;
    }
  });
});
