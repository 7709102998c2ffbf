import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ForbiddenError, InvalidInputError } from '../shared/errors.js';
import { InvalidCursorError } from '../store/query-page.js';

/**
 * Top-level GraphQL errors of the GraphQL layer itself (malformed arguments it checks
 * before calling a service, a missing credential). Each carries a stable `extensions.code`.
 * Services never build these: they throw domain errors (`shared/errors.ts`), which
 * `formatDomainError` turns into the same answers at the edge.
 */
export function badUserInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argument ? { argumentName: argument } : {}) } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } } });
}

/**
 * The answer to a domain error thrown by a resolver, or `null` when the error is a fault
 * (left to masking). The codes and extensions are those the API has always returned:
 * `FORBIDDEN`; `BAD_USER_INPUT` with `argumentName` when the argument is known. Location,
 * path and (in development) the stack trace stay as Apollo formatted them.
 *
 * @example
 * formatDomainError(formatted, new InvalidInputError('`days` must be between 1 and 90.', 'days'))
 * // { message: '`days` must be …', locations, path, extensions: { code: 'BAD_USER_INPUT', argumentName: 'days' } }
 */
export function formatDomainError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | null {
  const stacktrace = formatted.extensions?.stacktrace !== undefined ? { stacktrace: formatted.extensions.stacktrace } : {};
  if (error instanceof ForbiddenError) return { ...formatted, message: error.message, extensions: { code: 'FORBIDDEN', ...stacktrace } };
  if (error instanceof InvalidInputError) {
    return { ...formatted, message: error.message, extensions: { code: 'BAD_USER_INPUT', ...(error.argumentName ? { argumentName: error.argumentName } : {}), ...stacktrace } };
  }
  // A cursor is refused deep in the store, which knows no arguments: every paged field calls it `after`.
  if (error instanceof InvalidCursorError) return { message: error.message, path: formatted.path, extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } };
  return null;
}
