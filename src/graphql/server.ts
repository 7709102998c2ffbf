import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { InvalidCursorError } from '../store/query-page.js';
import type { Logger } from '../shared/logger.js';
import type { GraphQLContext } from './context.js';
import { DEFAULT_LIMITS, queryLimitsRule, type QueryLimits } from './limits.js';
import { resolvers } from './resolvers/index.js';
import { typeDefs } from './__generated__/type-defs.js';

export interface ServerOptions {
  /** Development shows introspection and real error messages; production masks both. */
  development: boolean;
  logger: Logger;
  limits?: QueryLimits;
}

/** Codes whose messages are meant for the caller; everything else is a fault and is masked. */
const CALLER_CODES = new Set([
  'BAD_USER_INPUT',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Turns a fault into a safe answer: callers get a stable code and a generic message; the
 * log gets the real error (without request data, which may be personal).
 */
function formatError(options: ServerOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof InvalidCursorError) {
      return { message: original.message, path: formatted.path, extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } };
    }
    const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    if (CALLER_CODES.has(code)) return formatted;
    options.logger.error('unexpected error', { error: original, path: formatted.path?.join('.') });
    if (options.development) return formatted;
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** Logs one line per operation: name, duration and error count; no variables (they hold personal data). */
function requestLogPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, errors }) {
          (contextValue.logger ?? logger).info('graphql operation', {
            operationName: operationName ?? null,
            durationMs: Math.round(performance.now() - started),
            errors: errors?.length ?? 0,
            principal: contextValue.principal?.kind,
          });
        },
      };
    },
  };
}

/**
 * The one server factory: the Lambda handler and the local server both build their
 * Apollo Server here, so local behaviour is deployed behaviour.
 */
export function createApolloServer(options: ServerOptions): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    typeDefs,
    resolvers: resolvers as never,
    introspection: options.development,
    includeStacktraceInErrorResponses: options.development,
    validationRules: [queryLimitsRule(options.limits ?? DEFAULT_LIMITS)],
    formatError: formatError(options),
    csrfPrevention: true,
    // The local server and Lambda own their lifecycles; Apollo must not trap SIGINT/SIGTERM.
    stopOnTerminationSignals: false,
    plugins: [requestLogPlugin(options.logger), ...(options.development ? [] : [ApolloServerPluginLandingPageDisabled()])],
  });
}

