import { createHash } from 'node:crypto';
import { OFFER_RULES, type OfferRules } from './offer-rules.js';

/**
 * The control group: a customer is in the holdout of an offer family when a hash of
 * (salt, family, customer id) falls below the family's share. A hash, not a random draw,
 * so the assignment is stable night after night without being stored, the same on every
 * worker, and independent between families (a customer held out of test drives still
 * gets upgrades). SHA-256 because its output is uniform whatever the ids look like (ULIDs
 * share their time prefix); a weaker hash would bias the group towards some sign-up days.
 */

/** 2⁴⁸: the draw takes the first 48 bits of the digest, exact in a double. */
const DRAW_RANGE = 2 ** 48;

/**
 * A stable draw in [0, 1) for one customer and one offer family.
 *
 * @example
 * holdoutDraw('01JCUSTOMER000000000000000', 'TEST_DRIVE') // the same number on every call, e.g. 0.4172…
 */
export function holdoutDraw(customerId: string, family: string, salt: string = OFFER_RULES.holdoutSalt): number {
  // The separator cannot occur in a family (`[A-Z0-9_]`), so no two (family, id) pairs hash the same text.
  const digest = createHash('sha256').update(`${salt}|${family}|${customerId}`, 'utf8').digest();
  return digest.readUIntBE(0, 6) / DRAW_RANGE;
}

/** The holdout share of a family, percent (`holdoutPctByFamily`, else `defaultHoldoutPct`). */
export function holdoutPctOf(family: string, rules: OfferRules = OFFER_RULES): number {
  return rules.holdoutPctByFamily[family] ?? rules.defaultHoldoutPct;
}

/**
 * Whether the customer is in the control group of the family: recorded decisions, never delivered.
 *
 * @example
 * inHoldout(customerId, 'UPGRADE') // true for about 5 % of customers, always the same ones
 */
export function inHoldout(customerId: string, family: string, rules: OfferRules = OFFER_RULES): boolean {
  return holdoutDraw(customerId, family, rules.holdoutSalt) * 100 < holdoutPctOf(family, rules);
}
