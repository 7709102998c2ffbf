import { describe, expect, it } from 'vitest';
import { ApiKeyAuthenticator } from '../../src/auth/api-key-authenticator.js';
import { generateApiKey, hashApiKey } from '../../src/auth/api-key.js';
import type { ApiKeyLookup } from '../../src/dealer/api-key-record.js';
import type { DealerRepository } from '../../src/dealer/dealer-repository.js';
import { AuthenticationError } from '../../src/shared/errors.js';

/** An in-memory stand-in for the key table, counting reads and `lastUsedAt` writes. */
function fakeDealers(keys: Map<string, ApiKeyLookup>) {
  const calls = { reads: 0, touches: 0 };
  const repo = {
    findApiKeyByHash: async (hash: string) => {
      calls.reads++;
      const found = keys.get(hash);
      return found ? { ...found } : null;
    },
    touchApiKey: async () => {
      calls.touches++;
    },
  } as unknown as DealerRepository;
  return { repo, calls };
}

describe('Class: ApiKeyAuthenticator', () => {
  it('reads a key once per cache period, and a revocation takes effect once the period has passed', async () => {
    // Prepare
    const key = generateApiKey();
    const keys = new Map([[hashApiKey(key), { id: 'K1', dealerId: 'D1', scopes: ['customers:read'] } as ApiKeyLookup]]);
    const { repo, calls } = fakeDealers(keys);
    let now = new Date('2026-11-21T10:00:00Z');
    const auth = new ApiKeyAuthenticator(repo, { ttlSeconds: 30, clock: () => now });
    // Act
    await auth.authenticate(key);
    await auth.authenticate(key);
    keys.get(hashApiKey(key))!.revokedAt = '2026-11-21T10:00:05Z';
    now = new Date('2026-11-21T10:00:29Z');
    const stillCached = await auth.authenticate(key);
    now = new Date('2026-11-21T10:00:30Z');
    // Assess
    expect(stillCached).toMatchObject({ kind: 'dealer', dealerId: 'D1' });
    await expect(auth.authenticate(key)).rejects.toThrow('Revoked API key');
    expect(calls).toEqual({ reads: 2, touches: 1 });
  });

  it('checks expiry on every request, even from the cache', async () => {
    const key = generateApiKey();
    const { repo } = fakeDealers(new Map([[hashApiKey(key), { id: 'K1', dealerId: 'D1', scopes: [], expiresAt: '2026-11-21T10:00:10.000Z' } as ApiKeyLookup]]));
    let now = new Date('2026-11-21T10:00:00Z');
    const auth = new ApiKeyAuthenticator(repo, { ttlSeconds: 60, clock: () => now });
    await auth.authenticate(key);
    now = new Date('2026-11-21T10:00:10Z');
    await expect(auth.authenticate(key)).rejects.toThrow('Expired API key');
  });

  it('turns away malformed keys without reading the table', async () => {
    const { repo, calls } = fakeDealers(new Map());
    const auth = new ApiKeyAuthenticator(repo, { ttlSeconds: 30, clock: () => new Date() });
    await expect(auth.authenticate('pdk_short')).rejects.toThrow(AuthenticationError);
    await expect(auth.authenticate(generateApiKey())).rejects.toThrow('Unknown API key');
    expect(calls.reads).toBe(1);
  });
});
