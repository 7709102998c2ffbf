import { describe, expect, it } from 'vitest';
import { upliftOf, wilson } from '../../src/offers/uplift.js';

const arm = (decided: number, converted: number, valueEurMinor = 0) => ({ decided, converted, valueEurMinor });

describe('Uplift: treatment against the holdout', () => {
  it('matches a hand-computed cohort', () => {
    /*
     * The cohort: 1,000 treatment decisions, 120 converted; 100 holdout decisions, 5 converted; EUR 4,000 an offer.
     *
     *   p₁ = 120 / 1,000 = 0.12, p₂ = 5 / 100 = 0.05, uplift = 0.07
     *   z = 1.959964, z² = 3.841459
     *
     * Wilson, treatment: centre = (2·1000·0.12 + z²) / (2·(1000 + z²)) = 243.841459 / 2007.682918 = 0.121454
     *   half = z·√(z² + 4·1000·0.12·0.88) / 2007.682918 = 1.959964 · √426.241459 / 2007.682918
     *        = 1.959964 · 20.645616 / 2007.682918 = 0.020155
     *   l₁ = 0.101299, u₁ = 0.141609
     * Wilson, control: centre = (2·100·0.05 + z²) / (2·(100 + z²)) = 13.841459 / 207.682918 = 0.066647
     *   half = z·√(z² + 4·100·0.05·0.95) / 207.682918 = 1.959964 · √22.841459 / 207.682918
     *        = 1.959964 · 4.779274 / 207.682918 = 0.045103
     *   l₂ = 0.021544, u₂ = 0.111750
     * Newcombe hybrid score (method 10):
     *   L = 0.07 − √((0.12 − 0.101299)² + (0.111750 − 0.05)²) = 0.07 − √(0.00034973 + 0.00381306) = 0.07 − 0.064520 = 0.005480
     *   U = 0.07 + √((0.141609 − 0.12)² + (0.05 − 0.021544)²) = 0.07 + √(0.00046695 + 0.00080975) = 0.07 + 0.035731 = 0.105731
     * Incremental: 0.07 × 1,000 = 70 conversions, × EUR 4,000 = EUR 280,000. The interval excludes 0: significant.
     */
    // Act
    const u = upliftOf(arm(1_000, 120, 9_000_000), arm(100, 5, 400_000), 4_000);
    // Assess
    expect(u.treatmentRate).toBeCloseTo(0.12, 12);
    expect(u.controlRate).toBeCloseTo(0.05, 12);
    expect(u.uplift).toBeCloseTo(0.07, 12);
    expect(u.low).toBeCloseTo(0.00548, 5);
    expect(u.high).toBeCloseTo(0.105731, 5);
    expect(u.incrementalConversions).toBeCloseTo(70, 9);
    expect(u.incrementalValueEur).toBeCloseTo(280_000, 6);
    expect(u.significant).toBe(true);
    expect(wilson(120, 1_000).low).toBeCloseTo(0.101299, 5);
    expect(wilson(5, 100).high).toBeCloseTo(0.11175, 5);
  });

  it('reproduces the published intervals of Newcombe (1998), table II, method 10', () => {
    // (a)–(f): the paper's six examples, its intervals to four decimals.
    const cases: [number, number, number, number, number, number][] = [
      [56, 70, 48, 80, 0.0524, 0.3339],
      [9, 10, 3, 10, 0.1705, 0.809],
      [6, 7, 2, 7, 0.0582, 0.8062],
      [5, 56, 0, 29, -0.0381, 0.1926],
      [0, 10, 0, 20, -0.1611, 0.2775],
      [10, 10, 0, 20, 0.6791, 1],
    ];
    for (const [x1, n1, x2, n2, low, high] of cases) {
      const u = upliftOf(arm(n1, x1), arm(n2, x2), 1);
      expect(u.low, `${x1}/${n1} − ${x2}/${n2}`).toBeCloseTo(low, 4);
      expect(u.high, `${x1}/${n1} − ${x2}/${n2}`).toBeCloseTo(high, 4);
    }
  });

  it('is not significant when the interval spans 0, and negative uplift is reported as such', () => {
    // 5 % vs 6 %: the control does (insignificantly) better.
    const u = upliftOf(arm(1_000, 50), arm(100, 6), 1_000);
    expect(u.uplift).toBeCloseTo(-0.01, 12);
    expect(u.low).toBeCloseTo(-0.075847, 5);
    expect(u.high).toBeCloseTo(0.025669, 5);
    expect(u.incrementalConversions).toBeCloseTo(-10, 9);
    expect(u.incrementalValueEur).toBeCloseTo(-10_000, 6);
    expect(u.significant).toBe(false);
  });

  it('has no rates or interval for an arm without decisions', () => {
    expect(upliftOf(arm(0, 0), arm(100, 5), 1_000)).toEqual({ treatmentRate: null, controlRate: 0.05, uplift: null, low: null, high: null, incrementalConversions: null, incrementalValueEur: null, significant: false });
    expect(upliftOf(arm(100, 5), arm(0, 0), 1_000)).toMatchObject({ treatmentRate: 0.05, controlRate: null, uplift: null, significant: false });
  });

  it('bounds an arm\'s conversions by its decisions', () => {
    expect(upliftOf(arm(10, 12), arm(10, 0), 1).treatmentRate).toBe(1);
    expect(upliftOf(arm(10, 12), arm(10, 0), 1).high).toBe(1);
  });
});
