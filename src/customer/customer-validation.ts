import { userError, type UserError } from '../shared/user-error.js';
import { checkDateNotInFuture, checkEmail, checkInstantNotInFuture, checkPhone, checkText } from '../shared/validation.js';
import { CONSENT_CHANNELS, type Address } from './customer.js';

export interface CustomerFieldsInput {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  birthDate?: string | null;
  preferredLanguage?: string | null;
  address?: { street?: string | null; postalCode?: string | null; city: string; country: string } | null;
}

const BCP47 = /^[a-z]{2,3}(-[A-Z]{2})?$/;
const COUNTRY = /^[A-Z]{2}$/;

/** Checks every profile field present in the input; absent fields are not checked. */
export function checkCustomerFields(input: CustomerFieldsInput, now: Date): UserError[] {
  const errors: UserError[] = [];
  if (input.firstName != null) errors.push(...checkText('firstName', input.firstName, { max: 100 }));
  if (input.lastName != null) errors.push(...checkText('lastName', input.lastName, { max: 100 }));
  if (input.email != null) errors.push(...checkEmail('email', input.email));
  if (input.phone != null) errors.push(...checkPhone('phone', input.phone));
  if (input.birthDate != null) {
    errors.push(...checkDateNotInFuture('birthDate', input.birthDate, now));
  }
  if (input.preferredLanguage != null && !BCP47.test(input.preferredLanguage)) {
    errors.push(userError('preferredLanguage', 'INVALID', 'Use a language tag such as "de" or "de-DE".'));
  }
  if (input.address != null) {
    errors.push(...checkText('address.city', input.address.city, { max: 100 }));
    if (!COUNTRY.test(input.address.country)) errors.push(userError('address.country', 'INVALID', 'Use an ISO 3166-1 alpha-2 country code such as "DE".'));
    if (input.address.street != null) errors.push(...checkText('address.street', input.address.street, { max: 200, required: false }));
    if (input.address.postalCode != null) errors.push(...checkText('address.postalCode', input.address.postalCode, { max: 20, required: false }));
  }
  return errors;
}

export function toAddress(input: NonNullable<CustomerFieldsInput['address']>): Address {
  return {
    street: input.street?.trim() || undefined,
    postalCode: input.postalCode?.trim() || undefined,
    city: input.city.trim(),
    country: input.country,
  };
}

export interface ConsentInput {
  channel: string;
  granted: boolean;
  source: string;
  recordedAt?: string | null;
}

/** Consents: 1–5 statements, each channel once, a source, and a time not in the future. */
export function checkConsents(consents: readonly ConsentInput[], now: Date): UserError[] {
  const errors: UserError[] = [];
  if (consents.length === 0) errors.push(userError('consents', 'REQUIRED', 'Give at least one consent statement.'));
  if (consents.length > CONSENT_CHANNELS.length) errors.push(userError('consents', 'TOO_MANY', `At most one statement per channel (${CONSENT_CHANNELS.length}).`));
  const seen = new Set<string>();
  consents.forEach((c, i) => {
    if (seen.has(c.channel)) errors.push(userError(`consents.${i}.channel`, 'INVALID', `Channel ${c.channel} appears more than once.`));
    seen.add(c.channel);
    errors.push(...checkText(`consents.${i}.source`, c.source, { max: 100 }));
    if (c.recordedAt != null) errors.push(...checkInstantNotInFuture(`consents.${i}.recordedAt`, c.recordedAt, now).errors);
  });
  return errors;
}
