import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { readConfig } from '../../src/config.js';
import { createGraphqlHandler } from '../../src/graphql/lambda-handler.js';
import { createRuntime } from '../../src/graphql/runtime.js';
import { generateSigningKey, localAuthEnv, signLocalToken, type LocalRole, type LocalSigningKey } from '../../src/local/jwt-signer.js';
import type { Clock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestStore, type TestStore } from './store.js';

/** An API Gateway HTTP API (payload format 2.0) event, as Lambda receives it. */
export function apiGatewayEvent({ body, headers = {}, method = 'POST', rawQueryString = '' }: { body?: string; headers?: Record<string, string>; method?: string; rawQueryString?: string }): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${method} /graphql`,
    rawPath: '/graphql',
    rawQueryString,
    headers: { 'content-type': 'application/json', host: 'api.paddock.example', 'user-agent': 'vitest', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'paddock',
      domainName: 'api.paddock.example',
      domainPrefix: 'api',
      http: { method, path: '/graphql', protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: `${method} /graphql`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'paddock-graphql',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:paddock-graphql',
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/paddock-graphql',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
  raw: APIGatewayProxyStructuredResultV2;
}

export interface TestApi {
  store: TestStore;
  signingKey: LocalSigningKey;
  handler: ReturnType<typeof createGraphqlHandler>;
  /** Sends a GraphQL operation through the real Lambda handler with the given credential headers. */
  call<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  token(role: LocalRole, customerId?: string): string;
  bearer(role: LocalRole, customerId?: string): Record<string, string>;
  close(): Promise<void>;
}

export async function createTestApi({ clock, apiKeyCacheTtlSeconds = 0, stage = 'production' }: { clock?: Clock; apiKeyCacheTtlSeconds?: number; stage?: string } = {}): Promise<TestApi> {
  const store = await createTestStore();
  const signingKey = generateSigningKey();
  const config = readConfig({
    TABLE_NAME: store.tableName,
    DYNAMODB_ENDPOINT: store.endpoint,
    PADDOCK_STAGE: stage,
    API_KEY_CACHE_TTL_SECONDS: String(apiKeyCacheTtlSeconds),
    ...localAuthEnv(signingKey),
  });
  const runtime = createRuntime(config, { doc: store.doc, clock, logger: createLogger({}, { level: 'error', write: () => true }) });
  const handler = createGraphqlHandler(runtime);
  const token = (role: LocalRole, customerId?: string) => signLocalToken(signingKey, { role, customerId });
  return {
    store,
    signingKey,
    handler,
    token,
    bearer: (role, customerId) => ({ authorization: `Bearer ${token(role, customerId)}` }),
    async call(query, variables, headers = {}) {
      const raw = (await handler(apiGatewayEvent({ body: JSON.stringify({ query, variables }), headers }), lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
      const body = raw.body ? JSON.parse(raw.body) : {};
      return { status: raw.statusCode ?? 200, data: body.data, errors: body.errors, raw };
    },
    close: () => store.drop(),
  };
}
