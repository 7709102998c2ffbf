import type { Money } from '../shared/money.js';
import type { Refusal } from '../store/fact-hooks.js';
import type { VoucherDiscount, VoucherRecord } from './reward-records.js';

/** Pure rules of vouchers: when one expires, what it reads as, and what it takes off an invoice. */

const DAY_MS = 86_400_000;

/** A voucher issued at `issuedAt` for `validDays` days expires at the same instant that many days later. */
export function voucherExpiry(issuedAt: string, validDays: number): string {
  return new Date(Date.parse(issuedAt) + validDays * DAY_MS).toISOString();
}

export type VoucherStatus = VoucherRecord['status'] | 'EXPIRED';

/**
 * The status a voucher has at `now`: an issued voucher past its expiry reads `EXPIRED`
 * (nothing rewrites it; the expiry is a fact of time, not an event to store).
 */
export function voucherStatusAt(voucher: Pick<VoucherRecord, 'status' | 'expiresAt'>, now: string): VoucherStatus {
  return voucher.status === 'ISSUED' && voucher.expiresAt < now ? 'EXPIRED' : voucher.status;
}

/**
 * What a discount takes off an invoice total: the fixed amount, or the percentage rounded
 * down to the minor unit and capped — never more than the total. `null` when the discount
 * is in another currency than the invoice (the brand sets no exchange rate for vouchers).
 *
 * @example
 * discountOn({ type: 'PERCENT', percent: 15, cap: { amountMinor: 10_000, currency: 'EUR' } }, { amountMinor: 45_000, currency: 'EUR' })
 * // { amountMinor: 6_750, currency: 'EUR' }
 */
export function discountOn(discount: VoucherDiscount, total: Money): Money | null {
  const ceiling = discount.type === 'FIXED' ? discount.amount : discount.cap;
  if (ceiling.currency !== total.currency) return null;
  const wanted = discount.type === 'FIXED' ? discount.amount.amountMinor : Math.floor((total.amountMinor * discount.percent) / 100);
  return { amountMinor: Math.min(wanted, ceiling.amountMinor, total.amountMinor), currency: total.currency };
}

/** The part of a visit a voucher is checked against. */
export interface VisitForVoucher {
  customerId: string;
  performedAt: string;
  total: Money;
}

/**
 * A car may stay in the workshop for days, and its owner may redeem the voucher they show
 * at pick-up while it is there: a visit performed up to this long before the voucher was
 * issued may still take it. Older visits may not — a visit recorded late with a code that
 * did not exist then would be a discount on an invoice already settled.
 */
export const VOUCHER_BEFORE_VISIT_GRACE_DAYS = 7;

/** The earliest `performedAt` of a visit a voucher issued at `issuedAt` may be used on. */
export function earliestVisitFor(issuedAt: string): string {
  return new Date(Date.parse(issuedAt) - VOUCHER_BEFORE_VISIT_GRACE_DAYS * DAY_MS).toISOString();
}

const refusal = (code: Refusal['code'], message: string): { ok: false; refusal: Refusal } => ({ ok: false, refusal: { code, message, field: 'voucherCode' } });

/**
 * Whether a voucher can be used on a visit, and the discount it gives there. A voucher of
 * someone else than the visit's owner answers exactly as an unknown code, so a code seen
 * over a counter tells nothing about whose it is.
 *
 * @example
 * voucherUse(null, visit) // { ok: false, refusal: { code: 'VOUCHER_NOT_FOUND', field: 'voucherCode', … } }
 */
export function voucherUse(voucher: VoucherRecord | null, visit: VisitForVoucher): { ok: true; discount: Money } | { ok: false; refusal: Refusal } {
  if (!voucher || voucher.customerId !== visit.customerId) return refusal('VOUCHER_NOT_FOUND', "No voucher with this code belongs to the car's owner.");
  if (voucher.status === 'USED') return refusal('VOUCHER_USED', `This voucher was used on ${voucher.usedAt?.slice(0, 10) ?? 'an earlier visit'}.`);
  if (voucher.status === 'CANCELLED') return refusal('VOUCHER_CANCELLED', 'This voucher was cancelled and its points given back.');
  if (voucher.expiresAt < visit.performedAt) return refusal('VOUCHER_EXPIRED', `This voucher expired on ${voucher.expiresAt.slice(0, 10)}, before the visit.`);
  if (visit.performedAt < earliestVisitFor(voucher.issuedAt)) return refusal('VOUCHER_NOT_APPLICABLE', `This voucher was issued on ${voucher.issuedAt.slice(0, 10)}, after the visit.`);
  if (voucher.kind !== 'MAINTENANCE_DISCOUNT' || !voucher.discount) return refusal('VOUCHER_NOT_APPLICABLE', 'Only a maintenance-discount voucher can be presented at a service visit.');
  const discount = discountOn(voucher.discount, visit.total);
  if (!discount) return refusal('VOUCHER_NOT_APPLICABLE', `This voucher is in ${voucher.discount.type === 'FIXED' ? voucher.discount.amount.currency : voucher.discount.cap.currency}; the invoice is in ${visit.total.currency}.`);
  return { ok: true, discount };
}
