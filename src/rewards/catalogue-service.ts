import type { Principal } from '../auth/principal.js';
import { clubPolicy } from '../auth/policies.js';
import type { ClubLevel } from '../club/rules.js';
import { ForbiddenError } from '../shared/errors.js';
import { keyOfGlobalId, newId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { checkIntRange } from '../shared/validation.js';
import type { Page } from '../store/cursor.js';
import { REWARD_NODE, type RewardCategory, type RewardRecord, type RewardStatus } from './reward-records.js';
import type { RewardChanges } from './reward-repository.js';
import { checkRewardCode, checkRewardFields, checkVoucherTerms, MAX_RESTOCK, MAX_STOCK, type VoucherTermsInput } from './reward-validation.js';

/** The rewards catalogue: admins manage it; everyone signed in reads the active part. */

export interface RewardResult {
  reward: RewardRecord | null;
  userErrors: UserError[];
}

const failed = (...userErrors: UserError[]): RewardResult => ({ reward: null, userErrors });

/** Whether a caller sees a reward: active ones for everyone signed in, retired ones for those who manage the catalogue. */
export function canSeeReward(p: Principal, reward: RewardRecord): boolean {
  return reward.status === 'ACTIVE' || clubPolicy.canManageRewards(p);
}

/** A reward by global id as the caller may see it; null when absent, retired for a member, or not a reward id. */
export async function visibleReward(ctx: ServiceContext, globalId: string): Promise<RewardRecord | null> {
  const id = keyOfGlobalId(globalId, REWARD_NODE);
  const reward = id ? await ctx.repos.rewards.get(id) : null;
  return reward && canSeeReward(ctx.principal, reward) ? reward : null;
}

export function listRewards(ctx: ServiceContext, first: number, after?: string | null): Promise<Page<RewardRecord>> {
  return ctx.repos.rewards.list(first, after, !clubPolicy.canManageRewards(ctx.principal));
}

export interface CreateRewardInput {
  code: string;
  name: string;
  description: string;
  category: RewardCategory;
  pointsPrice: number;
  stock?: number | null;
  minLevel?: ClubLevel | null;
  voucherTerms: VoucherTermsInput;
}

export async function createReward(ctx: ServiceContext, input: CreateRewardInput): Promise<RewardResult> {
  if (!clubPolicy.canManageRewards(ctx.principal)) throw new ForbiddenError();
  const code = checkRewardCode('code', input.code);
  const errors = [...code.errors, ...checkRewardFields(input)];
  if (input.stock != null) errors.push(...checkIntRange('stock', input.stock, 0, MAX_STOCK));
  const terms = checkVoucherTerms('voucherTerms', input.voucherTerms);
  errors.push(...terms.errors);
  if (errors.length || !terms.terms) return failed(...errors);

  const now = ctx.clock().toISOString();
  const reward: RewardRecord = {
    id: newId(),
    code: code.code,
    name: input.name.trim(),
    description: input.description.trim(),
    category: input.category,
    pointsPrice: input.pointsPrice,
    ...(input.stock != null ? { stock: input.stock } : {}),
    minLevel: input.minLevel ?? 'MEMBER',
    status: 'ACTIVE',
    voucher: terms.terms,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  if ((await ctx.repos.rewards.create(reward)) === 'CODE_TAKEN') return failed(userError('code', 'ALREADY_EXISTS', `Another reward has the code ${reward.code}.`));
  ctx.logger.info('reward created', { rewardId: reward.id, code: reward.code });
  return { reward, userErrors: [] };
}

export interface UpdateRewardInput {
  id: string;
  version: number;
  name?: string | null;
  description?: string | null;
  category?: RewardCategory | null;
  pointsPrice?: number | null;
  minLevel?: ClubLevel | null;
  status?: RewardStatus | null;
  voucherTerms?: VoucherTermsInput | null;
}

export async function updateReward(ctx: ServiceContext, input: UpdateRewardInput): Promise<RewardResult> {
  if (!clubPolicy.canManageRewards(ctx.principal)) throw new ForbiddenError();
  const errors = checkRewardFields(input);
  const terms = input.voucherTerms ? checkVoucherTerms('voucherTerms', input.voucherTerms) : undefined;
  errors.push(...(terms?.errors ?? []));
  if (errors.length) return failed(...errors);
  const current = await visibleReward(ctx, input.id);
  if (!current) return failed(notFound('id', 'reward'));
  if (current.version !== input.version) return failed(staleVersion());

  const changes: RewardChanges = {
    name: input.name?.trim(),
    description: input.description?.trim(),
    category: input.category ?? undefined,
    pointsPrice: input.pointsPrice ?? undefined,
    minLevel: input.minLevel ?? undefined,
    status: input.status ?? undefined,
    voucher: terms?.terms,
  };
  const reward = await ctx.repos.rewards.update(current, input.version, changes, ctx.clock().toISOString());
  if (!reward) return failed(staleVersion());
  ctx.logger.info('reward updated', { rewardId: reward.id, version: reward.version });
  return { reward, userErrors: [] };
}

const staleVersion = () => userError('version', 'STALE_VERSION', 'The reward changed since you read it; reload and retry.');

export async function restockReward(ctx: ServiceContext, input: { id: string; quantity: number }): Promise<RewardResult> {
  if (!clubPolicy.canManageRewards(ctx.principal)) throw new ForbiddenError();
  const errors = checkIntRange('quantity', input.quantity, 1, MAX_RESTOCK);
  if (errors.length) return failed(...errors);
  const current = await visibleReward(ctx, input.id);
  if (!current) return failed(notFound('id', 'reward'));
  if (current.stock === undefined) return failed(unlimited());
  const reward = await ctx.repos.rewards.restock(current.id, input.quantity, ctx.clock().toISOString());
  // The stock is never removed once a reward has one: only a reward read as unlimited answers null.
  if (!reward) return failed(unlimited());
  ctx.logger.info('reward restocked', { rewardId: reward.id, quantity: input.quantity, stock: reward.stock });
  return { reward, userErrors: [] };
}

const unlimited = () => userError('id', 'INVALID', 'This reward has no stock limit; there is nothing to restock.');
