import { authorOf, clubEventPolicy } from '../auth/policies.js';
import { CUSTOMER_NODE } from '../customer/customer.js';
import { InvariantError } from '../shared/errors.js';
import { keyOfGlobalId, newId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError } from '../shared/user-error.js';
import type { Contribution } from '../store/fact-hooks.js';
import type { InteractionRecord } from '../value/fact-repository.js';
import { CLUB_EVENT_NODE, registrationSeats, type ClubEventRecord, type EventRegistrationRecord } from './event-records.js';
import { seatDeps, type RegistrationResult } from './registration-service.js';
import { CONFLICT, eventContribution, MAX_SEAT_ATTEMPTS, pause, registrationContribution } from './seats.js';

/** Check-in opens this long before the start (the evening before, for an early track day). */
const CHECK_IN_OPENS_HOURS = 24;

/** Who sent the attendance interaction: Paddock's own club events, whoever checked the member in. */
const ATTENDANCE_SOURCE = { tenant: 'BRAND', system: 'paddock-club-events' };

/** The interaction a check-in records, so interests (the event's model line and kind) and the value scores see the attendance. */
export function attendanceInteraction(event: ClubEventRecord, registration: EventRegistrationRecord, at: string): InteractionRecord {
  return {
    id: newId(),
    customerId: registration.customerId,
    sourceTenant: ATTENDANCE_SOURCE.tenant,
    sourceSystem: ATTENDANCE_SOURCE.system,
    // One per registration: a retried or concurrent check-in is the value domain's DUPLICATE.
    sourceEventId: `check-in:${registration.id}`,
    channel: event.hostDealerId ? 'DEALER' : 'EXPERIENCE_CENTRE',
    type: 'EVENT_ATTENDANCE',
    ...(event.eligibility.modelLines[0] ? { modelLine: event.eligibility.modelLines[0] } : {}),
    topic: event.kind.toLowerCase().replace(/_/g, ' '),
    occurredAt: at,
    recordedAt: at,
  };
}

/**
 * Checks in a member with a confirmed seat (the hosting dealer with `club:events`, or an
 * admin), in one transaction: the registration → CHECKED_IN, the event's checked-in
 * counts, the event's points accrued in the member's ledger (once per registration, the
 * ledger's own marker) and an `EVENT_ATTENDANCE` interaction with its dedup item. A second
 * check-in writes nothing and answers the checked-in registration.
 */
export async function checkInAttendee(ctx: ServiceContext, input: { eventId: string; customerId: string }): Promise<RegistrationResult> {
  const eventId = keyOfGlobalId(input.eventId, CLUB_EVENT_NODE);
  const found = eventId ? await ctx.repos.events.get(eventId) : null;
  // Another dealer's event is as absent as an unknown one.
  if (!found || !clubEventPolicy.canManage(ctx.principal, found.hostDealerId)) return { registration: null, userErrors: [notFound('eventId', 'club event')] };
  const customerId = keyOfGlobalId(input.customerId, CUSTOMER_NODE);
  const notRegistered = { registration: null, userErrors: [userError('customerId', 'NOT_REGISTERED', 'The member has no confirmed seat at this event.')] };
  if (!customerId) return notRegistered;
  const now = ctx.clock();
  const at = now.toISOString();
  if (found.status === 'CANCELLED') return { registration: null, userErrors: [userError('eventId', 'EVENT_CANCELLED', 'The event is cancelled.')] };
  if (now.getTime() < Date.parse(found.startsAt) - CHECK_IN_OPENS_HOURS * 3_600_000) {
    return { registration: null, userErrors: [userError('eventId', 'INVALID_STATUS', `Check-in opens ${CHECK_IN_OPENS_HOURS} hours before the event starts.`)] };
  }
  const deps = seatDeps(ctx);
  for (let attempt = 1; attempt <= MAX_SEAT_ATTEMPTS; attempt++) {
    if (attempt > 1) await pause(attempt);
    const [event, before] = await Promise.all([ctx.repos.events.get(found.id), ctx.repos.events.getRegistration(found.id, customerId)]);
    if (!event) return { registration: null, userErrors: [notFound('eventId', 'club event')] };
    if (before?.status === 'CHECKED_IN') return { registration: before, userErrors: [] };
    if (!before || before.status !== 'CONFIRMED') return notRegistered;
    const after: EventRegistrationRecord = { ...before, status: 'CHECKED_IN', checkedInAt: at, checkedInBy: authorOf(ctx.principal), version: before.version + 1 };
    const interaction = attendanceInteraction(event, before, at);
    const hooks = async (): Promise<Contribution[]> => {
      // Read on every attempt: the accrual is conditioned on the membership as read.
      const membership = event.pointsOnCheckIn > 0 ? await ctx.repos.ledger.getMembership(customerId) : null;
      return [
        registrationContribution(deps, after, before),
        eventContribution(deps, event.id, { checkedIn: 1, checkedInSeats: registrationSeats(before) }, {}),
        ...(membership?.status === 'ACTIVE' ? ctx.repos.ledger.accrualContributions(membership, { source: { type: 'EVENT_CHECK_IN', id: before.id }, basePoints: event.pointsOnCheckIn, at }) : []),
        ...(await ctx.facts.contributions('InteractionRecorded', { interaction })),
      ];
    };
    const outcome = await ctx.repos.facts.recordInteraction(interaction, hooks);
    if (outcome === 'ACCEPTED') return { registration: after, userErrors: [] };
    if (outcome === 'CUSTOMER_NOT_FOUND') return notRegistered;
    // DUPLICATE (a concurrent check-in won) and CONFLICT read again: the registration says what happened.
    if (typeof outcome === 'object' && outcome !== CONFLICT) return { registration: null, userErrors: [userError('customerId', outcome.code, outcome.message)] };
  }
  throw new InvariantError(`Checking in at event ${found.id} kept conflicting after ${MAX_SEAT_ATTEMPTS} attempts`);
}
