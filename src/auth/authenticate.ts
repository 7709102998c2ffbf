import { AuthenticationError } from '../shared/errors.js';
import type { ApiKeyAuthenticator } from './api-key-authenticator.js';
import type { Principal } from './principal.js';
import type { TokenVerifier } from './token-verifier.js';

export interface Authenticator {
  /** Headers with lower-case names. Throws `AuthenticationError` for anything but one valid credential. */
  authenticate(headers: Record<string, string | undefined>): Promise<Principal>;
}

/**
 * One entry point for both credentials: `Authorization: Bearer <JWT>` for the brand's
 * front-ends, `x-api-key` for dealers. Sending both is refused rather than guessed at.
 */
export function createAuthenticator(tokens: TokenVerifier, apiKeys: ApiKeyAuthenticator): Authenticator {
  return {
    async authenticate(headers) {
      const authorization = headers['authorization']?.trim();
      const apiKey = headers['x-api-key']?.trim();
      if (authorization && apiKey) throw new AuthenticationError('Send either a bearer token or an API key, not both');
      if (apiKey) return apiKeys.authenticate(apiKey);
      if (authorization) {
        const match = /^Bearer\s+(\S+)$/i.exec(authorization);
        if (!match) throw new AuthenticationError('Authorization header must be "Bearer <token>"');
        return tokens.verify(match[1]!);
      }
      throw new AuthenticationError('No credential: send a bearer token or an x-api-key header');
    },
  };
}
