import { describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, DEALER_SCOPES, displayPrefix, effectiveScopes, generateApiKey, hashApiKey, isWellFormedApiKey, scopeFromEnum, scopeToEnum } from '../../src/auth/api-key.js';

describe('Dealer API keys', () => {
  it('are recognisable, 42 characters long, base62 and carry a valid checksum', () => {
    const key = generateApiKey();
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(key).toMatch(/^pdk_[0-9A-Za-z]{38}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
  });

  it('are different every time (CSPRNG)', () => {
    const keys = new Set(Array.from({ length: 1000 }, generateApiKey));
    expect(keys.size).toBe(1000);
  });

  it('fail the checksum when any character of the random part changes', () => {
    const key = generateApiKey();
    for (const position of [4, 15, 35]) {
      const ch = key[position] === 'a' ? 'b' : 'a';
      expect(isWellFormedApiKey(key.slice(0, position) + ch + key.slice(position + 1))).toBe(false);
    }
    expect(isWellFormedApiKey(key.replace(API_KEY_PREFIX, 'ghp_'))).toBe(false);
    expect(isWellFormedApiKey(key.slice(0, -1))).toBe(false);
  });

  it('are stored as a SHA-256 hex digest and shown only by a short prefix', () => {
    const key = generateApiKey();
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).toBe(hashApiKey(key));
    expect(displayPrefix(key)).toBe(key.slice(0, 10));
  });

  it('act with the read each write scope needs, each scope once, in a fixed order', () => {
    expect(effectiveScopes(['customers:write'])).toEqual(['customers:read', 'customers:write']);
    expect(effectiveScopes(['vehicles:write'])).toEqual(['vehicles:read', 'vehicles:write']);
    expect(effectiveScopes(['service:write'])).toEqual(['vehicles:read', 'service:write']);
    expect(effectiveScopes(['customers:read'])).toEqual(['customers:read']);
    expect(effectiveScopes(['service:write', 'vehicles:read', 'service:write'])).toEqual(['vehicles:read', 'service:write']);
    expect(effectiveScopes([...DEALER_SCOPES].reverse())).toEqual([...DEALER_SCOPES]);
    expect(effectiveScopes([])).toEqual([]);
  });

  it('leave no scope that can never be used: every write scope comes with a read', () => {
    for (const scope of DEALER_SCOPES.filter((s) => s.endsWith(':write'))) {
      expect(effectiveScopes([scope]).some((s) => s.endsWith(':read'))).toBe(true);
    }
  });

  it('map scopes between storage and GraphQL spellings', () => {
    expect(scopeToEnum('customers:read')).toBe('CUSTOMERS_READ');
    expect(scopeFromEnum('VEHICLES_WRITE')).toBe('vehicles:write');
    expect(() => scopeFromEnum('ADMIN_ALL')).toThrow();
  });
});
