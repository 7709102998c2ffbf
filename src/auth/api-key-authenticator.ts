import type { Clock } from '../shared/clock.js';
import { AuthenticationError } from '../shared/errors.js';
import { hashApiKey, isWellFormedApiKey } from './api-key.js';
import type { ApiKeyLookup } from '../dealer/api-key-record.js';
import type { DealerRepository } from '../dealer/dealer-repository.js';
import type { Principal } from './principal.js';

const MAX_CACHED_KEYS = 1_000;

/**
 * Authenticates dealer API keys. A key's lookup item is cached in the process for at most
 * `ttlSeconds` (≤ 60), which is therefore the bound on how long a revoked key keeps
 * working in a warm Lambda. Expiry is checked against the clock on every request.
 * `lastUsedAt` is written when the cache is refreshed, not on every request.
 */
export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, { lookup: ApiKeyLookup; fetchedAt: number }>();

  constructor(
    private readonly dealers: DealerRepository,
    private readonly options: { ttlSeconds: number; clock: Clock },
  ) {}

  async authenticate(key: string): Promise<Principal> {
    // The checksum turns away typos and made-up keys without a table read.
    if (!isWellFormedApiKey(key)) throw new AuthenticationError('Malformed API key');
    const now = this.options.clock();
    const hash = hashApiKey(key);
    const cached = this.cache.get(hash);
    let lookup = cached && now.getTime() - cached.fetchedAt < this.options.ttlSeconds * 1_000 ? cached.lookup : undefined;
    if (!lookup) {
      const found = await this.dealers.findApiKeyByHash(hash);
      if (!found) {
        this.cache.delete(hash);
        throw new AuthenticationError('Unknown API key');
      }
      lookup = found;
      this.remember(hash, found, now.getTime());
      if (!found.revokedAt) await this.dealers.touchApiKey(found.dealerId, found.id, now.toISOString());
    }
    if (lookup.revokedAt) throw new AuthenticationError('Revoked API key');
    if (lookup.expiresAt && lookup.expiresAt <= now.toISOString()) throw new AuthenticationError('Expired API key');
    return { kind: 'dealer', dealerId: lookup.dealerId, keyId: lookup.id, scopes: lookup.scopes };
  }

  private remember(hash: string, lookup: ApiKeyLookup, at: number) {
    if (this.cache.size >= MAX_CACHED_KEYS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(hash, { lookup, fetchedAt: at });
  }
}
