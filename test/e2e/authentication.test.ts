import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken, generateSigningKey } from '../../src/local/jwt-signer.js';
import { apiGatewayEvent, createTestApi, lambdaContext, type TestApi } from '../support/api.js';
import { createDealer, issueKey } from '../support/fixtures.js';

const ME = '{ me { role } }';

describe('Lambda handler: authentication', () => {
  let api: TestApi;
  let now = new Date('2026-11-21T10:00:00Z');
  let dealerId: string;

  beforeAll(async () => {
    // Prepare: a controllable clock, no API-key cache (revocation takes effect at once)
    api = await createTestApi({ clock: () => now });
    dealerId = (await createDealer(api, 'DE-AUTH-01')).id;
  });
  afterAll(() => api.close());

  const expect401 = (res: { status: number; data?: unknown; errors?: { extensions?: { code?: string } }[] }) => {
    expect(res.status).toBe(401);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  };

  it('answers 401 with a GraphQL error when no credential is sent', async () => {
    expect401(await api.call(ME));
  });

  it('accepts each role of a valid JWT', async () => {
    for (const role of ['admin', 'analyst'] as const) {
      const res = await api.call(ME, {}, api.bearer(role));
      expect(res.status).toBe(200);
      expect(res.data?.me.role).toBe(role.toUpperCase());
    }
    const res = await api.call(ME, {}, api.bearer('customer', '01JCUSTOMERDOESNOTMATTER00'));
    expect(res.data?.me.role).toBe('CUSTOMER');
  });

  it('refuses a JWT signed by another key, an expired one, one without role, and a customer token without customer id', async () => {
    const stranger = generateSigningKey();
    expect401(await api.call(ME, {}, { authorization: `Bearer ${signLocalToken(stranger, { role: 'admin' })}` }));
    const expired = signLocalToken(api.signingKey, { role: 'admin', now: new Date(Date.now() - 3 * 3600_000), ttlSeconds: 60 });
    expect401(await api.call(ME, {}, { authorization: `Bearer ${expired}` }));
    const noRole = signLocalToken(api.signingKey, { role: 'admin', extraClaims: { 'cognito:groups': ['marketing'] } });
    expect401(await api.call(ME, {}, { authorization: `Bearer ${noRole}` }));
    expect401(await api.call(ME, {}, { authorization: `Bearer ${signLocalToken(api.signingKey, { role: 'customer' })}` }));
    const accessToken = signLocalToken(api.signingKey, { role: 'admin', extraClaims: { token_use: 'access' } });
    expect401(await api.call(ME, {}, { authorization: `Bearer ${accessToken}` }));
  });

  it('refuses a tampered JWT and a malformed Authorization header', async () => {
    const token = api.token('analyst');
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sub: 'x', 'cognito:groups': ['admin'], iss: 'https://paddock.local/issuer', aud: 'paddock-local', token_use: 'id', exp: 9999999999 })).toString('base64url');
    expect401(await api.call(ME, {}, { authorization: `Bearer ${header}.${forgedPayload}.${signature}` }));
    expect401(await api.call(ME, {}, { authorization: `Basic dXNlcjpwYXNz` }));
    expect401(await api.call(ME, {}, { authorization: 'Bearer not-a-jwt' }));
  });

  it('refuses a request carrying both a token and an API key', async () => {
    const { secret } = await issueKey(api, dealerId);
    expect401(await api.call(ME, {}, { ...api.bearer('admin'), 'x-api-key': secret }));
  });

  it('accepts a dealer key, then refuses it once revoked', async () => {
    // Prepare
    const { secret, id } = await issueKey(api, dealerId);
    const before = await api.call(ME, {}, { 'x-api-key': secret });
    expect(before.data?.me.role).toBe('DEALER');
    // Act
    const revoke = await api.call(`mutation($id: ID!) { revokeDealerApiKey(input: { id: $id }) { apiKey { revokedAt } userErrors { code } } }`, { id }, api.bearer('admin'));
    // Assess
    expect(revoke.data?.revokeDealerApiKey.apiKey.revokedAt).toBe(now.toISOString());
    expect401(await api.call(ME, {}, { 'x-api-key': secret }));
  });

  it('refuses an unknown key, a key with a wrong checksum and an expired key', async () => {
    const { secret } = await issueKey(api, dealerId, undefined, '2026-11-21T11:00:00Z');
    expect((await api.call(ME, {}, { 'x-api-key': secret })).status).toBe(200);
    const flipped = secret.slice(0, 10) + (secret[10] === 'a' ? 'b' : 'a') + secret.slice(11);
    expect401(await api.call(ME, {}, { 'x-api-key': flipped }));
    expect401(await api.call(ME, {}, { 'x-api-key': 'pdk_' + 'A'.repeat(38) }));
    now = new Date('2026-11-21T11:00:01Z');
    expect401(await api.call(ME, {}, { 'x-api-key': secret }));
  });

  it('records when a key was last used', async () => {
    const { secret, id } = await issueKey(api, dealerId);
    await api.call(ME, {}, { 'x-api-key': secret });
    const res = await api.call(`query($id: ID!) { node(id: $id) { ... on DealerApiKey { lastUsedAt prefix } } }`, { id }, api.bearer('admin'));
    expect(res.data?.node.lastUsedAt).toBe(now.toISOString());
    expect(secret.startsWith(res.data?.node.prefix)).toBe(true);
  });

  it('answers malformed GraphQL with a 400 and a clear error, never a 500', async () => {
    const syntax = await api.call('{ me { role ', {}, api.bearer('admin'));
    expect(syntax.status).toBe(400);
    expect(syntax.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknownField = await api.call('{ me { password } }', {}, api.bearer('admin'));
    expect(unknownField.status).toBe(400);
    expect(unknownField.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const notJson = (await api.handler(apiGatewayEvent({ body: '{"query": ', headers: api.bearer('admin') }), lambdaContext(), () => undefined)) as { statusCode: number };
    expect(notJson.statusCode).toBe(400);
  });

  it('refuses too deep, too aliased and too costly queries before resolving anything', async () => {
    const deep = '{ me { customer { vehicles { edges { node { owner { vehicles { edges { node { owner { vehicles { edges { node { vin } } } } } } } } } } } } } }';
    const res = await api.call(deep, {}, api.bearer('admin'));
    expect(res.status).toBe(400);
    // A refused limit keeps its own code (Apollo would report GRAPHQL_VALIDATION_FAILED); the message says which limit.
    expect(res.errors?.some((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX' && /depth 1\d exceeds the limit of 12/.test(e.message))).toBe(true);
    const aliases = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { role }`).join(' ')} }`;
    expect((await api.call(aliases, {}, api.bearer('admin'))).errors?.[0]?.message).toMatch(/aliases/);
    const costly = '{ customers(first: 100) { edges { node { vehicles(first: 100) { edges { node { odometerHistory(first: 100) { edges { node { km } } } } } } } } } }';
    expect((await api.call(costly, {}, api.bearer('admin'))).errors?.[0]?.message).toMatch(/cost/);
  });

  it('disables introspection in production', async () => {
    const res = await api.call('{ __schema { types { name } } }', {}, api.bearer('admin'));
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
  });
});
