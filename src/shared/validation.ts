import { userError, type UserError } from './user-error.js';
import { CURRENCIES, DEFAULT_MAX_AMOUNT, formatAmount, maxAmountMinor, parseAmountMinor, type Currency, type Money } from './money.js';

/**
 * Small, pure input checks shared by every mutation. Each returns the user errors it
 * found (an empty list when the value is fine), so a mutation collects them all and
 * answers once, before it writes anything.
 */

// Deliberately simple (RFC 5322 is not worth matching): one @, a dot in the domain, no spaces.
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
// E.164: a plus, a country code not starting with 0, at most 15 digits in all.
const E164 = /^\+[1-9]\d{6,14}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkEmail(field: string, email: string): UserError[] {
  return EMAIL.test(email.trim()) && email.length <= 254
    ? []
    : [userError(field, 'INVALID_EMAIL', 'Enter an email address such as name@example.com.')];
}

export function checkPhone(field: string, phone: string): UserError[] {
  return E164.test(phone) ? [] : [userError(field, 'INVALID_PHONE', 'Enter the phone number in E.164 format, e.g. +4971112345678.')];
}

export function checkText(field: string, value: string, { max, required = true }: { max: number; required?: boolean }): UserError[] {
  const trimmed = value.trim();
  if (required && trimmed.length === 0) return [userError(field, 'REQUIRED', 'This field is required.')];
  if (trimmed.length > max) return [userError(field, 'TOO_LONG', `At most ${max} characters.`)];
  return [];
}

/** Dates and instants before 1900 or after 9999 are typos, and years past 9999 do not sort as strings. */
const MIN_YEAR = 1900;
const MAX_YEAR = 9999;

/**
 * A calendar date `YYYY-MM-DD` that exists (no 31 February) in years 1900–9999. The year
 * bound matters beyond typos: `Date.UTC` maps years 0–99 to 1900–1999, so "0000-01-01"
 * would be planned as 1901.
 */
export function isValidIsoDate(value: string): boolean {
  return isoDateProblem(value) === null;
}

/** Why a `YYYY-MM-DD` string is not a date we accept: not a real date, or outside 1900–9999. */
function isoDateProblem(value: string): 'INVALID_DATE' | 'OUT_OF_RANGE' | null {
  if (!ISO_DATE.test(value)) return 'INVALID_DATE';
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || !date.toISOString().startsWith(value)) return 'INVALID_DATE';
  const year = Number(value.slice(0, 4));
  return year < MIN_YEAR || year > MAX_YEAR ? 'OUT_OF_RANGE' : null;
}

export function checkDateNotInFuture(field: string, value: string, now: Date): UserError[] {
  const problem = isoDateProblem(value);
  if (problem === 'INVALID_DATE') return [userError(field, 'INVALID_DATE', 'Use a calendar date in the form YYYY-MM-DD.')];
  if (problem === 'OUT_OF_RANGE') return [userError(field, 'OUT_OF_RANGE', `Dates run from ${MIN_YEAR} to ${MAX_YEAR}.`)];
  if (value > now.toISOString().slice(0, 10)) return [userError(field, 'IN_FUTURE', 'This date cannot be in the future.')];
  return [];
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
/** Real offsets run from −12:00 to +14:00; anything beyond ±14:00 is a typo or a probe. */
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * Parses an ISO 8601 instant with an explicit offset; `null` when it is not one.
 *
 * Every part is checked before `Date` sees it, because `Date` rolls impossible values
 * over instead of refusing them: `2026-02-30T12:00:00Z` would become 2 March and
 * `T24:00` the next day, silently storing a time the caller never meant.
 *
 * @example
 * parseInstant('2026-11-21T10:30:00+01:00') // 2026-11-21T09:30:00.000Z
 * parseInstant('2026-02-30T12:00:00Z')      // null (no 30 February)
 * parseInstant('2026-11-21T24:00:00Z')      // null (hours run 00–23)
 */
export function parseInstant(value: string): Date | null {
  const match = ISO_INSTANT.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '0', offsetHours = '0', offsetMinutes = '0'] = match;
  if (!isValidIsoDate(`${year}-${month}-${day}`)) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  if (Number(offsetMinutes) > 59 || Number(offsetHours) * 60 + Number(offsetMinutes) > MAX_OFFSET_MINUTES) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  // The offset may move the instant across a year boundary: check the year it is stored in too.
  const years = [Number(year), date.getUTCFullYear()];
  return years.every((y) => y >= MIN_YEAR && y <= MAX_YEAR) ? date : null;
}

/** An ISO 8601 instant with offset, as a form field; returns the parsed date when valid. */
export function checkInstant(field: string, value: string): { errors: UserError[]; date?: Date } {
  const date = parseInstant(value);
  if (!date) return { errors: [userError(field, 'INVALID_DATE', 'Use an existing ISO 8601 date-time with offset, e.g. 2026-11-21T09:30:00Z.')] };
  return { errors: [], date };
}

/** An instant that must not lie in the future; returns the parsed date when valid. */
export function checkInstantNotInFuture(field: string, value: string, now: Date): { errors: UserError[]; date?: Date } {
  const checked = checkInstant(field, value);
  if (checked.date && checked.date.getTime() > now.getTime()) return { errors: [userError(field, 'IN_FUTURE', 'This time cannot be in the future.')] };
  return checked;
}

/**
 * A money input: a known currency and a non-negative amount of at most `maxEuros` (scaled
 * for the currency, see `maxAmountMinor`). Too large is OUT_OF_RANGE on `<field>.amount`.
 */
export function checkMoney(field: string, input: { amount: string; currency: string }, { maxEuros = DEFAULT_MAX_AMOUNT }: { maxEuros?: number } = {}): { errors: UserError[]; money?: Money } {
  if (!(CURRENCIES as readonly string[]).includes(input.currency)) {
    return { errors: [userError(`${field}.currency`, 'INVALID', `Currency must be one of ${CURRENCIES.join(', ')}.`)] };
  }
  const currency = input.currency as Currency;
  const minor = parseAmountMinor(input.amount);
  if (minor === null) return { errors: [userError(`${field}.amount`, 'INVALID', 'Amount must be a decimal with at most two decimals, e.g. "129900.00".')] };
  if (minor < 0) return { errors: [userError(`${field}.amount`, 'NEGATIVE_AMOUNT', 'Amount cannot be negative.')] };
  const max = maxAmountMinor(maxEuros, currency);
  if (minor > max) return { errors: [amountOutOfRange(`${field}.amount`, max, currency)] };
  return { errors: [], money: { amountMinor: minor, currency } };
}

/** The one answer for an amount or a computed total past its bound. */
export function amountOutOfRange(field: string, maxMinor: number, currency: Currency, what = 'This amount'): UserError {
  return userError(field, 'OUT_OF_RANGE', `${what} may be at most ${formatAmount(maxMinor)} ${currency}.`);
}

export function checkIntRange(field: string, value: number, min: number, max: number): UserError[] {
  return Number.isInteger(value) && value >= min && value <= max
    ? []
    : [userError(field, 'OUT_OF_RANGE', `Must be a whole number from ${min} to ${max}.`)];
}
