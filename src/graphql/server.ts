import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled, ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { getOperationAST, parse, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Logger } from '../shared/logger.js';
import type { GraphQLContext } from './context.js';
import { formatDomainError } from './errors.js';
import { createQueryLimits, DEFAULT_INTROSPECTION_COST, DEFAULT_LIMITS, listBoundsOf, MAX_QUERY_TOKENS, QueryTooComplexError, supportedOperationsRule, type QueryLimits } from './limits.js';
import { resolvers } from './resolvers/index.js';
import { domainModules } from './__generated__/modules.js';
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
 * graphql-js appends "Did you mean …?" to errors about unknown fields, arguments, types,
 * enum values and input fields; outside development that would reveal the schema that
 * introspection hides. Apollo's `hideSchemaDetailsFromClientErrors` strips it from
 * validation errors only: variable coercion errors (an enum value or input field inside
 * `variables`) carry it too, so every caller-facing message is stripped here as well.
 */
const SUGGESTION = / ?Did you mean .+\?$/s;

/**
 * Turns a fault into a safe answer: callers get a stable code and a generic message; the
 * log gets the real error (without request data, which may be personal).
 */
function formatError(options: ServerOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const domain = formatDomainError(formatted, original);
    if (domain) return domain;
    if (typeof original === 'object' && original !== null && (original as { originalError?: unknown }).originalError instanceof QueryTooComplexError) {
      // Apollo wrapped the limit's refusal as GRAPHQL_VALIDATION_FAILED; keep its own code.
      return { ...formatted, extensions: { ...formatted.extensions, code: 'QUERY_TOO_COMPLEX' } };
    }
    const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    if (CALLER_CODES.has(code)) return options.development ? formatted : { ...formatted, message: formatted.message.replace(SUGGESTION, '') };
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
 * Every answer holds personal data and must not be stored by a browser or proxy. Apollo's
 * cache-control plugin answered `no-store` to every uncacheable response, which is all of
 * ours (no type or field carries a cache hint); this says the same without that plugin's
 * per-field work on every request.
 */
function noStorePlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}

/**
 * Reports the cost of every operation in `extensions.cost`, as Shopify does, so clients can
 * budget: the requested (worst-case) cost measured during validation, the limit, and the
 * actual cost: the number of fields really resolved, i.e. the same count with each list at
 * its real length (so never above the requested cost). A refused operation reports its
 * requested cost and an actual cost of 0; a document that does not parse reports none.
 */
function costPlugin(limits: ReturnType<typeof createQueryLimits>): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      let resolved = 0;
      return {
        async executionDidStart() {
          return {
            willResolveField() {
              resolved++;
            },
          };
        },
        async willSendResponse({ response, document, operation, request }) {
          if (response.body.kind !== 'single' || !document) return;
          const op = operation ?? getOperationAST(document, request.operationName);
          const requested = op && limits.requestedCost(op);
          if (!requested) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: { requestedQueryCost: requested.requestedQueryCost, actualQueryCost: resolved, limit: requested.limit } };
        },
      };
    },
  };
}

/**
 * The executable schema, built once per process. Apollo would build it from `typeDefs` and
 * `resolvers` itself, but then copies every type of the schema to attach the resolvers,
 * and parses the SDL keeping source locations no one reads at run time: together about a
 * third of a cold start's CPU. Attaching the resolvers to the freshly built (still
 * private) schema in place, and parsing without locations, gives the same schema.
 */
let executableSchema: GraphQLSchema | undefined;
function schema(): GraphQLSchema {
  executableSchema ??= makeExecutableSchema({ typeDefs: parse(typeDefs, { noLocation: true }), resolvers, updateResolversInPlace: true });
  return executableSchema;
}

/**
 * Apollo's built-in plugins that Paddock does not use, switched off explicitly: GraphOS
 * reporting (usage, schema, federated inline traces: Paddock reports to no Apollo service)
 * and cache control (replaced by {@link noStorePlugin}). Apollo imports each of them only
 * when no plugin of its id is installed, so with these they are never loaded, and the
 * Lambda bundle leaves them out, usage reporting's protobuf encoder with them (see
 * `infra/bundling.ts`).
 */
const APOLLO_PLUGINS_OFF = [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled(), ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled()];

/**
 * The one server factory: the Lambda handler and the local server both build their
 * Apollo Server here, so local behaviour is deployed behaviour.
 */
export function createApolloServer(options: ServerOptions): ApolloServer<GraphQLContext> {
  // Introspection is on only in development, and only there may it skip the depth limit.
  const limits = createQueryLimits({ ...(options.limits ?? DEFAULT_LIMITS), ...(options.development ? { maxIntrospectionCost: DEFAULT_INTROSPECTION_COST } : {}) }, listBoundsOf(domainModules));
  return new ApolloServer<GraphQLContext>({
    schema: schema(),
    introspection: options.development,
    includeStacktraceInErrorResponses: options.development,
    // A huge document is refused by the parser before any validation rule walks it.
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    validationRules: [limits.rule, supportedOperationsRule],
    // No automatic persisted queries: an in-memory cache per Lambda instance saves little,
    // and a mismatched hash answered with an uncoded error. Clients get PERSISTED_QUERY_NOT_SUPPORTED.
    persistedQueries: false,
    hideSchemaDetailsFromClientErrors: !options.development,
    formatError: formatError(options),
    csrfPrevention: true,
    // The local server and Lambda own their lifecycles; Apollo must not trap SIGINT/SIGTERM.
    stopOnTerminationSignals: false,
    plugins: [requestLogPlugin(options.logger), costPlugin(limits), noStorePlugin(), ...APOLLO_PLUGINS_OFF, ...(options.development ? [] : [ApolloServerPluginLandingPageDisabled()])],
  });
}

