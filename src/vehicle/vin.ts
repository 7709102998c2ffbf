/**
 * Vehicle identification numbers (ISO 3779).
 *
 * 17 characters from A–Z and 0–9 without I, O and Q (they read like 1 and 0). North
 * American VINs (first character 1–5) carry a check digit at position 9, computed from
 * the transliterated characters and fixed weights (49 CFR 565); European VINs, the
 * brand's home market, usually carry a filler such as `Z` there, so the check digit is
 * verified only for VINs that must carry one, and for any VIN whose 9th character is a
 * digit or `X` — a car imported to North America keeps the check digit it was built with.
 */
const VIN_PATTERN = /^[A-HJ-NPR-Z0-9]{17}$/;

const TRANSLITERATION: Record<string, number> = {
  A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8,
  J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9,
  S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9,
};
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

export type VinProblem = 'INVALID_VIN' | 'VIN_CHECK_DIGIT_MISMATCH';

export function normaliseVin(vin: string): string {
  return vin.trim().toUpperCase();
}

/** The check digit a VIN should carry at position 9 ('0'–'9' or 'X'). */
export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const ch = vin[i]!;
    const value = /\d/.test(ch) ? Number(ch) : (TRANSLITERATION[ch] ?? 0);
    sum += value * WEIGHTS[i]!;
  }
  const remainder = sum % 11;
  return remainder === 10 ? 'X' : String(remainder);
}

/** Whether this VIN is expected to carry a check digit at position 9. */
function carriesCheckDigit(vin: string): boolean {
  const region = vin[0]!;
  const ninth = vin[8]!;
  return /[1-5]/.test(region) || /[0-9X]/.test(ninth);
}

/**
 * @returns `null` for a valid VIN, else what is wrong with it.
 * @example
 * validateVin('1M8GDM9AXKP042788') // null (North American, check digit X)
 * validateVin('WP0ZZZ99ZTS392124') // null (European, filler Z at position 9)
 * validateVin('1M8GDM9A1KP042788') // 'VIN_CHECK_DIGIT_MISMATCH'
 */
export function validateVin(vin: string): VinProblem | null {
  if (!VIN_PATTERN.test(vin)) return 'INVALID_VIN';
  if (carriesCheckDigit(vin) && vin[8] !== vinCheckDigit(vin)) return 'VIN_CHECK_DIGIT_MISMATCH';
  return null;
}
