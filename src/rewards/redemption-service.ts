import { authorOf, clubPolicy } from '../auth/policies.js';
import type { Principal } from '../auth/principal.js';
import type { MembershipRecord } from '../club/club-records.js';
import { CLUB_LEVELS } from '../club/rules.js';
import { CUSTOMER_NODE } from '../customer/customer.js';
import { keyOfGlobalId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { checkIntRange } from '../shared/validation.js';
import type { Contribution, Refusal } from '../store/fact-hooks.js';
import { canSeeReward, visibleReward } from './catalogue-service.js';
import { REWARD_LEDGER_SOURCE, type RewardRecord, type VoucherRecord } from './reward-records.js';
import { MAX_QUANTITY } from './reward-validation.js';
import { canonicalVoucherCode, newVoucherCode } from './voucher-code.js';
import { voucherExpiry, voucherStatusAt } from './voucher-rules.js';

/**
 * Spending points on rewards, and giving them back. A redemption is one transaction: the
 * ledger's draws on the member's lots (soonest-expiring first, `ctx.repos.ledger.redeem`),
 * the reward's stock taken under `stock >= quantity`, and one voucher per unit, each a
 * new code. Either all of it is written or none: never a voucher without its points, nor
 * points without their voucher, nor more vouchers than stock.
 */

export interface RedemptionResult {
  vouchers: VoucherRecord[];
  pointsSpent: number;
  membership: MembershipRecord | null;
  userErrors: UserError[];
}

const notRedeemed = (...userErrors: UserError[]): RedemptionResult => ({ vouchers: [], pointsSpent: 0, membership: null, userErrors });

/**
 * Why a reward, as read now, cannot be redeemed `quantity` times at `price` by this
 * caller; null when it can. Asked before writing and again when the write's condition on
 * the reward failed (the reward changed meanwhile).
 */
function rewardRefusal(p: Principal, reward: RewardRecord | null, quantity: number, price: number): Refusal | null {
  if (!reward || !canSeeReward(p, reward)) return { code: 'NOT_FOUND', message: 'No reward with this ID.', field: 'rewardId' };
  if (reward.status !== 'ACTIVE') return { code: 'INVALID_STATUS', message: 'This reward is retired; it cannot be redeemed.', field: 'rewardId' };
  if (reward.pointsPrice !== price) return { code: 'STALE_VERSION', message: `The reward's price changed to ${reward.pointsPrice} points; review it and redeem again.`, field: 'rewardId' };
  if (reward.stock !== undefined && reward.stock < quantity) {
    return reward.stock === 0
      ? { code: 'OUT_OF_STOCK', message: 'This reward is out of stock.', field: 'rewardId' }
      : { code: 'OUT_OF_STOCK', message: `Only ${reward.stock} left.`, field: 'quantity' };
  }
  return null;
}

const fromRefusal = (r: Refusal, fallback: string) => userError(r.field ?? fallback, r.code, r.message);

/** `quantity` codes, all different (a repeat within one redemption would be two Puts of one item). */
function distinctCodes(quantity: number): string[] {
  const codes = new Set<string>();
  while (codes.size < quantity) codes.add(newVoucherCode());
  return [...codes];
}

export async function redeemReward(ctx: ServiceContext, input: { customerId: string; rewardId: string; quantity?: number | null }): Promise<RedemptionResult> {
  const quantity = input.quantity ?? 1;
  const errors = checkIntRange('quantity', quantity, 1, MAX_QUANTITY);
  if (errors.length) return notRedeemed(...errors);
  // Spending a member's points is theirs (or the brand's on their behalf); for anyone else the member does not exist.
  const customerId = keyOfGlobalId(input.customerId, CUSTOMER_NODE);
  if (!customerId || !clubPolicy.canActAsMember(ctx.principal, customerId) || !(await ctx.access.customer(customerId))) return notRedeemed(notFound('customerId', 'customer'));
  const reward = await visibleReward(ctx, input.rewardId);
  if (!reward) return notRedeemed(notFound('rewardId', 'reward'));

  const membership = await ctx.repos.ledger.getMembership(customerId);
  if (!membership || membership.status !== 'ACTIVE') return notRedeemed(userError('customerId', 'NOT_A_MEMBER', 'Only club members can redeem rewards; join the club first.'));
  if (CLUB_LEVELS.indexOf(membership.level) < CLUB_LEVELS.indexOf(reward.minLevel)) {
    return notRedeemed(userError('rewardId', 'INELIGIBLE_LEVEL', `This reward is for ${reward.minLevel} members and above; the member is ${membership.level}.`));
  }
  const before = rewardRefusal(ctx.principal, reward, quantity, reward.pointsPrice);
  if (before) return notRedeemed(fromRefusal(before, 'rewardId'));

  const at = ctx.clock().toISOString();
  const points = reward.pointsPrice * quantity;
  // Built afresh on each attempt of the ledger's transaction: new codes, the attempt's entry id.
  let vouchers: VoucherRecord[] = [];
  const extra = (entryId: string): Contribution[] => {
    const codes = distinctCodes(quantity);
    vouchers = codes.map((code) => ({
      code,
      customerId,
      rewardId: reward.id,
      rewardName: reward.name,
      kind: reward.voucher.kind,
      ...(reward.voucher.discount ? { discount: reward.voucher.discount } : {}),
      points: reward.pointsPrice,
      redemption: { entryId, at, codes },
      status: 'ISSUED',
      issuedAt: at,
      expiresAt: voucherExpiry(at, reward.voucher.validDays),
    }));
    return [
      { item: ctx.repos.rewards.takeStock(reward, quantity), explainFailure: async () => rewardRefusal(ctx.principal, await ctx.repos.rewards.get(reward.id), quantity, reward.pointsPrice) },
      // A code already taken (55 random bits: practically never) explains nothing, so the ledger tries again with new codes.
      ...vouchers.map((v) => ({ item: ctx.repos.vouchers.issue(v) })),
    ];
  };
  const result = await ctx.repos.ledger.redeem({ customerId, points, source: { type: REWARD_LEDGER_SOURCE, id: reward.id }, at, by: authorOf(ctx.principal), extra });
  if (!result.ok) {
    if ('refusal' in result) return notRedeemed(fromRefusal(result.refusal, 'rewardId'));
    if (result.reason === 'NOT_A_MEMBER') return notRedeemed(userError('customerId', 'NOT_A_MEMBER', 'Only club members can redeem rewards; join the club first.'));
    return notRedeemed(userError('rewardId', 'INSUFFICIENT_POINTS', `This costs ${points} points; ${Math.max(0, result.available)} are available.`));
  }
  ctx.logger.info('reward redeemed', { customerId, rewardId: reward.id, quantity, points, entryId: result.entry.id });
  return { vouchers, pointsSpent: points, membership: await ctx.repos.ledger.getMembership(customerId), userErrors: [] };
}

export interface CancellationResult {
  vouchers: VoucherRecord[];
  pointsReturned: number;
  membership: MembershipRecord | null;
  userErrors: UserError[];
}

const notCancelled = (...userErrors: UserError[]): CancellationResult => ({ vouchers: [], pointsReturned: 0, membership: null, userErrors });

/** Why a voucher (the one named, or one redeemed with it) cannot be cancelled at `now`; null when it can. */
function cancelRefusal(voucher: VoucherRecord | null, named: string, now: string): Refusal | null {
  if (!voucher) return { code: 'VOUCHER_NOT_FOUND', message: 'No voucher with this code.', field: 'code' };
  const other = voucher.code === named ? 'This voucher' : `Voucher ${voucher.code}, redeemed with this one,`;
  switch (voucherStatusAt(voucher, now)) {
    case 'USED':
      return { code: 'VOUCHER_USED', message: `${other} was used; vouchers redeemed together are cancelled together.`, field: 'code' };
    case 'CANCELLED':
      return { code: 'VOUCHER_CANCELLED', message: `${other} was cancelled already.`, field: 'code' };
    case 'EXPIRED':
      return { code: 'VOUCHER_EXPIRED', message: `${other} expired on ${voucher.expiresAt.slice(0, 10)}.`, field: 'code' };
    case 'ISSUED':
      return null;
  }
}

/**
 * Cancels an unused voucher: its points go back to the lots they were drawn from (the
 * ledger's REVERSAL of the redemption) and its unit back to the stock, with the voucher
 * marked cancelled under the condition that it is still issued — one transaction, so it
 * happens exactly once. The ledger gives a redemption back whole: the vouchers redeemed
 * with it are cancelled with it, and all of them must still be unused.
 */
export async function cancelVoucher(ctx: ServiceContext, input: { code: string }): Promise<CancellationResult> {
  const code = canonicalVoucherCode(input.code);
  const voucher = code ? await ctx.repos.vouchers.get(code) : null;
  if (!voucher || !clubPolicy.canActAsMember(ctx.principal, voucher.customerId)) return notCancelled(userError('code', 'VOUCHER_NOT_FOUND', 'No voucher with this code.'));

  const now = ctx.clock().toISOString();
  const units = await Promise.all(voucher.redemption.codes.map((c) => (c === voucher.code ? voucher : ctx.repos.vouchers.get(c))));
  const refusal = units.map((u) => cancelRefusal(u, voucher.code, now)).find((r) => r !== null);
  if (refusal) return notCancelled(fromRefusal(refusal, 'code'));
  const issued = units as VoucherRecord[];
  const reward = await ctx.repos.rewards.get(voucher.rewardId);

  const by = authorOf(ctx.principal);
  const extra: Contribution[] = [
    ...issued.map((u) => ({ item: ctx.repos.vouchers.cancel(u, now, by), explainFailure: async () => cancelRefusal(await ctx.repos.vouchers.get(u.code), voucher.code, now) })),
    ...(reward ? ctx.repos.rewards.returnStock(reward, issued.length).map((item) => ({ item })) : []),
  ];
  const result = await ctx.repos.ledger.returnRedemption({
    customerId: voucher.customerId,
    redemptionEntryId: voucher.redemption.entryId,
    redemptionAt: voucher.redemption.at,
    at: now,
    by,
    reason: `Voucher${issued.length > 1 ? 's' : ''} ${issued.map((u) => u.code).join(', ')} cancelled`,
    extra,
  });
  if (!result.ok) {
    // A concurrent cancellation won (the ledger has the redemption given back): the vouchers, read again, say so in their own words.
    const lost = result.refusal.code === 'ALREADY_REVERSED' ? (await Promise.all(issued.map((u) => ctx.repos.vouchers.get(u.code)))).map((u) => cancelRefusal(u, voucher.code, now)).find((r) => r !== null) : null;
    return notCancelled(fromRefusal(lost ?? result.refusal, 'code'));
  }
  ctx.logger.info('vouchers cancelled', { customerId: voucher.customerId, codes: issued.length, entryId: result.entry.id });
  return {
    vouchers: issued.map((u) => ({ ...u, status: 'CANCELLED', cancelledAt: now, cancelledBy: by })),
    pointsReturned: result.entry.points,
    membership: await ctx.repos.ledger.getMembership(voucher.customerId),
    userErrors: [],
  };
}
