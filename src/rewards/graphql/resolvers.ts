import DataLoader from 'dataloader';
import { loadPage } from '../../auth/loaders.js';
import { checkPageSize, pageToConnection } from '../../graphql/connection.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { toGlobalId } from '../../shared/ids.js';
import { createReward, listRewards, restockReward, updateReward } from '../catalogue-service.js';
import { cancelVoucher, redeemReward } from '../redemption-service.js';
import { REWARD_NODE, type RewardRecord, type VoucherRecord } from '../reward-records.js';
import { canonicalVoucherCode } from '../voucher-code.js';
import { voucherStatusAt } from '../voucher-rules.js';

/**
 * Request-scoped loaders of this domain, keyed by the request's own loaders (one object
 * per request): a page of vouchers reads its rewards, and a page of visits its vouchers,
 * in one BatchGetItem each instead of one read per element.
 */
const requestLoaders = new WeakMap<object, { rewards: DataLoader<string, RewardRecord | null>; vouchers: DataLoader<string, VoucherRecord | null> }>();

function loaders(ctx: GraphQLContext) {
  let found = requestLoaders.get(ctx.loaders);
  if (!found) {
    const byKey = <V>(getMany: (keys: readonly string[]) => Promise<Map<string, V>>) =>
      new DataLoader<string, V | null>(async (keys) => {
        const values = await getMany(keys);
        return keys.map((k) => values.get(k) ?? null);
      }, { maxBatchSize: 100 });
    found = { rewards: byKey((ids) => ctx.repos.rewards.getMany(ids)), vouchers: byKey((codes) => ctx.repos.vouchers.getMany(codes)) };
    requestLoaders.set(ctx.loaders, found);
  }
  return found;
}

export const rewardsResolvers: Resolvers = {
  Query: {
    rewards: async (_, { first, after }, ctx) => pageToConnection(await listRewards(ctx, checkPageSize(first), after)),
  },
  Mutation: {
    createReward: (_, { input }, ctx) => createReward(ctx, input),
    updateReward: (_, { input }, ctx) => updateReward(ctx, input),
    restockReward: (_, { input }, ctx) => restockReward(ctx, input),
    redeemReward: (_, { input }, ctx) => redeemReward(ctx, input),
    cancelVoucher: (_, { input }, ctx) => cancelVoucher(ctx, input),
  },
  Reward: {
    id: (r) => toGlobalId(REWARD_NODE, r.id),
    stock: (r) => r.stock ?? null,
    voucherTerms: (r) => r.voucher,
  },
  VoucherTerms: {
    discount: (t) => t.discount ?? null,
  },
  VoucherDiscountTerms: {
    fixedAmount: (d) => (d.type === 'FIXED' ? d.amount : null),
    percentOff: (d) => (d.type === 'PERCENT' ? d.percent : null),
    percentCap: (d) => (d.type === 'PERCENT' ? d.cap : null),
  },
  Voucher: {
    // The holder sees what they redeemed, also once the reward is retired.
    reward: async (v, _, ctx) => (await loaders(ctx).rewards.load(v.rewardId))!,
    status: (v, _, ctx) => voucherStatusAt(v, ctx.clock().toISOString()),
    discountTerms: (v) => v.discount ?? null,
    usedOnVisit: async (v, _, ctx) => {
      const visit = v.usedOnVisit ? await ctx.repos.visits.get(v.usedOnVisit.vin, v.usedOnVisit.performedAt, v.usedOnVisit.id) : null;
      return visit && (await ctx.access.canSeeVehicleItem(visit)) ? visit : null;
    },
    discount: (v) => v.discountApplied ?? null,
  },
  ClubMembership: {
    // The membership is visible to the caller (its own resolvers decided): so are its vouchers.
    vouchers: async (m, { first, after }, ctx) => {
      const size = checkPageSize(first);
      return pageToConnection(await loadPage(ctx.loaders, 'ClubMembership.vouchers', m.customerId, { size, after }, () => ctx.repos.vouchers.ofCustomer(m.customerId, size, after)));
    },
  },
  ServiceVisit: {
    // Whoever sees the visit sees the discount recorded on it; the voucher was used in the visit's transaction.
    voucher: async (visit, _, ctx) => {
      const code = visit.voucherCode ? canonicalVoucherCode(visit.voucherCode) : null;
      const voucher = code ? await loaders(ctx).vouchers.load(code) : null;
      return voucher?.usedOnVisit?.id === visit.id ? voucher : null;
    },
  },
};
