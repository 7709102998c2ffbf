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

/** Parses a decimal amount such as `"129900.50"`; `null` when it is not one (max two decimals). */
export function parseAmountMinor(amount: string): number | null {
  const match = /^(-?)(\d{1,12})(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return sign === '-' ? -minor : minor;
}

export function formatAmount(amountMinor: number): string {
  const sign = amountMinor < 0 ? '-' : '';
  const abs = Math.abs(amountMinor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
