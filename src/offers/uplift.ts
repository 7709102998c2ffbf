/**
 * Treatment against control, pure: the conversion rates of an offer's treatment and
 * holdout decisions, their difference (the uplift the offer caused), a 95 % interval of
 * that difference, and what it is worth.
 *
 * The interval is Newcombe's hybrid score interval (Newcombe 1998, "Interval estimation
 * for the difference between independent proportions", method 10): a Wilson score
 * interval per arm, combined as
 *
 *   L = (p₁ − p₂) − √((p₁ − l₁)² + (u₂ − p₂)²)
 *   U = (p₁ − p₂) + √((u₁ − p₁)² + (p₂ − l₂)²)
 *
 * It behaves where the textbook Wald interval does not: small control groups (5 % of
 * customers) and rates near 0 (offers rarely convert), with zero conversions in one arm.
 */

export interface ArmCounts {
  decided: number;
  converted: number;
  valueEurMinor: number;
}

export interface Uplift {
  /** converted ÷ decided in treatment; null without treatment decisions. */
  treatmentRate: number | null;
  controlRate: number | null;
  /** treatment rate − control rate. */
  uplift: number | null;
  /** 95 % interval of the uplift (Newcombe hybrid score). */
  low: number | null;
  high: number | null;
  /** uplift × treatment decided: conversions that would not have happened without the offer. */
  incrementalConversions: number | null;
  /** incrementalConversions × the offer's value (EUR). */
  incrementalValueEur: number | null;
  /** The interval excludes 0. */
  significant: boolean;
}

/** z of a two-sided 95 % interval (Φ⁻¹(0.975)). */
export const Z_95 = 1.959963984540054;

/**
 * The Wilson score interval of a proportion `x / n` (n > 0).
 *
 * @example
 * wilson(5, 100) // { low: 0.02154…, high: 0.11175… }
 */
export function wilson(x: number, n: number, z = Z_95): { low: number; high: number } {
  const p = x / n;
  const z2 = z * z;
  const centre = (2 * n * p + z2) / (2 * (n + z2));
  const half = (z * Math.sqrt(z2 + 4 * n * p * (1 - p))) / (2 * (n + z2));
  // At x = 0 (or n) the interval touches 0 (or 1) exactly; rounding must not push it past.
  return { low: x === 0 ? 0 : centre - half, high: x === n ? 1 : centre + half };
}

/** An arm's conversions, bounded by its decisions (a decision converts once; the bound guards against a miscounted shard). */
const conversionsOf = (arm: ArmCounts) => Math.min(Math.max(0, arm.converted), arm.decided);

/**
 * The uplift of treatment over control, its 95 % interval and its value.
 *
 * @example
 * upliftOf({ decided: 1_000, converted: 120, valueEurMinor: 0 }, { decided: 100, converted: 5, valueEurMinor: 0 }, 4_000)
 * // { treatmentRate: 0.12, controlRate: 0.05, uplift: 0.07, low: 0.00548…, high: 0.10573…, incrementalConversions: 70, incrementalValueEur: 280_000, significant: true }
 */
export function upliftOf(treatment: ArmCounts, control: ArmCounts, valueEur: number): Uplift {
  const treatmentRate = treatment.decided > 0 ? conversionsOf(treatment) / treatment.decided : null;
  const controlRate = control.decided > 0 ? conversionsOf(control) / control.decided : null;
  if (treatmentRate === null || controlRate === null) {
    return { treatmentRate, controlRate, uplift: null, low: null, high: null, incrementalConversions: null, incrementalValueEur: null, significant: false };
  }
  const t = wilson(conversionsOf(treatment), treatment.decided);
  const c = wilson(conversionsOf(control), control.decided);
  const uplift = treatmentRate - controlRate;
  const low = uplift - Math.sqrt((treatmentRate - t.low) ** 2 + (c.high - controlRate) ** 2);
  const high = uplift + Math.sqrt((t.high - treatmentRate) ** 2 + (controlRate - c.low) ** 2);
  const incrementalConversions = uplift * treatment.decided;
  return { treatmentRate, controlRate, uplift, low, high, incrementalConversions, incrementalValueEur: incrementalConversions * valueEur, significant: low > 0 || high < 0 };
}
