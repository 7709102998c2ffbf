/** ISO 4217 currencies the brand trades in. */
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'CNY'] as const;
export type Currency = (typeof CURRENCIES)[number];

/**
 * Money is stored as integer minor units (cents) so sums never drift; it is shown to
 * clients as a decimal string, as Shopify's `MoneyV2` does.
 */
export interface Money {
  amountMinor: number;
  currency: Currency;
}

/**
 * Bounds on amounts are stated in euros and scaled per currency by a generous round factor
 * (a yen is worth far less than a euro), so one bound fits a car priced in EUR or in JPY.
 * The factors are bounds, not exchange rates: they only decide what is implausibly large.
 */
const UNITS_PER_EURO_BOUND: Record<Currency, number> = { EUR: 1, USD: 1, GBP: 1, CHF: 1, CNY: 10, JPY: 200 };

/**
 * The default upper bound of any one amount, in euros: above any car, invoice or contract
 * the brand writes. At this bound an amount times a quantity of up to 1,000 is still far
 * inside `Number.MAX_SAFE_INTEGER` — past which integer arithmetic silently loses cents and
 * the DynamoDB client refuses the number — and sums are bounded as they run (`sumWithin`).
 */
export const DEFAULT_MAX_AMOUNT = 10_000_000;

/** The largest accepted amount in minor units of `currency` for a bound of `maxEuros`. */
export function maxAmountMinor(maxEuros: number, currency: Currency): number {
  return maxEuros * UNITS_PER_EURO_BOUND[currency] * 100;
}

/** Parses a decimal amount such as `"129900.50"`; `null` when it is not one (max two decimals). */
export function parseAmountMinor(amount: string): number | null {
  const match = /^(-?)(\d{1,12})(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return sign === '-' ? -minor : minor;
}

/**
 * `quantity × unitMinor`, or `null` when the product passes `maxMinor` (or is not a safe
 * integer): the caller answers OUT_OF_RANGE instead of storing a number that lost cents.
 */
export function multiplyWithin(unitMinor: number, quantity: number, maxMinor: number): number | null {
  const product = unitMinor * quantity;
  return Number.isSafeInteger(product) && product <= maxMinor ? product : null;
}

/** The sum of minor amounts, or `null` as soon as it passes `maxMinor`: a running total never leaves safe integers. */
export function sumWithin(amounts: readonly number[], maxMinor: number): number | null {
  let sum = 0;
  for (const amount of amounts) {
    sum += amount;
    if (!Number.isSafeInteger(sum) || sum > maxMinor) return null;
  }
  return sum;
}

export function formatAmount(amountMinor: number): string {
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(amountMinor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
