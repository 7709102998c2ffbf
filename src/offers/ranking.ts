import type { CustomerRecord } from '../customer/customer.js';
import type { CustomerValue } from '../value/scoring.js';
import type { OfferDefinition, OfferKind } from './catalogue.js';
import { eurText, matchingInterests } from './eligibility.js';
import type { DecisionReason } from './offer-records.js';
import { OFFER_RULES, type OfferRules } from './offer-rules.js';

/**
 * The ranking formula of `offer-rules.ts`, implemented once:
 *
 *   propensity = min(maxPropensity, base(kind) × (1 + affinity)),  score = propensity × value (EUR)
 *
 * Propensities are rounded to two decimals, as the value model's own are: the stored
 * number, the reason's arithmetic and the expected value then agree to the cent, and a
 * score does not move with float noise. Scores are compared as integer EUR cents.
 */

/** Kinds whose success is a sale: their base is the upgrade propensity. The rest live on retention (1 − churn risk). */
const SALES_KINDS: readonly OfferKind[] = ['UPGRADE', 'TEST_DRIVE', 'FINANCE_NEW', 'FINANCE_RENEWAL'];

const round2 = (v: number) => Math.round(v * 100) / 100;

/** An offer scored for one customer, with every number of the formula (for the rank reason). */
export interface ScoredOffer {
  offer: OfferDefinition;
  base: number;
  /** How the base was read: the upgrade propensity, or 1 − the churn risk. */
  baseFrom: 'upgradePropensity' | 'retention';
  /** Σ counts of the interests the offer's rules match (each key once). */
  interestCount: number;
  affinity: number;
  propensity: number;
  /** Whether `maxPropensity` cut the product. */
  capped: boolean;
  /** propensity × value, EUR cents: the score. */
  expectedValueEurMinor: number;
}

/**
 * Scores one offer for a customer with scores.
 *
 * @example
 * // upgrade propensity 0.26, 2 matching interactions (affinity 0.2), value EUR 5,000
 * scoreOffer(offer, customer, value, now) // { propensity: 0.31, expectedValueEurMinor: 155_000, … }
 */
export function scoreOffer(offer: OfferDefinition, customer: Pick<CustomerRecord, 'aggregates'>, value: Pick<CustomerValue, 'upgradePropensity' | 'churnRisk'>, now: Date, rules: OfferRules = OFFER_RULES): ScoredOffer {
  const baseFrom = SALES_KINDS.includes(offer.kind) ? 'upgradePropensity' : 'retention';
  const base = round2(baseFrom === 'upgradePropensity' ? value.upgradePropensity : 1 - value.churnRisk);
  // A key two rules match is one interest: counted once.
  const matched = new Map<string, number>();
  for (const rule of offer.eligibility.interests ?? []) for (const m of matchingInterests(rule, customer, now)) matched.set(m.key, m.count);
  const interestCount = [...matched.values()].reduce((sum, n) => sum + n, 0);
  const affinity = round2(Math.min(1, interestCount / rules.interestSaturation));
  const product = base * (1 + affinity);
  const capped = product > rules.maxPropensity;
  const propensity = round2(capped ? rules.maxPropensity : product);
  return { offer, base, baseFrom, interestCount, affinity, propensity, capped, expectedValueEurMinor: Math.round(propensity * offer.valueEur * 100) };
}

/** Best first: by score descending, ties by offer code (so every worker ranks alike). */
export function byRank(a: ScoredOffer, b: ScoredOffer): number {
  return b.expectedValueEurMinor - a.expectedValueEurMinor || (a.offer.code < b.offer.code ? -1 : a.offer.code > b.offer.code ? 1 : 0);
}

/**
 * The rank reason: the position and the formula with the customer's numbers.
 *
 * @example
 * rankReason(scored, 1, 4).detail
 * // 'rank 1 of 4: propensity 0.31 = upgrade propensity 0.26 × (1 + affinity 0.2), × EUR 5,000 = EUR 1,550'
 */
export function rankReason(s: ScoredOffer, rank: number, of: number, rules: OfferRules = OFFER_RULES): DecisionReason {
  const base = s.baseFrom === 'upgradePropensity' ? `upgrade propensity ${s.base}` : `retention ${s.base} (1 − churn risk ${round2(1 - s.base)})`;
  const product = `${base} × (1 + affinity ${s.affinity})`;
  const formula = s.capped ? `min(${rules.maxPropensity}, ${product})` : product;
  return { factor: 'rank', detail: `rank ${rank} of ${of}: propensity ${s.propensity} = ${formula}, × ${eurText(s.offer.valueEur * 100)} = ${eurText(s.expectedValueEurMinor)}` };
}
