import type { Author } from '../auth/policies.js';
import { defineEntity, field } from '../store/entity.js';
import type { Key } from '../store/table.js';
import { CONSENT_CHANNELS, customerKeys, type Consent, type ConsentChannel } from './customer.js';

/**
 * Consent history. The profile keeps the current consent per channel (what the reminders
 * job and offers read); every statement is also kept as an append-only item in the
 * customer's partition, so the brand can show what a customer had agreed to on any date.
 *
 * Which statement is current is decided by when the customer *made* it (`recordedAt`),
 * not when it reached us: a dealer's DMS may sync a paper form days later, and an older
 * "yes" must not override a newer "no".
 */
export interface ConsentStatement extends Consent {
  id: string;
  customerId: string;
  /** Who recorded it (role and id). */
  author: Author;
  /** When Paddock received it. */
  receivedAt: string;
}

/** What recording a statement did to the current state. */
export type ConsentOutcome = 'APPLIED' | 'SUPERSEDED';

const PREFIX = 'CONSENT';

/**
 * Statements sort by channel, then by `recordedAt` (ISO 8601 UTC, fixed width, so string
 * order is time order), then by id for uniqueness. No part comes from free text: the
 * channel is an enum, the time is normalised, the id is a ULID.
 */
export const consentKeys = {
  statement: (s: Pick<ConsentStatement, 'customerId' | 'channel' | 'recordedAt' | 'id'>): Key => ({
    PK: customerKeys.partition(s.customerId),
    SK: `${PREFIX}#${s.channel}#${s.recordedAt}#${s.id}`,
  }),
  channelPrefix: (channel: ConsentChannel) => `${PREFIX}#${channel}#`,
  /**
   * The highest sort key of a channel's statements made at or before `at`: `$` sorts just
   * after the `#` that follows the time, so statements at exactly `at` are included.
   */
  channelUpTo: (channel: ConsentChannel, at: string) => `${PREFIX}#${channel}#${at}$`,
};

/**
 * Whether a statement becomes the current consent over `current`: it must not have been
 * made earlier. At the same instant, the later arrival wins (both are in the history).
 *
 * @example
 * supersedes(undefined, s) // true: the first statement on a channel
 */
export function supersedes(current: Pick<Consent, 'recordedAt'> | undefined, statement: Pick<Consent, 'recordedAt'>): boolean {
  return current === undefined || current.recordedAt <= statement.recordedAt;
}

export const consentStatementEntity = defineEntity<ConsentStatement>({
  name: 'ConsentStatement',
  example: () => ({ id: '01JSTATEMENT00000000000000', customerId: '01JCUSTOMER0000000000000000', channel: 'EMAIL', granted: true, source: 'owners-app', recordedAt: '2026-03-01T09:30:00.000Z', receivedAt: '2026-03-01T09:30:00.000Z', author: { kind: 'customer', id: '01JCUSTOMER0000000000000000' } }),
  key: consentKeys.statement,
  fields: {
    id: field.string,
    customerId: field.string,
    channel: field.oneOf(CONSENT_CHANNELS),
    granted: field.boolean,
    source: field.string,
    recordedAt: field.string,
    receivedAt: field.string,
    author: field.map<Author>(),
  },
});

/** The current-consent value stored on the profile for a statement. */
export function consentOf(s: ConsentStatement): Consent {
  return { channel: s.channel, granted: s.granted, source: s.source, recordedAt: s.recordedAt };
}
