import { describe, expect, it } from 'vitest';
import { createTokenVerifier, principalFromClaims } from '../../src/auth/token-verifier.js';
import { generateSigningKey, LOCAL_AUDIENCE, LOCAL_ISSUER, signLocalToken } from '../../src/local/jwt-signer.js';
import { AuthenticationError } from '../../src/shared/errors.js';

describe('Function: principalFromClaims', () => {
  it('maps Cognito groups to the most powerful role', () => {
    expect(principalFromClaims({ sub: 's', 'cognito:groups': ['customer', 'analyst'] })).toEqual({ kind: 'analyst', subject: 's' });
    expect(principalFromClaims({ sub: 's', 'cognito:groups': ['analyst', 'admin'] })).toEqual({ kind: 'admin', subject: 's' });
    expect(principalFromClaims({ sub: 's', 'cognito:groups': ['customer'], 'custom:customerId': 'C1' })).toEqual({ kind: 'customer', subject: 's', customerId: 'C1' });
  });

  it('reads the flattened "[a b]" form an API Gateway JWT authorizer passes', () => {
    expect(principalFromClaims({ sub: 's', 'cognito:groups': '[marketing admin]' }).kind).toBe('admin');
  });

  it('refuses tokens without subject, role or customer id', () => {
    expect(() => principalFromClaims({ 'cognito:groups': ['admin'] })).toThrow(AuthenticationError);
    expect(() => principalFromClaims({ sub: 's', 'cognito:groups': ['marketing'] })).toThrow(AuthenticationError);
    expect(() => principalFromClaims({ sub: 's' })).toThrow(AuthenticationError);
    expect(() => principalFromClaims({ sub: 's', 'cognito:groups': ['customer'] })).toThrow(/customer id/);
  });
});

describe('Function: createTokenVerifier (local keys)', () => {
  const key = generateSigningKey();
  const verifier = createTokenVerifier({ kind: 'local', issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, jwks: key.publicJwks });

  it('verifies a token signed with the start-up key', async () => {
    await expect(verifier.verify(signLocalToken(key, { role: 'customer', customerId: 'C7' }))).resolves.toMatchObject({ kind: 'customer', customerId: 'C7' });
  });

  it('refuses other issuers, audiences, keys and expired tokens without any network call', async () => {
    await expect(verifier.verify(signLocalToken(key, { role: 'admin', extraClaims: { iss: 'https://evil.example' } }))).rejects.toThrow(AuthenticationError);
    await expect(verifier.verify(signLocalToken(key, { role: 'admin', extraClaims: { aud: 'other-app' } }))).rejects.toThrow(AuthenticationError);
    await expect(verifier.verify(signLocalToken(generateSigningKey(), { role: 'admin' }))).rejects.toThrow(/unknown key/);
    await expect(verifier.verify(signLocalToken(key, { role: 'admin', now: new Date(Date.now() - 7200_000), ttlSeconds: 60 }))).rejects.toThrow(AuthenticationError);
  });
});
