/**
 * The decisioning rules of personalised offers, as data: how many offers a customer holds
 * at once, how long a decision stays open, the holdout (control group) share, and the
 * ranking formula's constants. Bump `version` with any change; every decision records the
 * version it was made under.
 *
 * Ranking (stated once here, implemented in `ranking.ts`):
 *
 *   base(kind)  = upgrade propensity (UPGRADE, TEST_DRIVE, FINANCE_NEW, FINANCE_RENEWAL)
 *               | 1 − churn risk    (SERVICE_PACKAGE, PRODUCT, TRACK_EXPERIENCE, CLUB_INVITATION, SUBSCRIPTION_TRIAL)
 *   affinity    = min(1, Σ counts of the customer's interests the offer's interest rules match ÷ interestSaturation)
 *   propensity  = min(maxPropensity, base × (1 + affinity))
 *   score       = propensity × the offer's value to the brand (EUR)
 *
 * The value model's propensities are already calibrated probabilities; the affinity lifts
 * an offer the customer has shown interest in (at most doubling it), so two offers of the
 * same kind rank by what the customer looked at and by what they are worth.
 */
export const OFFER_RULES: OfferRules = {
  version: 'offers-2026.1',
  /** Open decisions (treatment or holdout) a customer holds at most; new ones fill up to this. */
  maxOpenOffers: 3,
  /** Days a decision stays open for a response before it expires (capped by the offer's own validity). */
  decisionValidDays: 30,
  /** Holdout share per offer family, percent of customers (hashed, stable). A family absent here uses `defaultHoldoutPct`. */
  holdoutPctByFamily: {},
  defaultHoldoutPct: 5,
  /** Salt of the holdout hash: changing it reshuffles every control group (do it only with a new experiment). */
  holdoutSalt: 'paddock-holdout-v1',
  /** Interest counts that make the affinity 1. */
  interestSaturation: 10,
  maxPropensity: 0.95,
  /** Longest frequency-cap period, cool-down and attribution window an offer may declare (days): the book keeps entries this long. */
  maxWindowDays: 365,
  /** Shards of each offer's statistics items, so concurrent writers rarely meet on one item. */
  statsShards: 16,
};

/** The rules' shape: a test (or a later version) may change any of them. */
export interface OfferRules {
  version: string;
  maxOpenOffers: number;
  decisionValidDays: number;
  holdoutPctByFamily: Record<string, number>;
  defaultHoldoutPct: number;
  holdoutSalt: string;
  interestSaturation: number;
  maxPropensity: number;
  maxWindowDays: number;
  statsShards: number;
}
