import { describe, expect, it } from 'vitest';
import { holdoutDraw, inHoldout } from '../../src/offers/holdout.js';
import { OFFER_RULES } from '../../src/offers/offer-rules.js';
import { rulesWith } from './offers-fixtures.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const base32 = (n: bigint, length: number) => Array.from({ length }, (_, i) => CROCKFORD[Number((n >> BigInt(5 * (length - 1 - i))) & 31n)]).join('');

/**
 * 100,000 customer ids shaped like the store's (ULIDs): sign-ups a minute or so apart, so
 * the ids share long time prefixes as real ones do, and a deterministic "random" part —
 * the test sees the same ids on every run, so it cannot flake.
 */
function customerIds(count: number): string[] {
  let state = 0x2545f4914f6cdd1dn;
  return Array.from({ length: count }, (_, i) => {
    state = (state * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    return base32(BigInt(1_767_225_600_000 + i * 61_000), 10) + base32(state >> 4n, 16);
  });
}

describe('Holdout assignment', () => {
  const ids = customerIds(100_000);

  it('is stable: the same draw for the same customer and family on every call, and pinned to its salt', () => {
    // Prepare
    const id = ids[0]!;
    // Act
    const draws = [holdoutDraw(id, 'UPGRADE'), holdoutDraw(id, 'UPGRADE'), holdoutDraw(id, 'UPGRADE', OFFER_RULES.holdoutSalt)];
    // Assess: a changed hash or salt would move every control group; the pinned value (the first 48 bits of
    // sha256('paddock-holdout-v1|UPGRADE|01JCUSTOMER000000000000001') ÷ 2⁴⁸) guards the function itself.
    expect(new Set(draws).size).toBe(1);
    expect(holdoutDraw('01JCUSTOMER000000000000001', 'UPGRADE')).toBe(0.6084019691176827);
    expect(holdoutDraw(id, 'UPGRADE', 'another-experiment')).not.toBe(draws[0]);
    expect(holdoutDraw(id, 'TEST_DRIVE')).not.toBe(draws[0]);
    expect(ids.slice(0, 2000).every((c) => inHoldout(c, 'UPGRADE') === inHoldout(c, 'UPGRADE'))).toBe(true);
  });

  it('draws uniformly: chi-square over 20 bins of 100,000 ULID-shaped ids stays below 43.82 (df 19, p = 0.001)', () => {
    // Act
    const draws = ids.map((id) => holdoutDraw(id, 'UPGRADE'));
    const bins = new Array<number>(20).fill(0);
    for (const draw of draws) bins[Math.floor(draw * 20)]! += 1;
    // Assess: Σ (observed − 5,000)² ÷ 5,000. The 0.999 quantile of χ²(19) is 43.82: a uniform draw exceeds it once in
    // a thousand id sets; these ids are fixed, so the outcome is too. The bins' sum is a check of the binning itself.
    const expected = ids.length / 20;
    const chiSquare = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(bins.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(chiSquare).toBeLessThan(43.82);
  });

  it('holds out 5 % of customers per family, independently between families', () => {
    // 5 % of 100,000 = 5,000, binomial standard deviation √(100,000 × 0.05 × 0.95) ≈ 69: five of them is ±345.
    const upgrade = ids.filter((id) => inHoldout(id, 'UPGRADE'));
    const testDrive = new Set(ids.filter((id) => inHoldout(id, 'TEST_DRIVE')));
    expect(upgrade.length).toBeGreaterThan(5_000 - 345);
    expect(upgrade.length).toBeLessThan(5_000 + 345);
    expect(testDrive.size).toBeGreaterThan(5_000 - 345);
    expect(testDrive.size).toBeLessThan(5_000 + 345);
    // Independent families: held out of both ≈ 0.25 % = 250, standard deviation ≈ 15.8; five of them is ±79.
    const both = upgrade.filter((id) => testDrive.has(id)).length;
    expect(both).toBeGreaterThan(250 - 79);
    expect(both).toBeLessThan(250 + 79);
  });

  it('uses a family\'s own share when the rules give one', () => {
    const rules = rulesWith({ holdoutPctByFamily: { CLUB_INVITATION: 20 } });
    const sample = ids.slice(0, 20_000);
    const club = sample.filter((id) => inHoldout(id, 'CLUB_INVITATION', rules)).length;
    // 20 % of 20,000 = 4,000 ± 5 × √(20,000 × 0.2 × 0.8) ≈ ± 283.
    expect(Math.abs(club - 4_000)).toBeLessThan(283);
    expect(sample.filter((id) => inHoldout(id, 'UPGRADE', rules))).toEqual(sample.filter((id) => inHoldout(id, 'UPGRADE')));
    expect(sample.some((id) => inHoldout(id, 'UPGRADE', rulesWith({ defaultHoldoutPct: 0 })))).toBe(false);
  });
});
