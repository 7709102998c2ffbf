import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.js';
import { createGraphqlHandler } from '../../src/graphql/lambda-handler.js';
import { createRuntime } from '../../src/graphql/runtime.js';
import { generateSigningKey, localAuthEnv, signLocalToken } from '../../src/local/jwt-signer.js';
import { createLogger } from '../../src/shared/logger.js';
import { CLIENT_PROFILES, createDocumentClient } from '../../src/store/dynamo-client.js';
import { apiGatewayEvent, lambdaContext } from '../support/api.js';

/**
 * DynamoDB that stops answering. Without timeouts a request waited for the socket to
 * die (20 s locally; in AWS until the Lambda timeout). The API must give up after a few
 * short attempts with a masked fault; jobs must ride out a bad patch.
 */

/** An "engine" that accepts connections and never says a word: a frozen DynamoDB. */
function frozenEngine() {
  const sockets: Socket[] = [];
  let connections = 0;
  const server: TcpServer = createTcpServer((socket) => {
    connections++;
    sockets.push(socket);
  });
  return {
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    connections: () => connections,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** An engine that fails the first `failures` requests with a 500, then answers GetItem with "no item". */
function flakyEngine(failures: number) {
  let requests = 0;
  const server: HttpServer = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (requests <= failures) {
        res.statusCode = 500;
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected' }));
      } else {
        res.end('{}');
      }
    });
  });
  return {
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    requests: () => requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('DynamoDB client profiles: timeouts and retry budgets', () => {
  describe('the API against a frozen engine', () => {
    const engine = frozenEngine();
    let endpoint: string;
    beforeAll(async () => {
      endpoint = await engine.start();
    });
    afterAll(() => engine.stop());

    it('gives up after the api profile\'s attempts and answers a masked fault, not a hang', async () => {
      // Prepare: the production configuration path, with no client injected, so the API's own profile is used.
      const key = generateSigningKey();
      const config = readConfig({ TABLE_NAME: 'paddock-frozen', DYNAMODB_ENDPOINT: endpoint, PADDOCK_STAGE: 'production', ...localAuthEnv(key) });
      const handler = createGraphqlHandler(createRuntime(config, { logger: createLogger({}, { level: 'error', write: () => true }) }));
      const event = apiGatewayEvent({ body: JSON.stringify({ query: '{ customers(first: 1) { edges { cursor } } }' }), headers: { authorization: `Bearer ${signLocalToken(key, { role: 'admin' })}` } });

      // Act
      const result = (await handler(event, lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;

      // Assess: one connection per attempt, then a generic error with nothing of the SDK's message.
      expect(engine.connections()).toBe(CLIENT_PROFILES.api.maxAttempts);
      const body = JSON.parse(result.body!);
      expect(body.errors).toEqual([{ message: 'Internal server error', path: ['customers'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
      expect(result.body).not.toMatch(/timeout|socket|ECONN/i);
    }, 60_000);
  });

  describe('a job against a flaky engine', () => {
    const failures = 5;
    it('keeps retrying past what the API would (job profile), and succeeds', async () => {
      // Prepare
      const engine = flakyEngine(failures);
      const endpoint = await engine.start();
      const doc = createDocumentClient({ endpoint, region: 'eu-central-1', profile: 'job' });

      // Act
      const result = await doc.send(new GetCommand({ TableName: 'paddock-flaky', Key: { PK: 'CUST#1', SK: 'PROFILE' } }));

      // Assess
      expect(result.Item).toBeUndefined();
      expect(engine.requests()).toBe(failures + 1);
      doc.destroy();
      await engine.stop();
    }, 60_000);

    it('the API profile stops after its own budget on the same engine', async () => {
      // Prepare
      const engine = flakyEngine(failures);
      const endpoint = await engine.start();
      const doc = createDocumentClient({ endpoint, region: 'eu-central-1', profile: 'api' });

      // Act
      const outcome = await doc.send(new GetCommand({ TableName: 'paddock-flaky', Key: { PK: 'CUST#1', SK: 'PROFILE' } })).then(
        () => 'answered',
        (error: Error) => error.name,
      );

      // Assess
      expect(outcome).toBe('InternalServerError');
      expect(engine.requests()).toBe(CLIENT_PROFILES.api.maxAttempts);
      doc.destroy();
      await engine.stop();
    }, 60_000);
  });
});
