import { GraphQLError } from 'graphql';

/**
 * Top-level GraphQL errors, for what is not a mutation's input problem: a role that may
 * not call an operation at all, or malformed arguments of a query. Each carries a
 * stable `extensions.code`.
 */
export function forbidden(message = 'Your credential does not allow this operation.'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', http: { status: 200 } } });
}

export function badUserInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argument ? { argumentName: argument } : {}) } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } } });
}
