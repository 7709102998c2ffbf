import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { InvariantError } from '../shared/errors.js';

/**
 * Dealer API keys: `pdk_` + 32 random base62 characters + a 6-character base62 CRC32
 * of them, the way GitHub formats its tokens. The prefix lets secret scanners (and a
 * human reading a log) recognise a leaked Paddock key; the checksum lets us reject a
 * mistyped or made-up key without a table read.
 *
 * Only a SHA-256 of the key is stored. A slow password hash is not needed: the key has
 * ~190 bits of CSPRNG entropy, so a fast hash is as safe and keeps each request cheap.
 */
export const API_KEY_PREFIX = 'pdk_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

export const DEALER_SCOPES = ['customers:read', 'customers:write', 'vehicles:read', 'vehicles:write', 'service:write', 'club:read', 'club:events', 'offers:read', 'offers:respond'] as const;
export type DealerScope = (typeof DEALER_SCOPES)[number];

/**
 * What a write scope needs to read. Every write starts by finding the object it changes
 * (a customer to update, a car to record a visit on) through the same visibility rule as a
 * read, so a write scope without its read could never be used. We chose "write implies its
 * read" over refusing such keys at issue time because a write payload returns the changed
 * object anyway: a write-only key would not keep that data from its holder, it would only
 * fail. Recording a service visit or handling a reminder happens on a car, so
 * `service:write` needs `vehicles:read`; managing the events a dealer hosts, `club:read`.
 */
const IMPLIED_READS: Record<DealerScope, readonly DealerScope[]> = {
  'customers:read': [],
  'customers:write': ['customers:read'],
  'vehicles:read': [],
  'vehicles:write': ['vehicles:read'],
  'service:write': ['vehicles:read'],
  'club:read': [],
  // Hosting events means seeing who registered: the club memberships of the dealer's attendees.
  'club:events': ['club:read'],
  'offers:read': [],
  // Reporting a customer's answer to an offer starts from the offer: it must be readable.
  'offers:respond': ['offers:read'],
};

/**
 * The scopes a key acts with: those granted plus the reads they imply, each once, in
 * `DEALER_SCOPES` order. Applied when a key is issued (so its listing shows what it may
 * do) and when a stored key is read (so keys issued before the rule act the same way).
 *
 * @example
 * effectiveScopes(['service:write']) // ['vehicles:read', 'service:write']
 */
export function effectiveScopes(granted: readonly DealerScope[]): DealerScope[] {
  const all = new Set(granted.flatMap((scope) => [scope, ...(IMPLIED_READS[scope] ?? [])]));
  return DEALER_SCOPES.filter((scope) => all.has(scope));
}

/** The GraphQL spelling of a scope (`CUSTOMERS_READ`) and back. */
export function scopeToEnum(scope: DealerScope): string {
  return scope.replace(':', '_').toUpperCase();
}

// The schema admits only the enum's values, so an unknown one is a fault, not the caller's mistake.
export function scopeFromEnum(value: string): DealerScope {
  const scope = value.toLowerCase().replace('_', ':');
  if (!(DEALER_SCOPES as readonly string[]).includes(scope)) throw new InvariantError(`Unknown scope ${value}`);
  return scope as DealerScope;
}

function base62Checksum(body: string): string {
  let value = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62]! + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/** Random base62 without modulo bias: bytes ≥ 248 are discarded and drawn again. */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/**
 * @example
 * const key = generateApiKey(); // 'pdk_3fK…' (42 characters), shown to the dealer once
 * isWellFormedApiKey(key);      // true
 */
export function generateApiKey(): string {
  const body = randomBase62(RANDOM_LENGTH);
  return `${API_KEY_PREFIX}${body}${base62Checksum(body)}`;
}

/** Shape and checksum only: a well-formed key may still be unknown, revoked or expired. */
export function isWellFormedApiKey(key: string): boolean {
  if (!KEY_PATTERN.test(key)) return false;
  const body = key.slice(API_KEY_PREFIX.length, API_KEY_PREFIX.length + RANDOM_LENGTH);
  return key.endsWith(base62Checksum(body));
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** What may be shown of a key after it was issued: enough to recognise it, never enough to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}
