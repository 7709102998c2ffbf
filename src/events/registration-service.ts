import { authorOf, callerCustomerId, callerDealerId, clubEventPolicy, clubPolicy } from '../auth/policies.js';
import { ForbiddenError, InvariantError } from '../shared/errors.js';
import type { CustomerRecord } from '../customer/customer.js';
import { CUSTOMER_NODE } from '../customer/customer.js';
import { keyOfGlobalId, newId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import type { Refusal } from '../store/fact-hooks.js';
import { CLUB_EVENT_NODE, registrationSeats, type ClubEventRecord, type EventRegistrationRecord } from './event-records.js';
import { isActive } from './event-repository.js';
import {
  chargeAndWrite,
  CONFLICT,
  endRegistration,
  eventContribution,
  EVENT_CANCELLED,
  MAX_SEAT_ATTEMPTS,
  NOT_A_MEMBER,
  pause,
  registrationContribution,
  seatRefusal,
  type EndStatus,
  type SeatDeps,
} from './seats.js';

/** Companions a member may bring at most, whatever the event (each takes a seat). */
export const MAX_COMPANIONS = 3;
/** Registrations an event's waitlist holds at most: a queue longer than any number of cancellations could serve is a promise not kept. */
export const MAX_WAITLIST = 500;

export interface RegistrationResult {
  registration: EventRegistrationRecord | null;
  userErrors: UserError[];
}

const failed = (...userErrors: UserError[]): RegistrationResult => ({ registration: null, userErrors });
const done = (registration: EventRegistrationRecord): RegistrationResult => ({ registration, userErrors: [] });

export const seatDeps = (ctx: ServiceContext): SeatDeps => ({ events: ctx.repos.events, ledger: ctx.repos.ledger, customers: ctx.repos.customers, vehicles: ctx.repos.vehicles });

/** The input field a refusal belongs on: the event's state on `eventId`, the member's on `customerId`. */
const FIELD_OF: Partial<Record<UserError['code'], string>> = {
  NOT_A_MEMBER: 'customerId',
  INSUFFICIENT_POINTS: 'customerId',
  INELIGIBLE_LEVEL: 'customerId',
  INELIGIBLE_MODEL: 'customerId',
  TOO_MANY_COMPANIONS: 'companions',
};
const refused = (r: Refusal): RegistrationResult => failed(userError(FIELD_OF[r.code] ?? 'eventId', r.code, r.message));

const REFUSALS = {
  alreadyRegistered: { code: 'ALREADY_REGISTERED', message: 'The member is already registered for this event (confirmed, waitlisted or offered a seat).' },
  closed: { code: 'REGISTRATION_CLOSED', message: 'Registrations for this event have closed.' },
  notRegistered: { code: 'NOT_REGISTERED', message: 'The member has no registration for this event that this applies to.' },
  holdExpired: { code: 'HOLD_EXPIRED', message: 'The seat held for the member was not accepted in time and has passed on.' },
  started: { code: 'REGISTRATION_CLOSED', message: 'The event has started: registrations can no longer change.' },
  attended: { code: 'INVALID_STATUS', message: 'The member has attended the event: the registration can no longer be cancelled.' },
  noOffer: { code: 'INVALID_STATUS', message: 'No seat is held for the member: they are waiting for one to free.' },
} satisfies Record<string, Refusal>;

const INELIGIBLE: Record<'NOT_A_MEMBER' | 'INELIGIBLE_LEVEL' | 'INELIGIBLE_MODEL', Refusal> = {
  NOT_A_MEMBER,
  INELIGIBLE_LEVEL: { code: 'INELIGIBLE_LEVEL', message: "The member's club status level is below the event's minimum." },
  INELIGIBLE_MODEL: { code: 'INELIGIBLE_MODEL', message: 'The event is for owners of other model lines or variants.' },
};

/**
 * The event and the member a registration mutation names, as the caller may act on them:
 * the event (every signed-in caller sees the programme) and the member, whom the member
 * themself, an admin or the hosting dealer (for a customer linked to it) may register —
 * anyone else finds no such customer.
 */
async function subjects(ctx: ServiceContext, input: { eventId: string; customerId: string }): Promise<{ event: ClubEventRecord; customer: CustomerRecord } | UserError> {
  if (!clubEventPolicy.canRegisterAny(ctx.principal)) throw new ForbiddenError();
  const eventId = keyOfGlobalId(input.eventId, CLUB_EVENT_NODE);
  const event = eventId ? await ctx.repos.events.get(eventId) : null;
  if (!event) return notFound('eventId', 'club event');
  const customerId = keyOfGlobalId(input.customerId, CUSTOMER_NODE);
  const self = callerCustomerId(ctx.principal);
  // A customer token never reads anyone else's profile: refused before the read.
  const customer = customerId && (self === undefined || self === customerId) ? await ctx.repos.customers.get(customerId) : null;
  const dealerId = callerDealerId(ctx.principal);
  const linked = customer !== null && dealerId !== undefined && customer.dealerIds.includes(dealerId);
  if (!customer || !clubEventPolicy.canRegister(ctx.principal, event.hostDealerId, { customerId: customer.id, linkedToCallerDealer: linked })) return notFound('customerId', 'customer');
  return { event, customer };
}

/**
 * A seat priced in points spends the member's points: only the member (or the brand on
 * their behalf) may do that, as with rewards — a hosting dealer registers its customers
 * for free and money-priced events only.
 */
function spendsOwnPoints(ctx: ServiceContext, event: ClubEventRecord, customerId: string): UserError[] {
  if (!event.pricePoints || clubPolicy.canActAsMember(ctx.principal, customerId)) return [];
  return [userError('customerId', 'MEMBER_MUST_SPEND', "Seats priced in points are paid with the member's own points: the member registers (or accepts) themself.")];
}

/**
 * Registers a member: CONFIRMED while seats remain (a points-priced event charges the
 * member's points in the same transaction), else WAITLISTED. Every registration takes the
 * event's next arrival number under the condition that it is still the one read, so the
 * numbers are unique and in the order the decisions were made: confirmed registrations
 * hold the lowest numbers, the waitlist is the rest in order.
 */
export async function registerForEvent(ctx: ServiceContext, input: { eventId: string; customerId: string; companions?: number | null }): Promise<RegistrationResult> {
  const companions = input.companions ?? 0;
  if (!Number.isInteger(companions) || companions < 0) return failed(userError('companions', 'OUT_OF_RANGE', `Must be a whole number from 0 to ${MAX_COMPANIONS}.`));
  const found = await subjects(ctx, input);
  if ('code' in found) return failed(found);
  const { customer } = found;
  let { event } = found;
  const now = ctx.clock();
  const errors: UserError[] = [];
  if (event.status === 'CANCELLED') errors.push(userError('eventId', 'EVENT_CANCELLED', EVENT_CANCELLED.message));
  else if (now.toISOString() >= event.registrationDeadline || now.toISOString() >= event.startsAt) errors.push(userError('eventId', 'REGISTRATION_CLOSED', REFUSALS.closed.message));
  if (companions > event.companionsAllowed) errors.push(userError('companions', 'TOO_MANY_COMPANIONS', `This event allows ${event.companionsAllowed} companion(s) per member.`));
  errors.push(...spendsOwnPoints(ctx, event, customer.id));
  if (errors.length) return failed(...errors);

  const deps = seatDeps(ctx);
  const [membership, existing] = await Promise.all([ctx.repos.ledger.getMembership(customer.id), ctx.repos.events.getRegistration(event.id, customer.id)]);
  if (existing && isActive(existing)) return refused(REFUSALS.alreadyRegistered);
  const refusal = await seatRefusal(deps, event, customer, membership);
  if (refusal) return refused(INELIGIBLE[refusal]);

  const seats = 1 + companions;
  let before = existing;
  for (let attempt = 1; attempt <= MAX_SEAT_ATTEMPTS; attempt++) {
    if (attempt > 1) {
      await pause(attempt);
      const [fresh, current] = await Promise.all([ctx.repos.events.get(event.id), ctx.repos.events.getRegistration(event.id, customer.id)]);
      if (!fresh) return failed(notFound('eventId', 'club event'));
      if (current && isActive(current)) return refused(REFUSALS.alreadyRegistered);
      [event, before] = [fresh, current];
    }
    if (event.status !== 'SCHEDULED') return refused(EVENT_CANCELLED);
    const confirm = event.seatsLeft >= seats;
    if (!confirm && event.waitlisted >= MAX_WAITLIST) return failed(userError('eventId', 'LIMIT_REACHED', `The event is full and its waitlist holds ${MAX_WAITLIST} registrations already.`));
    const at = now.toISOString();
    const registration: EventRegistrationRecord = {
      eventId: event.id,
      customerId: customer.id,
      id: newId(),
      status: confirm ? 'CONFIRMED' : 'WAITLISTED',
      companions,
      sequence: event.sequence + 1,
      registeredAt: at,
      registeredBy: authorOf(ctx.principal),
      ...(confirm ? { confirmedAt: at } : {}),
      version: (before?.version ?? 0) + 1,
    };
    const price = confirm ? (event.pricePoints ?? 0) * seats : 0;
    const items = (paid?: EventRegistrationRecord['redemption']) => {
      const written = paid ? { ...registration, pointsPaid: price, redemption: paid } : registration;
      return [
        registrationContribution(deps, written, before, (current) => (current && isActive(current) ? REFUSALS.alreadyRegistered : null)),
        confirm
          ? eventContribution(deps, event.id, { confirmedSeats: seats, seatsLeft: -seats }, { scheduled: true, sequence: event.sequence, seatsAtLeast: seats })
          : eventContribution(deps, event.id, { waitlisted: 1 }, { scheduled: true, sequence: event.sequence, seatsBelow: seats, waitlistedBelow: MAX_WAITLIST }),
        ...(confirm ? [deps.events.outbox('EventRegistrationConfirmed', { eventId: event.id, customerId: customer.id, registrationId: registration.id, seats, pointsPaid: price || null, via: 'REGISTRATION' }, now)] : []),
      ];
    };
    const result = await chargeAndWrite(deps, { customerId: customer.id, eventId: event.id, points: price, at, by: authorOf(ctx.principal), items });
    if (result.ok) return done(result.paid ? { ...registration, pointsPaid: price, redemption: result.paid } : registration);
    if (result.refusal !== CONFLICT) return refused(result.refusal);
  }
  throw new InvariantError(`Registering for event ${event.id} kept conflicting after ${MAX_SEAT_ATTEMPTS} attempts`);
}

/** Ends a registration the caller may act on, offering its seats to the waitlist (see `endRegistration`). */
async function end(ctx: ServiceContext, input: { eventId: string; customerId: string }, to: EndStatus, check: (r: EventRegistrationRecord | null, e: ClubEventRecord, now: Date) => Refusal | null): Promise<RegistrationResult> {
  const found = await subjects(ctx, input);
  if ('code' in found) return failed(found);
  const now = ctx.clock();
  const result = await endRegistration(seatDeps(ctx), {
    eventId: found.event.id,
    customerId: found.customer.id,
    to,
    now,
    by: authorOf(ctx.principal),
    check: (r, e) => check(r, e, now),
    reason: to === 'CANCELLED' ? 'Event registration cancelled' : 'Held event seat declined',
  });
  return result.ok ? done(result.registration) : refused(result.refusal);
}

/** Cancels a registration before the event starts: seats pass to the waitlist, points paid come back. */
export function cancelEventRegistration(ctx: ServiceContext, input: { eventId: string; customerId: string }): Promise<RegistrationResult> {
  return end(ctx, input, 'CANCELLED', (r, e, now) => {
    if (!r || !isActive(r)) return REFUSALS.notRegistered;
    if (r.status === 'CHECKED_IN') return REFUSALS.attended;
    if (e.status === 'SCHEDULED' && now.toISOString() >= e.startsAt) return REFUSALS.started;
    return null;
  });
}

/** Declines a held seat: it passes to the next member on the waitlist. */
export function declineEventSeat(ctx: ServiceContext, input: { eventId: string; customerId: string }): Promise<RegistrationResult> {
  return end(ctx, input, 'DECLINED', (r) => {
    if (!r || !isActive(r)) return r?.status === 'LAPSED' ? REFUSALS.holdExpired : REFUSALS.notRegistered;
    return r.status === 'OFFERED' ? null : REFUSALS.noOffer;
  });
}

/**
 * Accepts a held seat before the hold lapses: CONFIRMED, charging a points-priced event's
 * points then. Accepting a seat already accepted answers the confirmed registration.
 */
export async function acceptEventSeat(ctx: ServiceContext, input: { eventId: string; customerId: string }): Promise<RegistrationResult> {
  const found = await subjects(ctx, input);
  if ('code' in found) return failed(found);
  const spending = spendsOwnPoints(ctx, found.event, found.customer.id);
  if (spending.length) return failed(...spending);
  const deps = seatDeps(ctx);
  const now = ctx.clock();
  const at = now.toISOString();
  for (let attempt = 1; attempt <= MAX_SEAT_ATTEMPTS; attempt++) {
    if (attempt > 1) await pause(attempt);
    const [event, before] = await Promise.all([ctx.repos.events.get(found.event.id), ctx.repos.events.getRegistration(found.event.id, found.customer.id)]);
    if (!event) return failed(notFound('eventId', 'club event'));
    if (before && (before.status === 'CONFIRMED' || before.status === 'CHECKED_IN')) return done(before);
    if (before?.status === 'LAPSED' || (before?.status === 'OFFERED' && before.holdExpiresAt! <= at)) return refused(REFUSALS.holdExpired);
    if (!before || !isActive(before)) return refused(REFUSALS.notRegistered);
    if (before.status !== 'OFFERED') return refused(REFUSALS.noOffer);
    if (event.status !== 'SCHEDULED') return refused(EVENT_CANCELLED);
    const seats = registrationSeats(before);
    const price = (event.pricePoints ?? 0) * seats;
    const confirmed: EventRegistrationRecord = { ...before, status: 'CONFIRMED', confirmedAt: at, version: before.version + 1 };
    const items = (paid?: EventRegistrationRecord['redemption']) => [
      registrationContribution(deps, paid ? { ...confirmed, pointsPaid: price, redemption: paid } : confirmed, before),
      eventContribution(deps, event.id, { heldSeats: -seats, confirmedSeats: seats }, { scheduled: true }),
      deps.events.outbox('EventRegistrationConfirmed', { eventId: event.id, customerId: before.customerId, registrationId: before.id, seats, pointsPaid: price || null, via: 'HOLD_ACCEPTED' }, now),
    ];
    const result = await chargeAndWrite(deps, { customerId: before.customerId, eventId: event.id, points: price, at, by: authorOf(ctx.principal), items });
    if (result.ok) return done(result.paid ? { ...confirmed, pointsPaid: price, redemption: result.paid } : confirmed);
    if (result.refusal !== CONFLICT) return refused(result.refusal);
  }
  throw new InvariantError(`Accepting a seat at event ${found.event.id} kept conflicting after ${MAX_SEAT_ATTEMPTS} attempts`);
}
