/**
 * Faults of Paddock. Expected failures a caller can fix are *data* (`UserError`),
 * never exceptions; these classes are for what the caller cannot fix, or for the
 * persistence layer to tell a service "that condition failed" without leaking SDK types.
 */
export class PaddockError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PaddockError';
  }
}

/** Required configuration is missing or malformed: fail the cold start loudly. */
export class ConfigurationError extends PaddockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/** The credential is missing, malformed, expired or revoked: HTTP 401. */
export class AuthenticationError extends PaddockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthenticationError';
  }
}

/**
 * The caller's role or credential may never do this, whatever the object: a request error
 * (`FORBIDDEN` at the GraphQL edge), raised by a service before it reads anything.
 */
export class ForbiddenError extends PaddockError {
  constructor(message = 'Your credential does not allow this operation.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

/**
 * An argument of a query is malformed (a month that is not a month, a page size out of
 * range): the caller's mistake, reported as a request error naming the argument
 * (`BAD_USER_INPUT` with `argumentName` at the GraphQL edge). Mutation inputs answer with
 * `userErrors` instead; this is for reads, which have no payload to carry them.
 */
export class InvalidInputError extends PaddockError {
  constructor(
    message: string,
    readonly argumentName?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/**
 * An invariant the code relies on did not hold (a dealer that authenticated has no item, a
 * freshly drawn random key collides, writes kept contending past their retry budget): a
 * fault, logged and masked at the edge.
 */
export class InvariantError extends PaddockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvariantError';
  }
}
