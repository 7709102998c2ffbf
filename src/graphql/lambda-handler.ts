import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createApolloServer } from './server.js';
import { badRequestBody, INVALID_JSON_MESSAGE, MAX_REQUEST_BODY_BYTES, payloadTooLargeBody } from './limits.js';
import { contextFromHeaders, normaliseHeaders } from './request-context.js';
import { createRuntime } from './runtime.js';

/** The decoded size of an event's body, without decoding it. */
function bodyBytes(event: APIGatewayProxyEventV2): number {
  if (!event.body) return 0;
  return Buffer.byteLength(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/**
 * Builds the API Gateway (HTTP API, payload v2) handler around the shared server factory.
 * Exported for tests, which pass their own runtime; Lambda uses `handler` below.
 *
 * API Gateway and Lambda accept bodies up to 10 MB and 6 MB; the API accepts
 * {@link MAX_REQUEST_BODY_BYTES}, refused here with a 413 before the body is parsed or the
 * caller authenticated, exactly as the local server refuses it.
 */
export function createGraphqlHandler(runtime: ReturnType<typeof createRuntime>) {
  const server = createApolloServer({ development: runtime.development, logger: runtime.logger });
  const apollo = startServerAndCreateLambdaHandler(server, handlers.createAPIGatewayProxyEventV2RequestHandler(), {
    context: ({ event, context }) => contextFromHeaders(runtime, normaliseHeaders(event.headers ?? {}), event.requestContext?.requestId ?? context.awsRequestId),
  });
  return async (event: APIGatewayProxyEventV2, context: Context, callback: Parameters<typeof apollo>[2] = () => undefined): Promise<APIGatewayProxyStructuredResultV2> => {
    if (bodyBytes(event) > MAX_REQUEST_BODY_BYTES) {
      return { statusCode: 413, headers: { 'content-type': 'application/json; charset=utf-8' }, body: payloadTooLargeBody() };
    }
    const result = (await apollo(event, context, callback)) as APIGatewayProxyStructuredResultV2;
    // The integration parses the body before Apollo sees it and answers a malformed one with
    // a plain-text 400 (the JSON parser's own message). Answer it as the local server does.
    if (result.statusCode === 400 && !String(result.headers?.['content-type'] ?? '').includes('application/json')) {
      return { statusCode: 400, headers: { 'content-type': 'application/json; charset=utf-8' }, body: badRequestBody(INVALID_JSON_MESSAGE) };
    }
    return result;
  };
}
