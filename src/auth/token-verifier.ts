import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import type { AuthConfig } from '../config.js';
import { AuthenticationError } from '../shared/errors.js';
import type { Principal } from './principal.js';

/** Claims Paddock reads from an ID token (Cognito's names, mimicked by local tokens). */
export const CLAIMS = { groups: 'cognito:groups', customerId: 'custom:customerId' } as const;

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/**
 * Turns verified claims into a principal. A user in several groups gets the most
 * powerful role; a customer token without a customer id is refused rather than guessed.
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const raw = claims[CLAIMS.groups];
  // API Gateway's JWT authorizer flattens lists to "[a b]"; accept both forms.
  const groups = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean) : [];
  const subject = String(claims.sub ?? '');
  if (!subject) throw new AuthenticationError('Token has no subject');
  if (groups.includes('admin')) return { kind: 'admin', subject };
  if (groups.includes('analyst')) return { kind: 'analyst', subject };
  if (groups.includes('customer')) {
    const customerId = claims[CLAIMS.customerId];
    if (typeof customerId !== 'string' || !customerId) throw new AuthenticationError('Customer token carries no customer id');
    return { kind: 'customer', subject, customerId };
  }
  throw new AuthenticationError('Token grants no Paddock role');
}

/** Verifies ID tokens: Cognito's in AWS, the locally generated key's elsewhere. Built once per process. */
export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  if (config.kind === 'cognito') {
    const verifier = CognitoJwtVerifier.create({ userPoolId: config.userPoolId, clientId: config.clientId, tokenUse: 'id' });
    return {
      async verify(token) {
        try {
          return principalFromClaims(await verifier.verify(token));
        } catch (cause) {
          throw cause instanceof AuthenticationError ? cause : new AuthenticationError('Invalid or expired token', { cause });
        }
      },
    };
  }
  const verifier = JwtVerifier.create({
    issuer: config.issuer,
    audience: config.audience,
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== 'id') throw new AuthenticationError('Not an ID token');
    },
  });
  verifier.cacheJwks(config.jwks as never);
  const knownKids = new Set(config.jwks.keys.map((k) => k.kid));
  return {
    async verify(token) {
      // A token signed by an unknown key would make the verifier try to download the
      // issuer's JWKS; locally there is nothing to download, so refuse it up front.
      const kid = kidOf(token);
      if (!kid || !knownKids.has(kid)) throw new AuthenticationError('Token signed by an unknown key');
      try {
        return principalFromClaims(await verifier.verify(token));
      } catch (cause) {
        throw cause instanceof AuthenticationError ? cause : new AuthenticationError('Invalid or expired token', { cause });
      }
    },
  };
}

function kidOf(token: string): string | null {
  try {
    const header: unknown = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null && typeof (header as { kid?: unknown }).kid === 'string' ? (header as { kid: string }).kid : null;
  } catch {
    return null;
  }
}
