/**
 * The events domain's outbox events (see `store/outbox.ts`), written in the same
 * transaction as the change they report. Declared here, not in `module.ts`, because the
 * holds job (which loads no GraphQL) writes them too.
 */

/** A freed seat is held for a waitlisted member until `holdExpiresAt`: tell them to accept it. */
export interface EventSeatOffered {
  eventId: string;
  customerId: string;
  registrationId: string;
  /** The member and their companions. */
  seats: number;
  holdExpiresAt: string;
}

/** A member has a confirmed seat: on registering while seats remained, or on accepting a held seat. */
export interface EventRegistrationConfirmed {
  eventId: string;
  customerId: string;
  registrationId: string;
  seats: number;
  /** Points charged through the ledger (points-priced events). */
  pointsPaid: number | null;
  via: 'REGISTRATION' | 'HOLD_ACCEPTED';
}

/** An event was cancelled; its registrations are cancelled and points given back. */
export interface ClubEventCancelled {
  eventId: string;
  hostDealerId: string | null;
  startsAt: string;
}

declare module '../store/outbox.js' {
  interface PaddockEvents {
    EventSeatOffered: EventSeatOffered;
    EventRegistrationConfirmed: EventRegistrationConfirmed;
    ClubEventCancelled: ClubEventCancelled;
  }
}
