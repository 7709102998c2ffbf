import type { Authenticator } from '../auth/authenticate.js';
import { AuthenticationError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { createContext, type GraphQLContext } from './context.js';
import { unauthenticated } from './errors.js';
import type { Repositories } from '../composition.js';
import type { FactHookRegistry } from '../store/fact-hooks.js';

export interface RequestContextDeps {
  authenticator: Authenticator;
  repos: Repositories;
  facts: FactHookRegistry;
  clock: Clock;
  logger: Logger;
}

/**
 * Builds a request's context from its headers, for both the Lambda handler and the local
 * server. A failed authentication becomes an HTTP 401 with a GraphQL error (never a 500):
 * Apollo answers a `GraphQLError` thrown here with the status in its `http` extension.
 */
export async function contextFromHeaders(deps: RequestContextDeps, headers: Record<string, string | undefined>, requestId: string): Promise<GraphQLContext> {
  const logger = deps.logger.child({ requestId });
  try {
    const principal = await deps.authenticator.authenticate(headers);
    return createContext({ principal, repos: deps.repos, facts: deps.facts, clock: deps.clock, logger, requestId });
  } catch (error) {
    if (error instanceof AuthenticationError) {
      logger.info('authentication failed', { reason: error.message });
      throw unauthenticated(error.message);
    }
    throw error;
  }
}

/** Lower-cases header names (API Gateway v2 already does; Node's http does too; tests may not). */
export function normaliseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  return out;
}
