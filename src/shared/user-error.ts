import type { UserErrorCode } from '../graphql/__generated__/resolvers-types.js';

/**
 * What a caller can fix, as data: the `userErrors` of every mutation payload.
 * Codes are stable strings: the GraphQL enum `UserErrorCode` itself (a type, erased at run
 * time), so the schema is the one list. A domain adds its codes in its own schema folder
 * (`extend enum UserErrorCode { … }`) and `npm run codegen`; messages are for humans.
 */
export type { UserErrorCode };

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
