import { describe, expect, it } from 'vitest';
import { formatDomainError } from '../../src/graphql/errors.js';
import { ForbiddenError, InvalidInputError, InvariantError, PaddockError } from '../../src/shared/errors.js';
import { InvalidCursorError } from '../../src/store/query-page.js';

// What Apollo hands `formatError` for any error a resolver throws that is not a GraphQLError.
const formatted = (message: string, stacktrace?: string[]) => ({
  message,
  locations: [{ line: 1, column: 3 }],
  path: ['kpis'],
  extensions: { code: 'INTERNAL_SERVER_ERROR', ...(stacktrace ? { stacktrace } : {}) },
});

describe('Function: formatDomainError', () => {
  it('answers a ForbiddenError as FORBIDDEN with its message, location and path', () => {
    // Prepare
    const error = new ForbiddenError();

    // Act
    const answer = formatDomainError(formatted(error.message), error);

    // Assess: the shape the API gave when services threw GraphQL errors themselves.
    expect(JSON.stringify(answer)).toBe(
      JSON.stringify({ message: 'Your credential does not allow this operation.', locations: [{ line: 1, column: 3 }], path: ['kpis'], extensions: { code: 'FORBIDDEN' } }),
    );
  });

  it('answers an InvalidInputError as BAD_USER_INPUT naming the argument, when known', () => {
    const named = new InvalidInputError('`period` is a month, e.g. "2026-11".', 'period');
    const unnamed = new InvalidInputError('Something is off.');
    expect(formatDomainError(formatted(named.message), named)?.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'period' });
    expect(formatDomainError(formatted(unnamed.message), unnamed)?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  it('keeps the stack trace Apollo added in development, after the code', () => {
    const error = new InvalidInputError('bad', 'days');
    expect(Object.entries(formatDomainError(formatted('bad', ['at x']), error)!.extensions!)).toEqual([
      ['code', 'BAD_USER_INPUT'],
      ['argumentName', 'days'],
      ['stacktrace', ['at x']],
    ]);
  });

  it('answers a refused cursor as BAD_USER_INPUT on `after`', () => {
    expect(formatDomainError(formatted('x'), new InvalidCursorError())).toEqual({ message: 'The cursor is not valid for this list.', path: ['kpis'], extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } });
  });

  it('leaves faults to masking', () => {
    for (const fault of [new InvariantError('broken'), new PaddockError('broken'), new TypeError('x'), 'a string']) {
      expect(formatDomainError(formatted('broken'), fault)).toBeNull();
    }
  });
});
