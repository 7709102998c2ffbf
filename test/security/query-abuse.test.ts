import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { buildClientSchema, buildSchema, getIntrospectionQuery, Kind, parse, type FragmentDefinitionNode, type IntrospectionQuery, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { typeDefs } from '../../src/graphql/__generated__/type-defs.js';
import { DEFAULT_LIMITS, MAX_REQUEST_BODY_BYTES, measureOperation } from '../../src/graphql/limits.js';
import { createRuntime } from '../../src/graphql/runtime.js';
import { localAuthEnv, signLocalToken } from '../../src/local/jwt-signer.js';
import { startLocalServer } from '../../src/local/local-server.js';
import { createLogger } from '../../src/shared/logger.js';
import { apiGatewayEvent, createTestApi, lambdaContext, type TestApi } from '../support/api.js';
import { createCustomer } from '../support/fixtures.js';

/** `query Q { ...F0 }`, each fragment spreading the next twice: 2^levels expansions (issue 8, item 1). */
function fragmentBomb(levels: number): string {
  let query = 'query Q { ...F0 }';
  for (let i = 0; i < levels; i++) query += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`;
  return `${query} fragment F${levels} on Query { __typename }`;
}

const NESTED_HISTORY = (first: string) =>
  `{ customers(first:50){ edges { node { serviceHistory${first} { edges { node { vehicle { serviceHistory${first} { edges { node { id }}}}}}}}}}}`;

/**
 * One wrong name per kind of schema element graphql-js would suggest a correction for,
 * in the query text and in variables (issue 8, item 3).
 */
const MISSPELLINGS: { kind: string; query: string; variables?: Record<string, unknown> }[] = [
  { kind: 'field', query: '{ me { rol } }' },
  { kind: 'argument', query: '{ customers(frst: 1) { edges { cursor } } }' },
  { kind: 'enum value', query: '{ kpis(scope: BRAN, period: "2026-01") { period } }' },
  { kind: 'enum value in variables', query: 'query($s: KpiScope!) { kpis(scope: $s, period: "2026-01") { period } }', variables: { s: 'BRAN' } },
  { kind: 'input field', query: 'mutation { dismissReminder(input: { id: "x", reasn: "sold" }) { userErrors { code } } }' },
  { kind: 'input field in variables', query: 'mutation($i: DismissReminderInput!) { dismissReminder(input: $i) { userErrors { code } } }', variables: { i: { id: 'x', reason: 'sold', reasn: 'sold' } } },
  { kind: 'type', query: '{ node(id: "x") { ... on Custmer { id } } }' },
];

describe('Security: query abuse', () => {
  let api: TestApi;
  let dev: TestApi;

  beforeAll(async () => {
    [api, dev] = await Promise.all([createTestApi(), createTestApi({ stage: 'development' })]);
  });
  afterAll(async () => {
    await Promise.all([api?.close(), dev?.close()]);
  });

  describe('fragment bomb', () => {
    it('refuses it before execution with QUERY_TOO_COMPLEX, its requested cost and the limit', async () => {
      // Act: 2^23 expansions in under 1 kB
      const res = await api.call(fragmentBomb(23), undefined, api.bearer('admin'));
      // Assess
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: { requestedQueryCost: 2 ** 23, limit: DEFAULT_LIMITS.maxCost } });
    });

    it('costs work linear in the document, not in the expansion', () => {
      // Prepare: the same measurement the validation rule makes, on the real schema
      const schema = buildSchema(typeDefs);
      const measure = (levels: number) => {
        const document = parse(fragmentBomb(levels));
        const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
        const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
        return measureOperation(schema, fragments, operation, DEFAULT_LIMITS);
      };
      // Act
      const [small, large] = [measure(23), measure(60)];
      // Assess: one visit per selection in the document (1 + 2 per level + 1)
      expect(small.visited).toBe(1 + 23 * 2 + 1);
      expect(large.visited).toBe(1 + 60 * 2 + 1);
      expect(large.cost).toBe(Number.MAX_SAFE_INTEGER);
    });

    it('refuses a document with more selections than the cap', async () => {
      const query = `{ ${Array.from({ length: DEFAULT_LIMITS.maxSelections + 1 }, (_, i) => `__typename`).join(' ')} }`;
      const res = await api.call(query, undefined, api.bearer('admin'));
      expect(res.errors?.map((e) => e.extensions?.code)).toContain('QUERY_TOO_COMPLEX');
      expect(res.errors?.map((e) => e.message)).toContain(`Query has more than ${DEFAULT_LIMITS.maxSelections} selections.`);
    });
  });

  it(`refuses more than ${DEFAULT_LIMITS.maxAliases} aliases`, async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { role }`).join(' ')} }`;
    expect((await api.call(aliases(DEFAULT_LIMITS.maxAliases), undefined, api.bearer('admin'))).errors).toBeUndefined();
    const res = await api.call(aliases(DEFAULT_LIMITS.maxAliases + 1), undefined, api.bearer('admin'));
    expect(res.errors).toEqual([
      expect.objectContaining({ message: `Query uses ${DEFAULT_LIMITS.maxAliases + 1} aliases; the limit is ${DEFAULT_LIMITS.maxAliases}.`, extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' }) }),
    ]);
  });

  it(`refuses a depth above ${DEFAULT_LIMITS.maxDepth}`, async () => {
    // Prepare: car → owner → their cars → owner …, with pages of one
    const hop = (inner: string) => `owner { vehicles(first: 1) { edges { node { ${inner} } } } }`;
    const within = `{ vehicle(vin: "WP0ZZZ99ZTS100001") { ${hop(hop('owner { address { city } }'))} } }`; // depth 12
    const beyond = `{ vehicle(vin: "WP0ZZZ99ZTS100001") { ${hop(hop(hop('id')))} } }`; // depth 14
    // Act
    const [ok, refused] = await Promise.all([api.call(within, undefined, api.bearer('admin')), api.call(beyond, undefined, api.bearer('admin'))]);
    // Assess
    expect(ok.errors).toBeUndefined();
    expect(refused.errors).toEqual([
      { message: `Query depth 14 exceeds the limit of ${DEFAULT_LIMITS.maxDepth}.`, extensions: { code: 'QUERY_TOO_COMPLEX', depth: { requested: 14, limit: DEFAULT_LIMITS.maxDepth } } },
    ]);
  });

  it('refuses an HTTP batch (an array of operations) cleanly: batching is off', async () => {
    const body = JSON.stringify([{ query: '{ me { role } }' }, { query: '{ me { role } }' }]);
    const raw = (await api.handler(apiGatewayEvent({ body, headers: api.bearer('admin') }), lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
    expect(raw.statusCode).toBe(400);
    expect(JSON.parse(raw.body!)).toEqual({ errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }] });
  });

  describe('cost', () => {
    it('costs the nested service history without `first` as with `first: 20` written out, and refuses it (issue 8, item 8)', async () => {
      // Act
      const [implicit, explicit] = await Promise.all([api.call(NESTED_HISTORY(''), undefined, api.bearer('admin')), api.call(NESTED_HISTORY('(first: 20)'), undefined, api.bearer('admin'))]);
      // Assess
      const cost = (res: typeof implicit) => (res.errors?.[0]?.extensions as { cost?: { requestedQueryCost: number } } | undefined)?.cost?.requestedQueryCost;
      expect(implicit.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect(cost(implicit)).toBe(cost(explicit));
      expect(cost(implicit)).toBeGreaterThan(DEFAULT_LIMITS.maxCost);
    });

    it('never lets a page size the resolver refuses lower the cost: a negative `first` beside an expensive query is still refused', async () => {
      // Prepare: a negative literal page size on a field that never runs (the node is null), beside a query over the limit
      const expensive = '{ customers(first:100){ edges { node { serviceHistory(first:100) { edges { node { id vehicle { serviceHistory(first:100){ edges { node { id kind } } } } } } } } } } }';
      const query = `{ x: node(id: "nope") { ... on Customer { serviceHistory(first: -2000000000) { edges { node { id } } } } } ${expensive.slice(1)}`;
      // Act
      const res = await api.call(query, undefined, api.bearer('admin'));
      // Assess
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      const cost = (res.errors?.[0]?.extensions as { cost: { requestedQueryCost: number } }).cost.requestedQueryCost;
      expect(cost).toBeGreaterThan(DEFAULT_LIMITS.maxCost);
    });

    it('reports requested, actual and limit in extensions.cost of a successful response; actual counts what was returned', async () => {
      // Prepare: two customers, a page of ten asked for
      await createCustomer(api, api.bearer('admin'));
      await createCustomer(api, api.bearer('admin'));
      // Act
      const res = await api.call('{ customers(first: 10) { edges { node { id firstName } } } }', undefined, api.bearer('admin'));
      // Assess: requested 1 + 10 × (edges 1 + node 1 + 2 fields); actual 1 + edges 1 + 2 × (node 1 + 2 fields)
      expect(res.errors).toBeUndefined();
      expect(res.data?.customers.edges).toHaveLength(2);
      expect(JSON.parse(res.raw.body!).extensions.cost).toEqual({ requestedQueryCost: 1 + 10 * 4, actualQueryCost: 1 + 1 + 2 * 3, limit: DEFAULT_LIMITS.maxCost });
      // Apollo validates a document once and caches it; the cost is still reported the second time.
      const again = await api.call('{ customers(first: 10) { edges { node { id firstName } } } }', undefined, api.bearer('admin'));
      expect(JSON.parse(again.raw.body!).extensions.cost).toEqual(JSON.parse(res.raw.body!).extensions.cost);
    });

    it('reports the requested cost and the limit on a refused response too, with an actual cost of 0', async () => {
      const res = await api.call(NESTED_HISTORY(''), undefined, api.bearer('admin'));
      const body = JSON.parse(res.raw.body!);
      expect(body.extensions.cost).toEqual({ requestedQueryCost: expect.any(Number), actualQueryCost: 0, limit: DEFAULT_LIMITS.maxCost });
      expect(body.extensions.cost.requestedQueryCost).toBeGreaterThan(DEFAULT_LIMITS.maxCost);
    });

    it('reports the cost of a mutation', async () => {
      const res = await api.call('mutation { dismissReminder(input: { id: "x", reason: "sold" }) { userErrors { code } } }', undefined, api.bearer('admin'));
      expect(JSON.parse(res.raw.body!).extensions.cost).toEqual({ requestedQueryCost: expect.any(Number), actualQueryCost: expect.any(Number), limit: DEFAULT_LIMITS.maxCost });
    });
  });

  describe('schema suggestions', () => {
    it.each(MISSPELLINGS)('hides "Did you mean" for a misspelt $kind in production', async ({ query, variables }) => {
      const res = await api.call(query, variables, api.bearer('admin'));
      expect(res.errors?.length).toBeGreaterThan(0);
      expect(res.raw.body).not.toMatch(/did you mean/i);
      for (const error of res.errors!) expect(['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']).toContain(error.extensions?.code);
    });

    it.each(MISSPELLINGS)('keeps "Did you mean" for a misspelt $kind in development', async ({ query, variables }) => {
      const res = await dev.call(query, variables, dev.bearer('admin'));
      expect(res.errors?.map((e) => e.message).join('\n')).toMatch(/Did you mean/);
    });
  });

  describe('operations the API does not offer', () => {
    it('answers a subscription as the caller\'s mistake (GRAPHQL_VALIDATION_FAILED), not a masked fault', async () => {
      const res = await api.call('subscription { me { role } }', undefined, api.bearer('admin'));
      expect(res.data).toBeUndefined();
      expect(res.errors?.map((e) => [e.message, e.extensions?.code])).toEqual([['This API has no subscription operations.', 'GRAPHQL_VALIDATION_FAILED']]);
    });

    it('answers an automatic persisted query, matching hash or not, with PERSISTED_QUERY_NOT_SUPPORTED', async () => {
      for (const body of [{ query: '{ me { role } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }, { extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }]) {
        const raw = (await api.handler(apiGatewayEvent({ body: JSON.stringify(body), headers: api.bearer('admin') }), lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
        expect(JSON.parse(raw.body!).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
      }
    });
  });

  describe('request size', () => {
    const oversized = JSON.stringify({ query: `{ me { role } }${' '.repeat(5 * 1024 * 1024)}` });
    const tooLarge = { errors: [{ message: `Request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes: MAX_REQUEST_BODY_BYTES } }] };

    it('the Lambda handler answers a body above the limit with 413 and a GraphQL-shaped error, base64 or not', async () => {
      for (const event of [apiGatewayEvent({ body: oversized, headers: api.bearer('admin') }), { ...apiGatewayEvent({ body: Buffer.from(oversized).toString('base64'), headers: api.bearer('admin') }), isBase64Encoded: true }]) {
        const raw = (await api.handler(event, lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
        expect(raw.statusCode).toBe(413);
        expect(JSON.parse(raw.body!)).toEqual(tooLarge);
      }
    });

    it('the Lambda handler answers a body that is not JSON with a GraphQL-shaped 400, as the local server does', async () => {
      const raw = (await api.handler(apiGatewayEvent({ body: 'not json', headers: api.bearer('admin') }), lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
      expect(raw.statusCode).toBe(400);
      expect(raw.headers?.['content-type']).toMatch(/application\/json/);
      expect(JSON.parse(raw.body!)).toEqual({ errors: [{ message: 'Body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    });

    it('the Lambda handler still answers a body just under the limit', async () => {
      const body = JSON.stringify({ query: `{ me { role } }${' '.repeat(MAX_REQUEST_BODY_BYTES - 100)}` });
      const raw = (await api.handler(apiGatewayEvent({ body, headers: api.bearer('admin') }), lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
      expect(raw.statusCode).toBe(200);
      expect(JSON.parse(raw.body!).data).toEqual({ me: { role: 'ADMIN' } });
    });

    describe('local server', () => {
      let server: Awaited<ReturnType<typeof startLocalServer>>;
      let headers: Record<string, string>;

      beforeAll(async () => {
        const config = readConfig({ TABLE_NAME: dev.store.tableName, DYNAMODB_ENDPOINT: dev.store.endpoint, PADDOCK_STAGE: 'development', ...localAuthEnv(dev.signingKey) });
        const runtime = createRuntime(config, { doc: dev.store.doc, logger: createLogger({}, { level: 'error', write: () => true }) });
        server = await startLocalServer(runtime, { port: 0 });
        headers = { 'content-type': 'application/json', authorization: `Bearer ${signLocalToken(dev.signingKey, { role: 'admin' })}` };
      });
      afterAll(async () => {
        await server?.stop();
      });

      it('answers a 5 MB body with 413 and a GraphQL-shaped error instead of resetting the connection', async () => {
        const res = await fetch(server.url, { method: 'POST', headers, body: oversized });
        expect(res.status).toBe(413);
        expect(await res.json()).toEqual(tooLarge);
      });

      it('answers a body without a declared length that grows past the limit with 413 too', async () => {
        const chunks = [Buffer.from(oversized.slice(0, 1_000_000)), Buffer.from(oversized.slice(1_000_000, 2_000_000))];
        const body = new ReadableStream({
          pull(controller) {
            const next = chunks.shift();
            if (next) controller.enqueue(next);
            else controller.close();
          },
        });
        const res = await fetch(server.url, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
        expect(res.status).toBe(413);
        expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
      });

      it('still serves the next request', async () => {
        const res = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query: '{ me { role } }' }) });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { data: unknown }).data).toEqual({ me: { role: 'ADMIN' } });
      });

      it("lets graphql-js's own introspection query through in development, and a client schema builds from it (issue 15)", async () => {
        const res = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query: getIntrospectionQuery() }) });
        const body = (await res.json()) as { data: IntrospectionQuery; errors?: unknown };
        expect(body.errors).toBeUndefined();
        expect(buildClientSchema(body.data).getType('Customer')).toBeDefined();
      });
    });
  });
});
