import type { ModelLine, Powertrain } from '../catalogue/model-lines.js';
import type { ConsentChannel } from '../customer/customer.js';
import type { Segment, Tier } from '../value/model.js';

/**
 * The offer catalogue's shape: what an offer is, whom it is for, what it is worth and
 * what counts as its success. Offers are data in the table, versioned (every change is a
 * new version; decisions record the version they were made from), managed by admins
 * (`defineOffer`, `retireOffer`) and validated by `catalogue-validation.ts`.
 */
export const OFFER_KINDS = ['TEST_DRIVE', 'UPGRADE', 'FINANCE_RENEWAL', 'FINANCE_NEW', 'SERVICE_PACKAGE', 'TRACK_EXPERIENCE', 'PRODUCT', 'CLUB_INVITATION', 'SUBSCRIPTION_TRIAL'] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];

export const OFFER_STATUSES = ['ACTIVE', 'RETIRED'] as const;
export type OfferDefinitionStatus = (typeof OFFER_STATUSES)[number];

export const CONVERSION_KINDS = ['VEHICLE_REGISTERED', 'FINANCE_CONTRACT', 'INTERACTION', 'ORDER'] as const;
export type ConversionKind = (typeof CONVERSION_KINDS)[number];

/** An interest the customer must have shown: interactions whose interest key (`<LINE>|<variant or topic>`) matches, at least `minCount` within `withinDays`. */
export interface InterestRule {
  /** The model line of the interest key; absent: any line. */
  modelLine?: ModelLine;
  /** Case-insensitive text the key's variant/topic part must contain (`turbo`, `track`); absent: any. */
  detail?: string;
  minCount: number;
  withinDays: number;
}

/** Who an offer is for. Every rule present must hold; an absent rule does not constrain. */
export interface EligibilityRules {
  tiers?: Tier[];
  /** Any of the customer's segments in this list. */
  segments?: Segment[];
  /** Owns at least one car of one of these lines now. */
  ownsModelLines?: ModelLine[];
  /** Owns no car of these lines now (a Taycan test drive is for non-Taycan owners). */
  notOwnsModelLines?: ModelLine[];
  /** Owns at least one car with one of these powertrains now. */
  ownsPowertrains?: Powertrain[];
  /** Every interest rule must hold. */
  interests?: InterestRule[];
  /** A finance contract (of `financeKinds`, if given) ends between now and this many months ahead. */
  financeEndingWithinMonths?: number;
  financeKinds?: ('LOAN' | 'LEASE')[];
  /** Budget band: the highest price the customer has paid for a car, in whole EUR (inclusive bounds). */
  minSpentEur?: number;
  maxSpentEur?: number;
  /** CLV of the latest scores at least this, whole EUR. */
  minClvEur?: number;
  /** true: an active club member; false: not one (a club invitation). */
  clubMember?: boolean;
}

/** The fact that counts as the offer's success, attributed automatically within `attributionDays` of the decision. */
export interface ConversionRule {
  kind: ConversionKind;
  /** VEHICLE_REGISTERED, INTERACTION: the car's / interaction's model line in this list (absent: any). */
  modelLines?: ModelLine[];
  /** VEHICLE_REGISTERED: the variant contains this text, case-insensitive (`Turbo`). */
  variantContains?: string;
  /** FINANCE_CONTRACT: the contract kind in this list (absent: any). */
  financeKinds?: ('LOAN' | 'LEASE')[];
  /** INTERACTION: the interaction type (`TEST_DRIVE`). */
  interactionType?: string;
  /** ORDER: some line's SKU starts with this (`WAP-OIL`). */
  skuPrefix?: string;
  attributionDays: number;
}

/** One version of one offer, as stored and as decisions copy it. */
export interface OfferDefinition {
  /** Stable code, `[A-Z0-9_]{3,40}`, e.g. `TAYCAN_TEST_DRIVE`. */
  code: string;
  /** 1, 2, …: every change is a new version; the previous versions stay readable. */
  version: number;
  status: OfferDefinitionStatus;
  name: string;
  description: string;
  kind: OfferKind;
  /** The holdout group's family (control groups are per family); defaults to the kind. */
  family: string;
  eligibility: EligibilityRules;
  /** The consent the offer is delivered under: no consent on this channel, no offer (fail closed). */
  channel: ConsentChannel;
  /** Value to the brand of one conversion, whole EUR (ranking and incremental value). */
  valueEur: number;
  /** Calendar days (inclusive) the offer may be decided on. */
  validFrom: string;
  validUntil: string;
  /** At most `max` decisions of this offer per customer in any `periodDays`. */
  frequencyCap: { max: number; periodDays: number };
  /** Days after a DECLINED response before the offer may be decided for that customer again. */
  cooldownDaysAfterDecline: number;
  conversion: ConversionRule;
  /** Whether the customer's dealer is asked to follow the decision up (a call, a test-drive slot): it then appears on that dealer's follow-up list. */
  dealerFollowUp: boolean;
  /** Who made this version and when. */
  createdAt: string;
  createdBy: string;
}
