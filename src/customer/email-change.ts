import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { defineEntity, field } from '../store/entity.js';
import { TTL_ATTRIBUTE, type Key } from '../store/table.js';
import { customerKeys } from './customer.js';

/**
 * Email changes confirmed out of band. An email address is an identity (one profile per
 * address), so "this address is taken" would tell the caller that someone else is a
 * customer. Except for admins, `updateCustomer` therefore never applies a new address:
 * it stores a pending change with the hash of a one-time token and emits
 * `CustomerEmailChangeRequested`; the mailer sends the token to the new address, and
 * `confirmEmailChange` applies it. Uniqueness is checked only then, and whoever holds that
 * mailbox already knows whether it has a profile.
 */

/** The `detail` of `CustomerEmailChangeRequested`: what the mailer needs to send the token to the new address. */
export interface CustomerEmailChangeRequested {
  customerId: string;
  email: string;
  token: string;
  expiresAt: string;
  preferredLanguage: string | null;
}

declare module '../store/outbox.js' {
  interface PaddockEvents {
    CustomerEmailChangeRequested: CustomerEmailChangeRequested;
  }
}

/** How long a confirmation link works. */
export const EMAIL_CHANGE_TTL_MS = 24 * 3600 * 1000;
/** At most one confirmation mail per customer per this period: the API must not be a way to mail strangers in bulk. */
export const EMAIL_CHANGE_COOLDOWN_MS = 60 * 1000;
/** Tokens are `<customer id>.<43 base64url characters>`; anything longer is refused before any read. */
const MAX_TOKEN_LENGTH = 100;

export interface PendingEmailChange {
  customerId: string;
  /** The address the change starts from: a change made meanwhile (by an admin) voids the request. */
  fromEmail: string;
  toEmail: string;
  tokenHash: string;
  requestedAt: string;
  expiresAt: string;
}

export const emailChangeKeys = {
  /** One pending change per customer: a new request replaces (and voids) the previous one. */
  pending: (customerId: string): Key => ({ PK: customerKeys.partition(customerId), SK: 'EMAILCHANGE' }),
};

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * A fresh one-time token (192 random bits) for a customer, and its hash (what is stored).
 *
 * @example
 * const { token, tokenHash } = newEmailChangeToken(customerId); // token goes to the mailer only
 */
export function newEmailChangeToken(customerId: string): { token: string; tokenHash: string } {
  const token = `${customerId}.${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hash(token) };
}

/** The customer a token names and its hash, or null for anything that is not a token's shape. */
export function parseEmailChangeToken(token: string): { customerId: string; tokenHash: string } | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const [customerId, secret, ...rest] = token.split('.');
  // The id part is only ever a key of one GetItem; letters and digits, bounded, are all it needs to be.
  if (!customerId || !/^[0-9A-Za-z]{1,40}$/.test(customerId) || !secret || !/^[A-Za-z0-9_-]{43}$/.test(secret) || rest.length) return null;
  return { customerId, tokenHash: hash(token) };
}

/** Whether a pending change may be applied with a token of this hash at `now` (constant-time comparison). */
export function isUsable(pending: PendingEmailChange, tokenHash: string, now: Date): boolean {
  const a = Buffer.from(pending.tokenHash, 'hex');
  const b = Buffer.from(tokenHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b) && now.toISOString() < pending.expiresAt;
}

export const pendingEmailChangeEntity = defineEntity<PendingEmailChange>({
  name: 'PendingEmailChange',
  example: () => ({ customerId: '01JCUSTOMER0000000000000000', fromEmail: 'anna.keller@example.com', toEmail: 'anna@keller.example', tokenHash: 'a'.repeat(64), requestedAt: '2026-03-01T09:30:00.000Z', expiresAt: '2026-03-02T09:30:00.000Z' }),
  key: (p) => emailChangeKeys.pending(p.customerId),
  fields: { customerId: field.string, fromEmail: field.string, toEmail: field.string, tokenHash: field.string, requestedAt: field.string, expiresAt: field.string },
  // The TTL removes forgotten requests; reads check `expiresAt` because TTL deletion is lazy.
  stored: (p) => ({ [TTL_ATTRIBUTE]: Math.floor(Date.parse(p.expiresAt) / 1000) }),
});
