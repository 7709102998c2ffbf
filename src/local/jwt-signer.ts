import { createPrivateKey, createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { CLAIMS } from '../auth/token-verifier.js';

/**
 * Local stand-in for Cognito: an RSA key pair generated at start-up signs ID tokens with
 * the same claims Cognito puts in them (`cognito:groups`, `custom:customerId`,
 * `token_use: id`), so the API verifies local and deployed tokens with the same code.
 */
export const LOCAL_ISSUER = 'https://paddock.local/issuer';
export const LOCAL_AUDIENCE = 'paddock-local';

export interface LocalSigningKey {
  kid: string;
  privateJwk: Record<string, unknown>;
  publicJwks: { keys: Record<string, unknown>[] };
}

export function generateSigningKey(): LocalSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    kid,
    privateJwk: { ...(privateKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, alg: 'RS256', use: 'sig' },
    publicJwks: { keys: [{ ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid, alg: 'RS256', use: 'sig' }] },
  };
}

export type LocalRole = 'admin' | 'analyst' | 'customer';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * @example
 * const key = generateSigningKey();
 * signLocalToken(key, { role: 'customer', customerId: '01J…' }); // 'eyJ…'
 */
export function signLocalToken(
  key: LocalSigningKey,
  { role, customerId, subject, ttlSeconds = 12 * 3600, now = new Date(), extraClaims = {} }: { role: LocalRole; customerId?: string; subject?: string; ttlSeconds?: number; now?: Date; extraClaims?: Record<string, unknown> },
): string {
  const iat = Math.floor(now.getTime() / 1000);
  const payload: Record<string, unknown> = {
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    sub: subject ?? `local-${role}`,
    token_use: 'id',
    iat,
    exp: iat + ttlSeconds,
    [CLAIMS.groups]: [role],
    ...(customerId ? { [CLAIMS.customerId]: customerId } : {}),
    ...extraClaims,
  };
  const signingInput = `${b64({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${b64(payload)}`;
  const privateKey: KeyObject = createPrivateKey({ key: key.privateJwk as never, format: 'jwk' });
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** Environment for an API process that trusts this key (what `readConfig` expects). */
export function localAuthEnv(key: LocalSigningKey): Record<string, string> {
  return { AUTH_MODE: 'local', LOCAL_JWT_ISSUER: LOCAL_ISSUER, LOCAL_JWT_AUDIENCE: LOCAL_AUDIENCE, LOCAL_JWKS: JSON.stringify(key.publicJwks) };
}

