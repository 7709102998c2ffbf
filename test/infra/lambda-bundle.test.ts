import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metafile } from 'esbuild';
import { GRAPHQL_ENTRY } from '../../infra/bundling.js';
import { generateSigningKey, localAuthEnv, signLocalToken } from '../../src/local/jwt-signer.js';
import { apiGatewayEvent } from '../support/api.js';
import { buildLambdaBundle, duplicatePackages, invokeBundleInFreshProcess, packageCopies } from '../support/lambda-bundle.js';
import { createTestStore, type TestStore } from '../support/store.js';

/**
 * The GraphQL function as deployed: built with the CDK stacks' esbuild options (with the
 * source map the stacks ship), then run in a fresh Node process as Lambda runs it.
 */
describe('Bundle: GraphQL Lambda function', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'paddock-bundle-'));
  const key = generateSigningKey();
  let bundle: { path: string; metafile: Metafile };
  let store: TestStore;

  beforeAll(async () => {
    [bundle, store] = await Promise.all([buildLambdaBundle({ entry: GRAPHQL_ENTRY, outdir, sourcemap: true }), createTestStore()]);
  });
  afterAll(async () => {
    rmSync(outdir, { recursive: true, force: true });
    await store.drop();
  });

  it('holds one copy of every package, in one module format (Apollo Server from its ESM build only)', () => {
    // Assess
    expect(duplicatePackages(bundle.metafile).map((copies) => copies[0]!.name)).toEqual([]);
    const apollo = packageCopies(bundle.metafile).filter((c) => c.name === '@apollo/server');
    expect(apollo).toEqual([expect.objectContaining({ dir: 'node_modules/@apollo/server', formats: ['dist/esm'] })]);
  });

  it('leaves out the plugins Apollo never loads here, usage reporting and its protobuf encoder with them', () => {
    // Assess
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.filter((file) => /@apollo\/usage-reporting-protobuf|@apollo\/protobufjs|\/plugin\/(usageReporting|schemaReporting|inlineTrace|cacheControl)\//.test(file))).toEqual([]);
  });

  it('answers API Gateway events in a fresh process, reading DynamoDB through the bundled SDK', () => {
    // Prepare
    const env = { TABLE_NAME: store.tableName, DYNAMODB_ENDPOINT: store.endpoint, AWS_REGION: 'eu-central-1', PADDOCK_STAGE: 'production', LOG_LEVEL: 'error', NODE_OPTIONS: '--enable-source-maps', ...localAuthEnv(key) };
    const event = apiGatewayEvent({ body: JSON.stringify({ query: '{ me { role } customers(first: 1) { edges { cursor } } }' }), headers: { authorization: `Bearer ${signLocalToken(key, { role: 'admin' })}` } });

    // Act
    const result = invokeBundleInFreshProcess({ bundlePath: bundle.path, event, env });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(result.body);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ me: { role: 'ADMIN' }, customers: { edges: [] } });
  });

  it('answers a body that is not JSON with a JSON 400, as the local server does', () => {
    // Prepare
    const env = { TABLE_NAME: store.tableName, DYNAMODB_ENDPOINT: store.endpoint, AWS_REGION: 'eu-central-1', PADDOCK_STAGE: 'production', LOG_LEVEL: 'error', ...localAuthEnv(key) };

    // Act
    const result = invokeBundleInFreshProcess({ bundlePath: bundle.path, event: apiGatewayEvent({ body: '{"query": ' }), env });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toEqual({ errors: [{ message: 'Body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
  });
});
