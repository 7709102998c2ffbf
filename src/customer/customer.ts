import { joinKey, keyPart } from '../store/key-part.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item, type Key } from '../store/table.js';
import { MODEL_LINES, type ModelLine } from '../vehicle/model-lines.js';
import { emptyAggregates, type CustomerAggregates } from '../value/aggregates.js';
import type { CustomerValue } from '../value/scoring.js';

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
  /** Running aggregates of every fact about the customer (see value/aggregates.ts). */
  aggregates: CustomerAggregates;
  /** The latest scores, written by the scores job only when they change. */
  value?: CustomerValue;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const ENTITY = 'Customer';

/**
 * Key builders for everything that lives in a customer's partition. Ids and emails reach
 * them from callers (a decoded global id, an email address may hold `#`), so every part
 * goes through `joinKey`: no input can name another key.
 */
export const customerKeys = {
  /** The customer's partition: profile, dealer links, facts and interactions. */
  partition: (id: string) => joinKey('CUST', id),
  profile: (id: string): Key => ({ PK: joinKey('CUST', id), SK: 'PROFILE' }),
  /** Uniqueness guard: one profile per normalised email (duplicate profiles are a CDP's first enemy). */
  emailClaim: (normalisedEmail: string): Key => ({ PK: joinKey('EMAIL', normalisedEmail), SK: 'EMAIL' }),
  /** Link to a dealer, stored in the customer's partition and indexed under the dealer. */
  dealerLink: (customerId: string, dealerId: string): Key => ({ PK: joinKey('CUST', customerId), SK: joinKey('DEALER', dealerId) }),
  dealerLinkPrefix: 'DEALER#',
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
const fromStringSet = (value: unknown) => (value instanceof Set ? [...(value as Set<string>)].sort() : []);

export function customerToItem(c: CustomerRecord): Item {
  return {
    ...customerKeys.profile(c.id),
    [ENTITY_TYPE_ATTRIBUTE]: ENTITY,
    GSI2PK: customerKeys.collection,
    GSI2SK: nameSortKey(c),
    searchText: searchTextOf(c),
    ...c,
    vehicleVins: toStringSet(c.vehicleVins),
    dealerIds: toStringSet(c.dealerIds),
  };
}

export function customerFromItem(item: Record<string, unknown>): CustomerRecord {
  if (item[ENTITY_TYPE_ATTRIBUTE] !== ENTITY) throw new Error(`Expected a ${ENTITY} item, got ${String(item[ENTITY_TYPE_ATTRIBUTE])}`);
  return {
    id: item.id as string,
    firstName: item.firstName as string,
    lastName: item.lastName as string,
    email: item.email as string,
    phone: item.phone as string | undefined,
    birthDate: item.birthDate as string | undefined,
    preferredLanguage: item.preferredLanguage as string | undefined,
    address: item.address as Address | undefined,
    consents: (item.consents ?? {}) as CustomerRecord['consents'],
    vehicleCounts: { ...emptyVehicleCounts(), ...(item.vehicleCounts as Partial<Record<ModelLine, number>>) },
    vehicleVins: fromStringSet(item.vehicleVins),
    dealerIds: fromStringSet(item.dealerIds),
    aggregates: { ...emptyAggregates(), ...(item.aggregates as Partial<CustomerAggregates> | undefined) },
    value: item.value as CustomerValue | undefined,
    version: item.version as number,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

/** Link item between a customer and a dealer; the `ByParent` index lists it under the dealer. */
export function dealerLinkItem(customerId: string, dealerId: string, linkedAt: string): Item {
  return {
    ...customerKeys.dealerLink(customerId, dealerId),
    [ENTITY_TYPE_ATTRIBUTE]: 'CustomerDealerLink',
    GSI1PK: joinKey('DEALER', dealerId),
    GSI1SK: joinKey('CUST', customerId),
    customerId,
    dealerId,
    linkedAt,
  };
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
