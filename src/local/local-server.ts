import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { badRequestBody, INVALID_JSON_MESSAGE, MAX_REQUEST_BODY_BYTES, payloadTooLargeBody } from '../graphql/limits.js';
import { createApolloServer } from '../graphql/server.js';
import { httpGraphQLRequest } from '../graphql/http-request.js';
import { PaddockError } from '../shared/errors.js';
import { contextFromHeaders, normaliseHeaders } from '../graphql/request-context.js';
import type { createRuntime } from '../graphql/runtime.js';

/** Thrown by {@link readBody} when the body passes the limit; answered with a 413. */
class PayloadTooLargeError extends PaddockError {
  constructor() {
    super('Request body too large');
    this.name = 'PayloadTooLargeError';
  }
}

/**
 * Reads the body up to {@link MAX_REQUEST_BODY_BYTES}, the limit the Lambda handler applies.
 * Past it, the rest is read and dropped rather than the socket destroyed: a client still
 * sending would otherwise see a connection reset instead of the 413 (as API Gateway would
 * answer). Past API Gateway's own 10 MB the socket is closed after all.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_REQUEST_BODY_BYTES) {
      reject(new PayloadTooLargeError());
      discard(req);
      return;
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        req.off('data', onData);
        reject(new PayloadTooLargeError());
        discard(req);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const DISCARD_LIMIT_BYTES = 10 * 1024 * 1024;

function discard(req: IncomingMessage): void {
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT_BYTES) req.destroy();
  });
  req.resume();
}

/**
 * The local GraphQL server: the same Apollo server factory and context builder as the
 * Lambda handler, behind Node's http module on `/graphql`. Listens on loopback only.
 */
export async function startLocalServer(runtime: ReturnType<typeof createRuntime>, { port = 4000, host = '127.0.0.1' } = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const apollo = createApolloServer({ development: runtime.development, logger: runtime.logger });
  await apollo.start();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    if (url.pathname !== '/graphql') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Paddock serves GraphQL on /graphql\n');
      return;
    }
    try {
      const headers = normaliseHeaders(req.headers);
      const request = httpGraphQLRequest({ method: req.method ?? 'GET', headers, search: url.search, body: req.method === 'POST' ? await readBody(req) : '' });
      if (!request) {
        res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' }).end(badRequestBody(INVALID_JSON_MESSAGE));
        return;
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: request,
        context: () => contextFromHeaders(runtime, headers, randomUUID()),
      });
      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' }).end(payloadTooLargeBody());
        return;
      }
      runtime.logger.error('local server error', { error });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [new GraphQLError('Internal server error')] }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://localhost:${actualPort}/graphql`,
    stop: async () => {
      // close() waits for keep-alive connections to end by themselves: end them now.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await apollo.stop();
    },
  };
}
