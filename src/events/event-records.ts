import type { Author } from '../auth/policies.js';
import type { ModelLine } from '../catalogue/model-lines.js';
import type { ClubLevel } from '../club/rules.js';
import { scheduleShard, SCHEDULE_SHARDS } from '../club/club-records.js';
import { customerKeys } from '../customer/customer.js';
import { isUlid, keyShape, KEY_PART, nodeKey } from '../shared/ids.js';
import type { Money } from '../shared/money.js';
import { defineEntity, field, type IndexKeys } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import type { Key } from '../store/table.js';

/**
 * Club events and their registrations. An event and every registration for it share the
 * event's partition (one Query lists who registered); a registration is keyed by its
 * member, so a member holds at most one per event and registering twice is a failed
 * `attribute_not_exists`.
 *
 * The event item carries the seat counters every registration changes in its own
 * transaction: `seatsLeft` (capacity − confirmed − held) is what conditions test, because
 * DynamoDB condition expressions compare but do not add (`seatsLeft >= :n` is the
 * "confirmed + held + n ≤ capacity" of the rules). `sequence` is the last arrival number
 * handed out; a registration takes the next one under the condition that it is still the
 * one it read, so arrival numbers are unique, gap-free and in the order the store accepted
 * the registrations — and each registration's CONFIRMED/WAITLISTED decision is made in that
 * same order, which is what makes the FIFO order provable from the numbers alone.
 *
 * A registration is in at most one of three sparse index partitions at a time:
 * - `byCollection` `EVENTWAIT#<event>` by arrival number, while WAITLISTED (the queue);
 * - `bySchedule` `EVENTDUE#HOLD#<shard>` at its hold's expiry, while OFFERED (the holds job);
 * and always in `byParent` under its member (`ClubMembership.eventRegistrations`).
 */

const CLUB_EVENT = 'CLUBEVENT';
/** Partition of `byCollection` listing every event by start. */
const CLUB_EVENTS = 'CLUBEVENTS';
/** Registrations: in the event's partition by member, and under the member in `byParent` by registration time. */
const EVENT_REG = 'EVENTREG';
/** Partition prefix of an event's waitlist in `byCollection`. */
const EVENT_WAIT = 'EVENTWAIT';
/** Partition prefix of seat holds in `bySchedule`. */
const EVENT_DUE = 'EVENTDUE';

/** Widths of zero-padded numbers in sort keys (arrival numbers sort as strings). */
const SEQUENCE_DIGITS = 10;

export const eventKeys = {
  event: (id: string): Key => ({ PK: joinKey(CLUB_EVENT, id), SK: 'EVENT' }),
  partition: (id: string) => joinKey(CLUB_EVENT, id),
  registration: (eventId: string, customerId: string): Key => ({ PK: joinKey(CLUB_EVENT, eventId), SK: joinKey(EVENT_REG, customerId) }),
  registrationPrefix: `${EVENT_REG}#`,
  collection: CLUB_EVENTS,
  /** Events by start, then id: `from` is a lower bound on this. */
  byStart: (startsAt: string, id: string) => joinKey(startsAt, id),
  /**
   * A dealer's hosted events: a `byParent` partition of their own per dealer (not the
   * dealer's `DEALER#` partition, where customer links and cars sort on both sides of any
   * event prefix, so "from this date on" could not be one key range).
   */
  hostedBy: (dealerId: string) => joinKey(CLUB_EVENT, 'HOST', dealerId),
  /** A member's registrations under the member's `byParent` partition, newest first. */
  underMember: (registeredAt: string, eventId: string) => joinKey(EVENT_REG, registeredAt, eventId),
  waitlist: (eventId: string) => joinKey(EVENT_WAIT, eventId),
  waitlistSort: (sequence: number) => String(sequence).padStart(SEQUENCE_DIGITS, '0'),
  holdShard: (shard: number) => joinKey(EVENT_DUE, 'HOLD', String(shard)),
  holdSort: (expiresAt: string, eventId: string, customerId: string) => joinKey(expiresAt, eventId, customerId),
  /** Upper bound of the hold sort keys due at `now` (every key at `now` sorts below it). */
  holdsDueBy: (now: string) => `${now}#\uffff`,
};

export const HOLD_SHARDS = SCHEDULE_SHARDS;

export const CLUB_EVENT_KINDS = ['TRACK_DAY', 'DRIVING_EXPERIENCE', 'TEST_DRIVE_DAY', 'OTHER'] as const;
export type ClubEventKind = (typeof CLUB_EVENT_KINDS)[number];
export const CLUB_EVENT_STATUSES = ['SCHEDULED', 'CANCELLED'] as const;
export type ClubEventStatus = (typeof CLUB_EVENT_STATUSES)[number];

export interface EventLocation {
  /** The venue, e.g. `Porsche Experience Centre Hockenheimring`. */
  name: string;
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** Who may register: every condition given must hold (none given: every active member). */
export interface EventEligibility {
  minimumLevel?: ClubLevel;
  /** The member must currently own a car of one of these lines (empty: no such condition). */
  modelLines: ModelLine[];
  /** …and, if given, of one of these variants (`GT` matches `911 GT3 RS`, not `911 Carrera GTS`: see `eligibility.ts`). */
  variants: string[];
}

/** The seat counters of an event, changed only by ADD-style updates in registration transactions. */
export interface SeatCounters {
  /** capacity − confirmedSeats − heldSeats; the attribute conditions test. */
  seatsLeft: number;
  /** Seats of CONFIRMED and CHECKED_IN registrations (members and their companions). */
  confirmedSeats: number;
  /** Seats offered to waitlisted members and not yet accepted (they count against capacity). */
  heldSeats: number;
  /** Registrations on the waitlist (not seats). */
  waitlisted: number;
  /** Registrations checked in, and their seats (for fill and no-show rates). */
  checkedIn: number;
  checkedInSeats: number;
}

export interface ClubEventRecord extends SeatCounters {
  id: string;
  kind: ClubEventKind;
  title: string;
  description: string;
  /** The hosting dealer; absent when the brand hosts it. */
  hostDealerId?: string;
  location: EventLocation;
  startsAt: string;
  endsAt: string;
  /** Registrations (and cancellations that return points) close at this instant. */
  registrationDeadline: string;
  /** Seats, members and companions alike. */
  capacity: number;
  /** Companions a member may bring (0–3), each taking a seat. */
  companionsAllowed: number;
  /** Price per seat in points, charged through the ledger when a seat is confirmed. */
  pricePoints?: number;
  /** Price per seat in money, paid outside Paddock: recorded for the programme, never charged here. */
  priceMoney?: Money;
  eligibility: EventEligibility;
  /** Points the member earns when checked in (before their level's multiplier). */
  pointsOnCheckIn: number;
  status: ClubEventStatus;
  /** The last arrival number handed out to a registration. */
  sequence: number;
  createdAt: string;
  createdBy: Author;
  updatedAt: string;
  cancelledAt?: string;
}

export function clubEventIndexes(e: Pick<ClubEventRecord, 'id' | 'startsAt' | 'hostDealerId'>): IndexKeys {
  return {
    byCollection: { pk: CLUB_EVENTS, sk: eventKeys.byStart(e.startsAt, e.id) },
    ...(e.hostDealerId ? { byParent: { pk: eventKeys.hostedBy(e.hostDealerId), sk: eventKeys.byStart(e.startsAt, e.id) } } : {}),
  };
}

export const clubEventEntity = defineEntity<ClubEventRecord>({
  name: 'ClubEvent',
  example: () => ({
    id: '01JEVENT000000000000000000',
    kind: 'TRACK_DAY',
    title: 'GT Track Day Hockenheim',
    description: 'A day on the Grand Prix circuit with instructors.',
    hostDealerId: '01JDEALER00000000000000000',
    location: { name: 'Porsche Experience Centre Hockenheimring', city: 'Hockenheim', country: 'DE' },
    startsAt: '2026-06-12T08:00:00.000Z',
    endsAt: '2026-06-12T17:00:00.000Z',
    registrationDeadline: '2026-06-01T00:00:00.000Z',
    capacity: 24,
    companionsAllowed: 1,
    pricePoints: 5_000,
    eligibility: { minimumLevel: 'SILVER', modelLines: ['NINE_ELEVEN'], variants: ['GT'] },
    pointsOnCheckIn: 500,
    status: 'SCHEDULED',
    seatsLeft: 20,
    confirmedSeats: 3,
    heldSeats: 1,
    waitlisted: 0,
    checkedIn: 0,
    checkedInSeats: 0,
    sequence: 3,
    createdAt: '2026-03-01T09:00:00.000Z',
    createdBy: { kind: 'dealer', id: '01JDEALER00000000000000000' },
    updatedAt: '2026-03-01T09:00:00.000Z',
  }),
  key: (e) => eventKeys.event(e.id),
  indexes: clubEventIndexes,
  fields: {
    id: field.string,
    kind: field.oneOf(CLUB_EVENT_KINDS),
    title: field.string,
    description: field.string,
    hostDealerId: field.optional(field.string),
    location: field.map<EventLocation>(),
    startsAt: field.string,
    endsAt: field.string,
    registrationDeadline: field.string,
    capacity: field.number,
    companionsAllowed: field.number,
    pricePoints: field.optional(field.number),
    priceMoney: field.optional(field.map<Money>()),
    eligibility: field.map<EventEligibility>(),
    pointsOnCheckIn: field.number,
    status: field.oneOf(CLUB_EVENT_STATUSES),
    seatsLeft: field.number,
    confirmedSeats: field.number,
    heldSeats: field.number,
    waitlisted: field.number,
    checkedIn: field.number,
    checkedInSeats: field.number,
    sequence: field.number,
    createdAt: field.string,
    createdBy: field.map<Author>(),
    updatedAt: field.string,
    cancelledAt: field.optional(field.string),
  },
});

/**
 * A registration's life: CONFIRMED (a seat) or WAITLISTED (in the queue) on arrival;
 * WAITLISTED → OFFERED (a freed seat held for a while) → CONFIRMED on acceptance, or
 * DECLINED / LAPSED (the seat passes on); CONFIRMED → CHECKED_IN at the event. CANCELLED
 * by the member (or with the event). The ended states free the member to register again.
 */
export const REGISTRATION_STATUSES = ['CONFIRMED', 'WAITLISTED', 'OFFERED', 'CHECKED_IN', 'CANCELLED', 'DECLINED', 'LAPSED'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
/** States after which the member no longer holds a place: a new registration may replace the item. */
export const ENDED_STATUSES: readonly RegistrationStatus[] = ['CANCELLED', 'DECLINED', 'LAPSED'];
/** States that hold seats (confirmed, or held for the member). */
export const SEATED_STATUSES: readonly RegistrationStatus[] = ['CONFIRMED', 'CHECKED_IN'];

export interface EventRegistrationRecord {
  eventId: string;
  customerId: string;
  /** This registration's id (a new one when a member registers again after cancelling): the source of its check-in points. */
  id: string;
  status: RegistrationStatus;
  /** Companions the member brings; the registration takes 1 + companions seats. */
  companions: number;
  /** The arrival number: the FIFO order of the event's registrations. */
  sequence: number;
  registeredAt: string;
  registeredBy: Author;
  confirmedAt?: string;
  offeredAt?: string;
  /** While OFFERED: the instant the held seat passes to the next member. */
  holdExpiresAt?: string;
  checkedInAt?: string;
  checkedInBy?: Author;
  /** When it was cancelled, declined or lapsed. */
  endedAt?: string;
  endedBy?: Author;
  /** Points-priced events: what the seats cost and the ledger's redemption entry (returned on cancellation). */
  pointsPaid?: number;
  redemption?: { entryId: string; at: string };
  /** Optimistic concurrency: every transition is conditioned on the version it read. */
  version: number;
}

export const registrationSeats = (r: Pick<EventRegistrationRecord, 'companions'>) => 1 + r.companions;

export function registrationIndexes(r: EventRegistrationRecord): IndexKeys {
  return {
    byParent: { pk: customerKeys.partition(r.customerId), sk: eventKeys.underMember(r.registeredAt, r.eventId) },
    ...(r.status === 'WAITLISTED' ? { byCollection: { pk: eventKeys.waitlist(r.eventId), sk: eventKeys.waitlistSort(r.sequence) } } : {}),
    ...(r.status === 'OFFERED' && r.holdExpiresAt
      ? { bySchedule: { pk: eventKeys.holdShard(scheduleShard(`${r.eventId}${r.customerId}`)), sk: eventKeys.holdSort(r.holdExpiresAt, r.eventId, r.customerId) } }
      : {}),
  };
}

export const registrationEntity = defineEntity<EventRegistrationRecord>({
  name: 'ClubEventRegistration',
  example: () => ({
    eventId: '01JEVENT000000000000000000',
    customerId: '01JCUSTOMER0000000000000000',
    id: '01JREGISTRATION00000000000',
    status: 'OFFERED',
    companions: 1,
    sequence: 12,
    registeredAt: '2026-03-02T10:00:00.000Z',
    registeredBy: { kind: 'customer', id: '01JCUSTOMER0000000000000000' },
    offeredAt: '2026-04-01T08:00:00.000Z',
    holdExpiresAt: '2026-04-03T08:00:00.000Z',
    version: 2,
  }),
  key: (r) => eventKeys.registration(r.eventId, r.customerId),
  indexes: registrationIndexes,
  fields: {
    eventId: field.string,
    customerId: field.string,
    id: field.string,
    status: field.oneOf(REGISTRATION_STATUSES),
    companions: field.number,
    sequence: field.number,
    registeredAt: field.string,
    registeredBy: field.map<Author>(),
    confirmedAt: field.optional(field.string),
    offeredAt: field.optional(field.string),
    holdExpiresAt: field.optional(field.string),
    checkedInAt: field.optional(field.string),
    checkedInBy: field.optional(field.map<Author>()),
    endedAt: field.optional(field.string),
    endedBy: field.optional(field.map<Author>()),
    pointsPaid: field.optional(field.number),
    redemption: field.optional(field.map<{ entryId: string; at: string }>()),
    version: field.number,
  },
});

/** `ClubEvent` global ids: the event's ULID. */
export const CLUB_EVENT_NODE = nodeKey('ClubEvent', isUlid);
/** `EventRegistration` global ids: `<event ULID>.<customer ULID>`. */
export const EVENT_REGISTRATION_NODE = nodeKey('EventRegistration', keyShape(KEY_PART.ulid, '\\.', KEY_PART.ulid));

export const registrationGlobalKey = (r: Pick<EventRegistrationRecord, 'eventId' | 'customerId'>) => `${r.eventId}.${r.customerId}`;
export function parseRegistrationGlobalKey(key: string): { eventId: string; customerId: string } | null {
  const [eventId, customerId] = key.split('.');
  return eventId && customerId && isUlid(eventId) && isUlid(customerId) ? { eventId, customerId } : null;
}
