import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { PaddockError } from '../shared/errors.js';
import { createApolloServer } from './server.js';
import { httpGraphQLRequest } from './http-request.js';
import { badRequestBody, INVALID_JSON_MESSAGE, MAX_REQUEST_BODY_BYTES, payloadTooLargeBody } from './limits.js';
import { contextFromHeaders, normaliseHeaders } from './request-context.js';
import { createRuntime } from './runtime.js';

const JSON_CONTENT = { 'content-type': 'application/json; charset=utf-8' };

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
 *
 * The event is handed to Apollo here rather than through `@as-integrations/aws-lambda`:
 * that package is CommonJS and `require`s `@apollo/server`, so the bundle carried Apollo
 * (and its dependencies) twice, once per module format, and cold starts compiled both.
 */
export function createGraphqlHandler(runtime: ReturnType<typeof createRuntime>) {
  const server = createApolloServer({ development: runtime.development, logger: runtime.logger });
  // Start during the cold start; a server that fails to start logs why and answers every request with a 500.
  server.startInBackgroundHandlingStartupErrorsByLoggingAndFailingAllRequests();
  // The third argument is Lambda's callback, unused by an async handler.
  return async (event: APIGatewayProxyEventV2, context: Context, _callback?: unknown): Promise<APIGatewayProxyStructuredResultV2> => {
    if (bodyBytes(event) > MAX_REQUEST_BODY_BYTES) return { statusCode: 413, headers: JSON_CONTENT, body: payloadTooLargeBody() };
    const headers = normaliseHeaders(event.headers ?? {});
    const body = !event.body ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    const request = httpGraphQLRequest({ method: event.requestContext.http.method, headers, search: event.rawQueryString ?? '', body });
    if (!request) return { statusCode: 400, headers: JSON_CONTENT, body: badRequestBody(INVALID_JSON_MESSAGE) };
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: request,
      context: () => contextFromHeaders(runtime, headers, event.requestContext?.requestId ?? context.awsRequestId),
    });
    // A chunked body is incremental delivery (@defer/@stream), which graphql 16 cannot produce.
    if (response.body.kind !== 'complete') throw new PaddockError('Incremental delivery is not supported by the Lambda handler');
    return { statusCode: response.status ?? 200, headers: Object.fromEntries(response.headers), body: response.body.string };
  };
}
