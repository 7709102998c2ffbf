import { userError, type UserError } from '../shared/user-error.js';
import { checkIntRange, checkMoney, checkText } from '../shared/validation.js';
import type { VoucherDiscount, VoucherKind, VoucherTerms } from './reward-records.js';

/** Input checks of the catalogue and of redemptions: each returns every user error it finds, nothing is written while there is one. */

export const MAX_NAME = 100;
export const MAX_DESCRIPTION = 200;
export const MAX_POINTS_PRICE = 1_000_000;
export const MAX_STOCK = 1_000_000;
export const MAX_RESTOCK = 100_000;
/** Units of one redemption: each is a voucher item of the redemption's transaction (DynamoDB takes 100 items). */
export const MAX_QUANTITY = 10;
/** Three years: longer than any points lot lives, so a voucher never outlives the programme's own horizon by much. */
export const MAX_VALID_DAYS = 1_095;
/** A voucher's money (a fixed discount, a cap) in euros, scaled per currency: above any real workshop discount. */
const MAX_VOUCHER_EUROS = 10_000;

const REWARD_CODE = /^[A-Z0-9][A-Z0-9-]{1,39}$/;

/** A reward code as stored (trimmed, capitals), with its problems. */
export function checkRewardCode(field: string, input: string): { errors: UserError[]; code: string } {
  const code = input.trim().toUpperCase();
  return { code, errors: REWARD_CODE.test(code) ? [] : [userError(field, 'INVALID', 'Use 2–40 letters, digits and dashes, starting with a letter or digit, e.g. TRACK-CAP-26.')] };
}

export interface VoucherTermsInput {
  kind: VoucherKind;
  validDays: number;
  fixedAmount?: { amount: string; currency: string } | null;
  percentOff?: number | null;
  percentCap?: { amount: string; currency: string } | null;
}

/** A positive voucher amount within the bound. */
function voucherMoney(field: string, input: { amount: string; currency: string }) {
  const checked = checkMoney(field, input, { maxEuros: MAX_VOUCHER_EUROS });
  if (checked.money && checked.money.amountMinor === 0) return { errors: [userError(`${field}.amount`, 'OUT_OF_RANGE', 'The amount must be more than 0.')] };
  return checked;
}

/**
 * Voucher terms: a maintenance discount has exactly one discount (a fixed amount, or a
 * percentage with its cap); merchandise and experiences have none.
 */
export function checkVoucherTerms(field: string, input: VoucherTermsInput): { errors: UserError[]; terms?: VoucherTerms } {
  const errors = checkIntRange(`${field}.validDays`, input.validDays, 1, MAX_VALID_DAYS);
  const fixed = input.fixedAmount ?? undefined;
  const percent = input.percentOff ?? undefined;
  const cap = input.percentCap ?? undefined;
  let discount: VoucherDiscount | undefined;
  if (input.kind !== 'MAINTENANCE_DISCOUNT') {
    if (fixed || percent !== undefined || cap) errors.push(userError(field, 'INVALID', 'Only a maintenance-discount voucher has a discount.'));
  } else if (fixed && (percent !== undefined || cap)) {
    errors.push(userError(field, 'INVALID', 'Give either a fixed amount or a percentage with its cap, not both.'));
  } else if (fixed) {
    const amount = voucherMoney(`${field}.fixedAmount`, fixed);
    errors.push(...amount.errors);
    if (amount.money) discount = { type: 'FIXED', amount: amount.money };
  } else if (percent !== undefined && cap) {
    errors.push(...checkIntRange(`${field}.percentOff`, percent, 1, 100));
    const capped = voucherMoney(`${field}.percentCap`, cap);
    errors.push(...capped.errors);
    if (capped.money) discount = { type: 'PERCENT', percent, cap: capped.money };
  } else {
    errors.push(userError(field, 'REQUIRED', 'A maintenance discount needs a fixed amount, or a percentage with its cap.'));
  }
  if (errors.length) return { errors };
  return { errors, terms: { kind: input.kind, validDays: input.validDays, ...(discount ? { discount } : {}) } };
}

/** Name, description and price of a reward, each only when given (an update leaves the others alone). */
export function checkRewardFields(input: { name?: string | null; description?: string | null; pointsPrice?: number | null }): UserError[] {
  const errors: UserError[] = [];
  if (input.name != null) errors.push(...checkText('name', input.name, { max: MAX_NAME }));
  if (input.description != null) errors.push(...checkText('description', input.description, { max: MAX_DESCRIPTION }));
  if (input.pointsPrice != null) errors.push(...checkIntRange('pointsPrice', input.pointsPrice, 1, MAX_POINTS_PRICE));
  return errors;
}
