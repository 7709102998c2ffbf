import type { Author } from '../auth/policies.js';
import { CLUB_LEVELS, type ClubLevel } from '../club/rules.js';
import { customerKeys } from '../customer/customer.js';
import { isUlid, nodeKey } from '../shared/ids.js';
import type { Money } from '../shared/money.js';
import { defineEntity, field } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item, type Key } from '../store/table.js';

/**
 * What the club's rewards keep: the catalogue (one item per reward, admin-managed, listed
 * in `ByCollection`), a claim per reward code, and one item per voucher, keyed by its code.
 *
 * A voucher is its own partition, not an item in the member's: a workshop knows only the
 * code the owner shows, so using one is a single conditional Update on `VOUCHER#<code>`,
 * and the code's uniqueness is that item's `attribute_not_exists` Put. The member's list of
 * vouchers is their `ByParent` partition (`CUST#<id>`, sort `VOUCHER#<issuedAt>#<code>`),
 * beside their visits and reminders.
 */

const REWARD = 'REWARD';
const REWARD_CODE = 'REWARDCODE';
/** Partition of `ByCollection` listing the whole catalogue, oldest first. */
const REWARDS = 'REWARDS';
const VOUCHER = 'VOUCHER';

/** The source type of a reward's REDEMPTION entries in the club ledger (with the reward's id). */
export const REWARD_LEDGER_SOURCE = REWARD;

export const rewardKeys = {
  reward: (id: string): Key => ({ PK: joinKey(REWARD, id), SK: REWARD }),
  /** One per reward code, written with the reward: two rewards never share a code. */
  codeClaim: (code: string): Key => ({ PK: joinKey(REWARD_CODE, code), SK: REWARD_CODE }),
  collection: REWARDS,
  voucher: (code: string): Key => ({ PK: joinKey(VOUCHER, code), SK: VOUCHER }),
  /** A member's vouchers in `ByParent`, newest last (listed newest first). */
  voucherParent: (customerId: string) => customerKeys.partition(customerId),
  voucherPrefix: `${VOUCHER}#`,
  voucherSort: (issuedAt: string, code: string) => joinKey(VOUCHER, issuedAt, code),
};

export const REWARD_CATEGORIES = ['LIFESTYLE', 'MAINTENANCE', 'EXPERIENCE'] as const;
export type RewardCategory = (typeof REWARD_CATEGORIES)[number];

export const REWARD_STATUSES = ['ACTIVE', 'RETIRED'] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

export const VOUCHER_KINDS = ['MAINTENANCE_DISCOUNT', 'MERCHANDISE', 'EXPERIENCE'] as const;
export type VoucherKind = (typeof VOUCHER_KINDS)[number];

/** What a maintenance-discount voucher takes off a service visit's invoice. */
export type VoucherDiscount = { type: 'FIXED'; amount: Money } | { type: 'PERCENT'; percent: number; cap: Money };

/** What each voucher of a reward is: its kind, how long it is valid, and (maintenance discounts) its discount. */
export interface VoucherTerms {
  kind: VoucherKind;
  /** A voucher expires this many days after it is issued. */
  validDays: number;
  /** Only for `MAINTENANCE_DISCOUNT`. */
  discount?: VoucherDiscount;
}

/** A reward of the catalogue (the GraphQL `Reward` mapper). */
export interface RewardRecord {
  id: string;
  /** The brand's own code, unique and unchanging, e.g. `TRACK-CAP-26`. */
  code: string;
  name: string;
  description: string;
  category: RewardCategory;
  /** Points per unit. */
  pointsPrice: number;
  /** Units left; absent for an unlimited reward (a discount, say). Only redemptions, cancellations and restocks change it. */
  stock?: number;
  /** The lowest club status that may redeem it. */
  minLevel: ClubLevel;
  status: RewardStatus;
  voucher: VoucherTerms;
  createdAt: string;
  updatedAt: string;
  /** Guards catalogue edits (`updateReward`); stock moves without it, so redemptions never conflict with an edit. */
  version: number;
}

export const rewardEntity = defineEntity<RewardRecord>({
  name: 'Reward',
  example: () => ({
    id: '01JREWARD00000000000000000',
    code: 'OIL-SERVICE-50',
    name: 'EUR 50 off your next oil service',
    description: 'Presented at any Porsche Centre with the service booking.',
    category: 'MAINTENANCE',
    pointsPrice: 5_000,
    minLevel: 'MEMBER',
    status: 'ACTIVE',
    voucher: { kind: 'MAINTENANCE_DISCOUNT', validDays: 365, discount: { type: 'FIXED', amount: { amountMinor: 5_000, currency: 'EUR' } } },
    createdAt: '2026-01-05T09:00:00.000Z',
    updatedAt: '2026-01-05T09:00:00.000Z',
    version: 1,
  }),
  key: (r) => rewardKeys.reward(r.id),
  indexes: (r) => ({ byCollection: { pk: REWARDS, sk: r.id } }),
  fields: {
    id: field.string,
    code: field.string,
    name: field.string,
    description: field.string,
    category: field.oneOf(REWARD_CATEGORIES),
    pointsPrice: field.number,
    stock: field.optional(field.number),
    minLevel: field.oneOf(CLUB_LEVELS),
    status: field.oneOf(REWARD_STATUSES),
    voucher: field.map<VoucherTerms>(),
    createdAt: field.string,
    updatedAt: field.string,
    version: field.number,
  },
});

/** The item that claims a reward code for one reward. */
export function rewardCodeClaimItem(code: string, rewardId: string): Item {
  return { ...rewardKeys.codeClaim(code), [ENTITY_TYPE_ATTRIBUTE]: 'RewardCodeClaim', rewardId };
}

/** `Reward` global ids: the key is the reward's ULID. */
export const REWARD_NODE = nodeKey('Reward', isUlid);

/** As stored; `EXPIRED` is not a stored status but read from `expiresAt` (see `voucherStatusAt`). */
export const STORED_VOUCHER_STATUSES = ['ISSUED', 'USED', 'CANCELLED'] as const;
export type StoredVoucherStatus = (typeof STORED_VOUCHER_STATUSES)[number];

/** The visit a voucher was used on (the parts of its key). */
export interface VisitRef {
  vin: string;
  performedAt: string;
  id: string;
}

/** The redemption a voucher came from. */
export interface VoucherRedemption {
  entryId: string;
  at: string;
  codes: string[];
}

/** One unit of a redeemed reward: a single-use code with an expiry (the GraphQL `Voucher` mapper). */
export interface VoucherRecord {
  code: string;
  customerId: string;
  rewardId: string;
  /** The reward's name when redeemed (the catalogue may rename it later). */
  rewardName: string;
  /** The reward's voucher terms when redeemed: a later edit of the catalogue changes no voucher already issued. */
  kind: VoucherKind;
  discount?: VoucherDiscount;
  /** The points this unit cost. */
  points: number;
  /**
   * The ledger's REDEMPTION entry that paid for it and the codes of every unit it paid for:
   * the ledger gives a redemption back whole, so its vouchers are cancelled together.
   */
  redemption: VoucherRedemption;
  status: StoredVoucherStatus;
  issuedAt: string;
  expiresAt: string;
  usedAt?: string;
  usedOnVisit?: VisitRef;
  /** What it took off the visit's invoice (never more than the invoice). */
  discountApplied?: Money;
  cancelledAt?: string;
  cancelledBy?: Author;
}

export const voucherEntity = defineEntity<VoucherRecord>({
  name: 'Voucher',
  example: () => ({
    code: '7K3M-Q9TX-2HPS',
    customerId: '01JCUSTOMER0000000000000000',
    rewardId: '01JREWARD00000000000000000',
    rewardName: 'EUR 50 off your next oil service',
    kind: 'MAINTENANCE_DISCOUNT',
    discount: { type: 'FIXED', amount: { amountMinor: 5_000, currency: 'EUR' } },
    points: 5_000,
    redemption: { entryId: '01JENTRY000000000000000000', at: '2026-04-02T10:00:00.000Z', codes: ['7K3M-Q9TX-2HPS'] },
    status: 'ISSUED',
    issuedAt: '2026-04-02T10:00:00.000Z',
    expiresAt: '2027-04-02T10:00:00.000Z',
  }),
  key: (v) => rewardKeys.voucher(v.code),
  indexes: (v) => ({ byParent: { pk: rewardKeys.voucherParent(v.customerId), sk: rewardKeys.voucherSort(v.issuedAt, v.code) } }),
  fields: {
    code: field.string,
    customerId: field.string,
    rewardId: field.string,
    rewardName: field.string,
    kind: field.oneOf(VOUCHER_KINDS),
    discount: field.optional(field.map<VoucherDiscount>()),
    points: field.number,
    redemption: field.map<VoucherRedemption>(),
    status: field.oneOf(STORED_VOUCHER_STATUSES),
    issuedAt: field.string,
    expiresAt: field.string,
    usedAt: field.optional(field.string),
    usedOnVisit: field.optional(field.map<VisitRef>()),
    discountApplied: field.optional(field.map<Money>()),
    cancelledAt: field.optional(field.string),
    cancelledBy: field.optional(field.map<Author>()),
  },
});
