import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import { createApolloServer } from './server.js';
import { contextFromHeaders, normaliseHeaders } from './request-context.js';
import { createRuntime } from './runtime.js';

/**
 * Builds the API Gateway (HTTP API, payload v2) handler around the shared server factory.
 * Exported for tests, which pass their own runtime; Lambda uses `handler` below.
 */
export function createGraphqlHandler(runtime: ReturnType<typeof createRuntime>) {
  const server = createApolloServer({ development: runtime.development, logger: runtime.logger });
  return startServerAndCreateLambdaHandler(server, handlers.createAPIGatewayProxyEventV2RequestHandler(), {
    context: ({ event, context }) => contextFromHeaders(runtime, normaliseHeaders(event.headers ?? {}), event.requestContext?.requestId ?? context.awsRequestId),
  });
}

