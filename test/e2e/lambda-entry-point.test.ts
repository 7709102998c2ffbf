import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { generateSigningKey, localAuthEnv, signLocalToken } from '../../src/local/jwt-signer.js';
import { apiGatewayEvent, lambdaContext } from '../support/api.js';
import { createTestStore, type TestStore } from '../support/store.js';

/**
 * The deployed entry point itself (`src/handlers/graphql.ts`), configured only through
 * environment variables as Lambda configures it.
 */
describe('Module: src/handlers/graphql.ts', () => {
  let store: TestStore;
  const key = generateSigningKey();
  const saved = { ...process.env };

  beforeAll(async () => {
    store = await createTestStore();
    Object.assign(process.env, { TABLE_NAME: store.tableName, DYNAMODB_ENDPOINT: store.endpoint, PADDOCK_STAGE: 'production', ...localAuthEnv(key) });
  });
  afterAll(async () => {
    process.env = saved;
    await store.drop();
  });

  it('reads its configuration at import and answers an API Gateway v2 event', async () => {
    const { handler } = await import('../../src/handlers/graphql.js');
    const event = apiGatewayEvent({ body: JSON.stringify({ query: '{ me { role } customers(first: 1) { edges { cursor } } }' }), headers: { authorization: `Bearer ${signLocalToken(key, { role: 'analyst' })}` } });
    const result = (await handler(event, lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toMatch(/application\/json/);
    const body = JSON.parse(result.body!);
    expect(body.data).toEqual({ me: { role: 'ANALYST' }, customers: { edges: [] } });
    expect(body.errors).toBeUndefined();
    expect(body.extensions.cost).toEqual({ requestedQueryCost: expect.any(Number), actualQueryCost: expect.any(Number), limit: 20_000 });
  });

  it('masks faults outside development: a generic message and code, no internals, no stack', async () => {
    const { handler } = await import('../../src/handlers/graphql.js');
    // A real fault: the table disappears under the running function.
    await store.drop();
    const event = apiGatewayEvent({ body: JSON.stringify({ query: '{ customers(first: 1) { edges { cursor } } }' }), headers: { authorization: `Bearer ${signLocalToken(key, { role: 'admin' })}` } });
    const result = (await handler(event, lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
    const body = JSON.parse(result.body!);
    expect(body.errors).toEqual([{ message: 'Internal server error', path: ['customers'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    expect(result.body).not.toMatch(/ResourceNotFound|table|stack/i);
  });
});
