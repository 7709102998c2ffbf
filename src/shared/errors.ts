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

/** A conditional write lost: the item changed, already exists or is gone. */
export class ConditionFailedError extends PaddockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConditionFailedError';
  }
}
