/**
 * What a caller can fix, as data: the `userErrors` of every mutation payload.
 * Codes are stable strings (the GraphQL enum `UserErrorCode`); messages are for humans.
 */
export type UserErrorCode =
  | 'REQUIRED'
  | 'INVALID'
  | 'TOO_LONG'
  | 'INVALID_EMAIL'
  | 'INVALID_PHONE'
  | 'INVALID_VIN'
  | 'VIN_CHECK_DIGIT_MISMATCH'
  | 'INVALID_DATE'
  | 'IN_FUTURE'
  | 'NEGATIVE_AMOUNT'
  | 'OUT_OF_RANGE'
  | 'ALREADY_EXISTS'
  | 'ALREADY_REGISTERED'
  | 'NOT_FOUND'
  | 'STALE_VERSION'
  | 'ODOMETER_DECREASE'
  | 'TOO_MANY'
  | 'UNKNOWN_SERVICE_ITEM'
  | 'INVALID_STATUS'
  | 'LIMIT_REACHED'
  | 'TEMPORARY_FAILURE';

export interface UserError {
  /** Path to the offending input field, e.g. `['input', 'email']`. */
  field: string[];
  message: string;
  code: UserErrorCode;
}

export function userError(field: string | string[], code: UserErrorCode, message: string): UserError {
  const path = Array.isArray(field) ? field : field.split('.');
  return { field: ['input', ...path], code, message };
}

/** The one answer for "absent" and "not yours": callers cannot tell them apart. */
export function notFound(field: string, what: string): UserError {
  return userError(field, 'NOT_FOUND', `No ${what} with this ID.`);
}
