import { dealerKeys } from '../dealer/dealer.js';
import { defineEntity, field, indexAttributes, type Field } from '../store/entity.js';
import { joinKey, keyPart } from '../store/key-part.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item, type Key } from '../store/table.js';
import { MODEL_LINES, type ModelLine } from '../catalogue/model-lines.js';
import { emptyAggregates, type CustomerAggregates } from './profile-aggregates.js';
import type { CustomerValue } from '../value/scoring.js';
import { isUlid, nodeKey } from '../shared/ids.js';

export const CONSENT_CHANNELS = ['EMAIL', 'SMS', 'PHONE', 'PUSH', 'POST'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

export interface Consent {
  channel: ConsentChannel;
  granted: boolean;
  /** Where the customer said so: "owners-app", "dealer:<id>", "crm-console", … */
  source: string;
  recordedAt: string;
}

export interface Address {
  street?: string;
  postalCode?: string;
  city: string;
  country: string;
}

/** A customer's 360° profile as the store keeps it (the GraphQL `Customer` mapper). */
export interface CustomerRecord {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone?: string;
  birthDate?: string;
  preferredLanguage?: string;
  address?: Address;
  consents: Partial<Record<ConsentChannel, Consent>>;
  /** Vehicles currently owned per model line: kept in the same transaction as registrations and transfers. */
  vehicleCounts: Record<ModelLine, number>;
  /**
   * VINs currently owned and dealers linked, denormalised onto the profile (string sets)
   * so a page of customers gets its vehicles and dealers with one BatchGetItem, and a
   * dealer's access check needs no extra read. Written in the same transactions as the
   * vehicle and link items they mirror.
   */
  vehicleVins: string[];
  dealerIds: string[];
  /** Running aggregates of every fact about the customer (see profile-aggregates.ts). */
  aggregates: CustomerAggregates;
  /** The latest scores, written by the scores job only when they change. */
  value?: CustomerValue;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The customer's partition prefix: profile, dealer links, facts, interactions, consents. */
const CUSTOMER = 'CUST';

/**
 * Key builders for everything that lives in a customer's partition. Ids and emails reach
 * them from callers (a decoded global id, an email address may hold `#`), so every part
 * goes through `joinKey`: no input can name another key.
 */
export const customerKeys = {
  /** The customer's partition: profile, dealer links, facts and interactions. */
  partition: (id: string) => joinKey(CUSTOMER, id),
  profile: (id: string): Key => ({ PK: joinKey(CUSTOMER, id), SK: 'PROFILE' }),
  /** Uniqueness guard: one profile per normalised email (duplicate profiles are a CDP's first enemy). */
  emailClaim: (normalisedEmail: string): Key => ({ PK: joinKey('EMAIL', normalisedEmail), SK: 'EMAIL' }),
  /** Link to a dealer, stored in the customer's partition and indexed under the dealer. */
  dealerLink: (customerId: string, dealerId: string): Key => ({ PK: joinKey(CUSTOMER, customerId), SK: dealerKeys.parent(dealerId) }),
  /** Sort key of a dealer link under the dealer in `ByParent`, and the prefix of all of them. */
  linkUnderDealer: (customerId: string) => joinKey(CUSTOMER, customerId),
  linkUnderDealerPrefix: `${CUSTOMER}#`,
  /** Partition of the `ByCollection` index that lists every customer. */
  collection: 'CUSTOMERS',
};

/** Lower-cased name and email, for the admin console's "search customers" filter. */
export function searchTextOf(c: Pick<CustomerRecord, 'firstName' | 'lastName' | 'email'>): string {
  return `${c.firstName} ${c.lastName} ${c.email}`.toLowerCase();
}

export function emptyVehicleCounts(): Record<ModelLine, number> {
  return Object.fromEntries(MODEL_LINES.map((line) => [line, 0])) as Record<ModelLine, number>;
}

/** Sort key in the all-customers list: by last name, first name, then id for uniqueness. */
export function nameSortKey(c: Pick<CustomerRecord, 'firstName' | 'lastName' | 'id'>): string {
  return [c.lastName.toLowerCase(), c.firstName.toLowerCase(), c.id].map(keyPart).join('#');
}

/** DynamoDB has no empty sets: an empty list is stored as no attribute. */
const toStringSet = (values: string[]) => (values.length ? new Set(values) : undefined);

/** Counts and aggregates gain fields over time: an item written before a field existed reads it as zero/empty. */
const completedWith = <T extends object>(empty: () => T): Field<T> => field.withDefault((v) => ({ ...empty(), ...field.map<Partial<T>>()(v) }), empty);

export const customerEntity = defineEntity<CustomerRecord>({
  name: 'Customer',
  example: makeCustomer,
  key: (c) => customerKeys.profile(c.id),
  indexes: (c) => ({ byCollection: { pk: customerKeys.collection, sk: nameSortKey(c) } }),
  fields: {
    id: field.string,
    firstName: field.string,
    lastName: field.string,
    email: field.string,
    phone: field.optional(field.string),
    birthDate: field.optional(field.string),
    preferredLanguage: field.optional(field.string),
    address: field.optional(field.map<Address>()),
    consents: field.withDefault(field.map<CustomerRecord['consents']>(), () => ({})),
    vehicleCounts: completedWith(emptyVehicleCounts),
    vehicleVins: field.stringSet,
    dealerIds: field.stringSet,
    aggregates: completedWith(emptyAggregates),
    value: field.optional(field.map<CustomerValue>()),
    version: field.number,
    createdAt: field.string,
    updatedAt: field.string,
  },
  stored: (c) => ({ searchText: searchTextOf(c), vehicleVins: toStringSet(c.vehicleVins), dealerIds: toStringSet(c.dealerIds) }),
});

/**
 * The attributes a profile update sets when names change: the list's sort key follows the
 * name (named by the index, so callers never spell index attributes).
 */
export const customerNameIndex = (c: Pick<CustomerRecord, 'firstName' | 'lastName' | 'id'>) => indexAttributes({ byCollection: { pk: customerKeys.collection, sk: nameSortKey(c) } });

/** The item that claims a normalised email for one customer. */
export function emailClaimItem(normalisedEmail: string, customerId: string): Item {
  return { ...customerKeys.emailClaim(normalisedEmail), [ENTITY_TYPE_ATTRIBUTE]: 'EmailClaim', customerId };
}

export interface DealerLink {
  customerId: string;
  dealerId: string;
  linkedAt: string;
}

/** Link item between a customer and a dealer; the `ByParent` index lists it under the dealer. */
const dealerLinkEntity = defineEntity<DealerLink>({
  name: 'CustomerDealerLink',
  example: () => ({ customerId: '01JCUSTOMER0000000000000000', dealerId: '01JDEALER00000000000000000', linkedAt: '2026-03-01T09:30:00.000Z' }),
  key: (l) => customerKeys.dealerLink(l.customerId, l.dealerId),
  indexes: (l) => ({ byParent: { pk: dealerKeys.parent(l.dealerId), sk: customerKeys.linkUnderDealer(l.customerId) } }),
  fields: { customerId: field.string, dealerId: field.string, linkedAt: field.string },
});

export function dealerLinkItem(customerId: string, dealerId: string, linkedAt: string): Item {
  return dealerLinkEntity.toItem({ customerId, dealerId, linkedAt });
}

/**
 * @example
 * makeCustomer({ lastName: 'Piëch' }) // a valid record for tests and seeds
 */
export function makeCustomer(overrides: Partial<CustomerRecord> = {}): CustomerRecord {
  const now = '2026-01-01T00:00:00.000Z';
  return {
    id: '01JCUSTOMER0000000000000000',
    firstName: 'Anna',
    lastName: 'Keller',
    email: 'anna.keller@example.com',
    consents: {},
    vehicleCounts: emptyVehicleCounts(),
    vehicleVins: [],
    dealerIds: [],
    aggregates: emptyAggregates(),
    version: 1,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** `Customer` global ids: the key is the customer's ULID. */
export const CUSTOMER_NODE = nodeKey('Customer', isUlid);
