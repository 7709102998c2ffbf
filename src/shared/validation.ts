import { userError, type UserError } from './user-error.js';
import { CURRENCIES, parseAmountMinor, type Money } from './money.js';

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

/** A calendar date `YYYY-MM-DD` that exists (no 31 February). */
export function isValidIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

export function checkDateNotInFuture(field: string, value: string, now: Date): UserError[] {
  if (!isValidIsoDate(value)) return [userError(field, 'INVALID_DATE', 'Use a calendar date in the form YYYY-MM-DD.')];
  if (value > now.toISOString().slice(0, 10)) return [userError(field, 'IN_FUTURE', 'This date cannot be in the future.')];
  return [];
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an ISO 8601 instant with an explicit offset; `null` when it is not one. */
export function parseInstant(value: string): Date | null {
  if (!ISO_INSTANT.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** An instant that must not lie in the future; returns the parsed date when valid. */
export function checkInstantNotInFuture(field: string, value: string, now: Date): { errors: UserError[]; date?: Date } {
  const date = parseInstant(value);
  if (!date) return { errors: [userError(field, 'INVALID_DATE', 'Use an ISO 8601 date-time with offset, e.g. 2026-11-21T09:30:00Z.')] };
  if (date.getTime() > now.getTime()) return { errors: [userError(field, 'IN_FUTURE', 'This time cannot be in the future.')] };
  return { errors: [], date };
}

export function checkMoney(field: string, input: { amount: string; currency: string }): { errors: UserError[]; money?: Money } {
  if (!(CURRENCIES as readonly string[]).includes(input.currency)) {
    return { errors: [userError(`${field}.currency`, 'INVALID', `Currency must be one of ${CURRENCIES.join(', ')}.`)] };
  }
  const minor = parseAmountMinor(input.amount);
  if (minor === null) return { errors: [userError(`${field}.amount`, 'INVALID', 'Amount must be a decimal with at most two decimals, e.g. "129900.00".')] };
  if (minor < 0) return { errors: [userError(`${field}.amount`, 'NEGATIVE_AMOUNT', 'Amount cannot be negative.')] };
  return { errors: [], money: { amountMinor: minor, currency: input.currency as Money['currency'] } };
}

export function checkIntRange(field: string, value: number, min: number, max: number): UserError[] {
  return Number.isInteger(value) && value >= min && value <= max
    ? []
    : [userError(field, 'OUT_OF_RANGE', `Must be a whole number from ${min} to ${max}.`)];
}
