import { authorOf, callerDealerId, clubEventPolicy, clubPolicy } from '../auth/policies.js';
import type { ModelLine } from '../catalogue/model-lines.js';
import { CLUB_RULES, type ClubLevel } from '../club/rules.js';
import { DEALER_NODE } from '../dealer/dealer.js';
import { ForbiddenError, InvalidInputError, InvariantError } from '../shared/errors.js';
import { inBatches } from '../shared/in-batches.js';
import { keyOfGlobalId, newId } from '../shared/ids.js';
import type { Money } from '../shared/money.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { checkInstant, checkIntRange, checkMoney, checkText, parseInstant } from '../shared/validation.js';
import type { Page } from '../store/cursor.js';
import type { Refusal } from '../store/fact-hooks.js';
import { CLUB_EVENT_NODE, type ClubEventKind, type ClubEventRecord, type EventEligibility, type EventLocation, type EventRegistrationRecord } from './event-records.js';
import { isActive } from './event-repository.js';
import { MAX_COMPANIONS, seatDeps } from './registration-service.js';
import { CONFLICT, endRegistration, eventContribution, MAX_OFFERS_PER_WRITE, MAX_SEAT_ATTEMPTS, offersFor, pause, plus, write } from './seats.js';

export const MAX_CAPACITY = 1_000;
const MAX_TITLE = 100;
const MAX_DESCRIPTION = 2_000;
const MAX_PRICE_POINTS = 1_000_000;
/** Euros per seat (scaled per currency): an experience abroad, not a car. */
const MAX_PRICE_MONEY = 100_000;
const MAX_CHECK_IN_POINTS = 100_000;
const MAX_VARIANTS = 10;
const MAX_VARIANT_LENGTH = 30;
const COUNTRY = /^[A-Z]{2}$/;

export interface ClubEventResult {
  clubEvent: ClubEventRecord | null;
  userErrors: UserError[];
}

const failed = (...userErrors: UserError[]): ClubEventResult => ({ clubEvent: null, userErrors });

interface EligibilityInput {
  minimumLevel?: ClubLevel | null;
  modelLines?: readonly ModelLine[] | null;
  variants?: readonly string[] | null;
}

export interface EventFieldsInput {
  title?: string | null;
  description?: string | null;
  location?: EventLocation | null;
  startsAt?: string | null;
  endsAt?: string | null;
  registrationDeadline?: string | null;
  capacity?: number | null;
  companionsAllowed?: number | null;
  pointsOnCheckIn?: number | null;
  eligibility?: EligibilityInput | null;
}

export interface CreateEventInput extends EventFieldsInput {
  kind: ClubEventKind;
  title: string;
  description: string;
  hostDealerId?: string | null;
  location: EventLocation;
  startsAt: string;
  endsAt: string;
  capacity: number;
  pricePoints?: number | null;
  priceMoney?: { amount: string; currency: string } | null;
}

const normalisedEligibility = (e: EligibilityInput | null | undefined): EventEligibility => ({
  ...(e?.minimumLevel ? { minimumLevel: e.minimumLevel } : {}),
  modelLines: [...new Set(e?.modelLines ?? [])],
  variants: [...new Set((e?.variants ?? []).map((v) => v.trim()))],
});

/**
 * The event's fields as they would be after `input` (every field checked, nothing
 * written): texts and their bounds, dates that exist and follow each other (deadline ≤
 * start < end, a new start in the future), seats, companions, points and variants.
 */
function applyFields(current: ClubEventRecord, input: EventFieldsInput, now: Date): { event: ClubEventRecord; errors: UserError[] } {
  const errors: UserError[] = [];
  const next = { ...current };
  if (input.title != null) (errors.push(...checkText('title', input.title, { max: MAX_TITLE })), (next.title = input.title.trim()));
  if (input.description != null) (errors.push(...checkText('description', input.description, { max: MAX_DESCRIPTION, required: false })), (next.description = input.description.trim()));
  if (input.location != null) {
    errors.push(...checkText('location.name', input.location.name, { max: 100 }), ...checkText('location.city', input.location.city, { max: 100 }));
    if (!COUNTRY.test(input.location.country)) errors.push(userError('location.country', 'INVALID', 'Use an ISO 3166-1 alpha-2 country code, e.g. DE.'));
    next.location = { name: input.location.name.trim(), city: input.location.city.trim(), country: input.location.country };
  }
  const instant = (field: 'startsAt' | 'endsAt' | 'registrationDeadline') => {
    const value = input[field];
    if (value == null) return;
    const checked = checkInstant(field, value);
    errors.push(...checked.errors);
    if (checked.date) next[field] = checked.date.toISOString();
  };
  instant('startsAt');
  instant('endsAt');
  instant('registrationDeadline');
  if (input.startsAt != null && input.registrationDeadline == null && current.registrationDeadline === current.startsAt) next.registrationDeadline = next.startsAt;
  if (input.startsAt != null && parseInstant(input.startsAt) && next.startsAt <= now.toISOString()) errors.push(userError('startsAt', 'INVALID', 'The event must start in the future.'));
  if (next.endsAt <= next.startsAt) errors.push(userError('endsAt', 'INVALID', 'The event must end after it starts.'));
  if (next.registrationDeadline > next.startsAt) errors.push(userError('registrationDeadline', 'INVALID', 'Registrations must close by the start of the event.'));
  if (input.capacity != null) (errors.push(...checkIntRange('capacity', input.capacity, 1, MAX_CAPACITY)), (next.capacity = input.capacity));
  if (input.companionsAllowed != null) (errors.push(...checkIntRange('companionsAllowed', input.companionsAllowed, 0, MAX_COMPANIONS)), (next.companionsAllowed = input.companionsAllowed));
  if (input.pointsOnCheckIn != null) (errors.push(...checkIntRange('pointsOnCheckIn', input.pointsOnCheckIn, 0, MAX_CHECK_IN_POINTS)), (next.pointsOnCheckIn = input.pointsOnCheckIn));
  if (input.eligibility != null) {
    const variants = input.eligibility.variants ?? [];
    // An oversized list is one problem: checking each element would answer one error per element sent.
    if (variants.length > MAX_VARIANTS) errors.push(userError('eligibility.variants', 'TOO_MANY', `At most ${MAX_VARIANTS} variants.`));
    else variants.forEach((v, i) => errors.push(...checkText(`eligibility.variants.${i}`, v, { max: MAX_VARIANT_LENGTH })));
    next.eligibility = normalisedEligibility(input.eligibility);
  }
  return { event: next, errors };
}

/** The host a new event gets: a dealer key's own dealer (it may name only itself); for admins the dealer named (which must exist), or the brand. */
async function hostOf(ctx: ServiceContext, globalId: string | null | undefined): Promise<{ hostDealerId?: string } | UserError> {
  const own = callerDealerId(ctx.principal);
  const named = globalId == null ? undefined : keyOfGlobalId(globalId, DEALER_NODE);
  if (own !== undefined) return globalId == null || named === own ? { hostDealerId: own } : notFound('hostDealerId', 'dealer');
  if (globalId == null) return {};
  return named && (await ctx.access.dealer(named)) ? { hostDealerId: named } : notFound('hostDealerId', 'dealer');
}

export async function createClubEvent(ctx: ServiceContext, input: CreateEventInput): Promise<ClubEventResult> {
  if (!clubEventPolicy.canManageAny(ctx.principal)) throw new ForbiddenError();
  const host = await hostOf(ctx, input.hostDealerId);
  if ('code' in host) return failed(host);
  if (!clubEventPolicy.canManage(ctx.principal, host.hostDealerId)) throw new ForbiddenError('Only admins create events the brand hosts.');
  const now = ctx.clock();
  const at = now.toISOString();
  let priceMoney: Money | undefined;
  const errors: UserError[] = [];
  if (input.pricePoints != null) errors.push(...checkIntRange('pricePoints', input.pricePoints, 1, MAX_PRICE_POINTS));
  if (input.priceMoney != null) {
    const checked = checkMoney('priceMoney', input.priceMoney, { maxEuros: MAX_PRICE_MONEY });
    errors.push(...checked.errors);
    priceMoney = checked.money;
  }
  if (input.pricePoints != null && input.priceMoney != null) errors.push(userError('pricePoints', 'INVALID', 'A seat is priced in points or in money, not both.'));
  const blank: ClubEventRecord = {
    id: newId(),
    kind: input.kind,
    title: '',
    description: '',
    ...host,
    location: { name: '', city: '', country: '' },
    startsAt: at,
    endsAt: at,
    registrationDeadline: at,
    capacity: 0,
    companionsAllowed: 0,
    ...(input.pricePoints != null ? { pricePoints: input.pricePoints } : {}),
    ...(priceMoney && priceMoney.amountMinor > 0 ? { priceMoney } : {}),
    eligibility: normalisedEligibility(null),
    pointsOnCheckIn: 0,
    status: 'SCHEDULED',
    seatsLeft: 0,
    confirmedSeats: 0,
    heldSeats: 0,
    waitlisted: 0,
    checkedIn: 0,
    checkedInSeats: 0,
    sequence: 0,
    createdAt: at,
    createdBy: authorOf(ctx.principal),
    updatedAt: at,
  };
  // The deadline defaults to the start: given the start alone, `applyFields` moves it along.
  const { event, errors: fieldErrors } = applyFields(blank, { companionsAllowed: 0, pointsOnCheckIn: 0, eligibility: {}, ...input }, now);
  errors.push(...fieldErrors, ...checkInPointsAllowed(ctx, input.pointsOnCheckIn));
  if (errors.length) return failed(...errors);
  const created = { ...event, seatsLeft: event.capacity };
  const result = await write(seatDeps(ctx), [{ item: ctx.repos.events.created(created) }]);
  if (!result.ok) throw new InvariantError(`A new event id ${created.id} is taken`);
  return { clubEvent: created, userErrors: [] };
}

/** Whether the caller may set these check-in points (a dealer key up to the club's cap; only asked when they are being set). */
function checkInPointsAllowed(ctx: ServiceContext, points: number | null | undefined): UserError[] {
  const cap = CLUB_RULES.dealerEventCheckInPointsCap;
  // Beyond the event's own bound it is already refused (one error per field).
  if (points == null || points > MAX_CHECK_IN_POINTS || clubEventPolicy.canAwardCheckInPoints(ctx.principal, points, cap)) return [];
  return [userError('pointsOnCheckIn', 'OUT_OF_RANGE', `A dealer's events award at most ${cap} points per attendee; the brand sets more.`)];
}

/** The event a management mutation names, if the caller manages it; others (another dealer's event included) find none. */
async function managed(ctx: ServiceContext, globalId: string): Promise<ClubEventRecord | null> {
  if (!clubEventPolicy.canManageAny(ctx.principal)) throw new ForbiddenError();
  const id = keyOfGlobalId(globalId, CLUB_EVENT_NODE);
  const event = id ? await ctx.repos.events.get(id) : null;
  return event && clubEventPolicy.canManage(ctx.principal, event.hostDealerId) ? event : null;
}

const CAPACITY_BELOW: Refusal = { code: 'CAPACITY_BELOW_CONFIRMED', message: 'The capacity cannot go below the seats already confirmed and held.' };

/**
 * Changes an event. The capacity may not go below the seats confirmed and held (checked
 * in the write: `seatsLeft` must cover the cut). New seats go to the waitlist first, as
 * holds, in the same transaction as the capacity that makes them — in steps of at most
 * `MAX_OFFERS_PER_WRITE` offers, each step adding only the seats it offers, so no seat is
 * ever free for a newcomer while a member who fits waits.
 */
export async function updateClubEvent(ctx: ServiceContext, input: EventFieldsInput & { id: string }): Promise<ClubEventResult> {
  const found = await managed(ctx, input.id);
  if (!found) return failed(notFound('id', 'club event'));
  if (found.status === 'CANCELLED') return failed(userError('id', 'EVENT_CANCELLED', 'The event is cancelled.'));
  const now = ctx.clock();
  const { event: target, errors } = applyFields(found, input, now);
  errors.push(...checkInPointsAllowed(ctx, input.pointsOnCheckIn));
  if (errors.length) return failed(...errors);
  const deps = seatDeps(ctx);
  const at = now.toISOString();
  const fields: Partial<ClubEventRecord> = {
    title: target.title,
    description: target.description,
    location: target.location,
    startsAt: target.startsAt,
    endsAt: target.endsAt,
    registrationDeadline: target.registrationDeadline,
    companionsAllowed: target.companionsAllowed,
    pointsOnCheckIn: target.pointsOnCheckIn,
    eligibility: target.eligibility,
    updatedAt: at,
    ...(target.hostDealerId ? { hostDealerId: target.hostDealerId } : {}),
  };
  let fieldsWritten = false;
  for (let attempt = 1; attempt <= MAX_SEAT_ATTEMPTS; attempt++) {
    if (attempt > 1) await pause(attempt);
    const event = await ctx.repos.events.get(found.id);
    if (!event) return failed(notFound('id', 'club event'));
    const delta = target.capacity - event.capacity;
    const offers = delta > 0 ? await offersFor(deps, event, event.seatsLeft + delta, now) : { contributions: [], change: {}, offered: [], seats: 0, guard: {} };
    // Saturated: more may fit than one write offers; add only the seats offered, then go on.
    const step = offers.offered.length === MAX_OFFERS_PER_WRITE ? Math.min(delta, Math.max(0, offers.seats - event.seatsLeft)) : delta;
    const guard = { ...offers.guard, scheduled: true, capacity: event.capacity, ...(delta < 0 ? { seatsAtLeast: -delta } : {}), ...(offers.seats > step ? { seatsAtLeast: offers.seats - step } : {}) };
    const update = eventContribution(deps, event.id, plus({ capacity: step, seatsLeft: step }, offers.change), guard, fieldsWritten ? {} : fields);
    // A cut the free seats do not cover is the caller's answer; anything else a race to try again.
    const cut = async () => {
      const current = await ctx.repos.events.get(event.id);
      return current && current.seatsLeft < current.capacity - target.capacity ? CAPACITY_BELOW : update.explainFailure!();
    };
    const result = await write(deps, [delta < 0 ? { ...update, explainFailure: cut } : update, ...offers.contributions]);
    if (result.ok) {
      fieldsWritten = true;
      if (step === delta) return { clubEvent: await ctx.repos.events.get(event.id), userErrors: [] };
      continue;
    }
    if (result.refusal === CAPACITY_BELOW) return failed(userError('capacity', CAPACITY_BELOW.code, CAPACITY_BELOW.message));
    if (result.refusal !== CONFLICT) return failed(userError('id', result.refusal.code, result.refusal.message));
  }
  throw new InvariantError(`Updating event ${found.id} kept conflicting after ${MAX_SEAT_ATTEMPTS} attempts`);
}

/** Registrations cancelled at once when an event is called off. */
const CANCEL_CONCURRENCY = 4;

/**
 * Cancels an event before it starts: the event first (so nobody registers meanwhile and
 * no seat is offered), then every registration still holding a place, each in its own
 * transaction that gives back the points it was paid with. Calling it again on a
 * cancelled event finishes what an interrupted call left (nothing is given back twice:
 * the ledger returns a redemption once).
 */
export async function cancelClubEvent(ctx: ServiceContext, input: { id: string }): Promise<ClubEventResult> {
  const found = await managed(ctx, input.id);
  if (!found) return failed(notFound('id', 'club event'));
  const now = ctx.clock();
  const at = now.toISOString();
  if (found.status === 'SCHEDULED' && at >= found.startsAt) return failed(userError('id', 'INVALID_STATUS', 'The event has started and can no longer be cancelled.'));
  const deps = seatDeps(ctx);
  if (found.status === 'SCHEDULED') {
    const result = await write(deps, [
      eventContribution(deps, found.id, {}, { scheduled: true }, { status: 'CANCELLED', cancelledAt: at, updatedAt: at }),
      ctx.repos.events.outbox('ClubEventCancelled', { eventId: found.id, hostDealerId: found.hostDealerId ?? null, startsAt: found.startsAt }, now),
    ]);
    // Lost only to a concurrent cancellation (the one write that changes the status): carry on with the registrations.
    if (!result.ok && result.refusal.code !== 'EVENT_CANCELLED') throw new InvariantError(`Cancelling event ${found.id} failed: ${result.refusal.message}`);
  }
  const by = authorOf(ctx.principal);
  let after: string | null = null;
  do {
    const page: Page<EventRegistrationRecord> = await ctx.repos.events.registrationsOf(found.id, 100, after);
    await inBatches(page.items.filter(isActive), CANCEL_CONCURRENCY, async (r) => {
      const ended = await endRegistration(deps, {
        eventId: r.eventId,
        customerId: r.customerId,
        to: 'CANCELLED',
        now,
        by,
        reason: 'Club event cancelled',
        // Already ended (a concurrent call) or attended: nothing to do.
        check: (current) => (current && isActive(current) && current.status !== 'CHECKED_IN' ? null : DONE),
      });
      if (!ended.ok && ended.refusal !== DONE) throw new InvariantError(`Cancelling registration ${r.eventId}/${r.customerId} failed: ${ended.refusal.message}`);
    });
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return { clubEvent: await ctx.repos.events.get(found.id), userErrors: [] };
}

const DONE: Refusal = { code: 'INVALID_STATUS', message: 'Nothing left to cancel.' };

/** The programme: events starting at or after `from` (default now), soonest first; every signed-in caller sees it. */
export function listClubEvents(ctx: ServiceContext, args: { first: number; after?: string | null; from?: string | null; hostDealerId?: string | null }): Promise<Page<ClubEventRecord>> {
  let from = ctx.clock().toISOString();
  if (args.from != null) {
    const parsed = parseInstant(args.from);
    if (!parsed) throw new InvalidInputError('`from` is an existing ISO 8601 date-time with offset, e.g. 2026-06-01T00:00:00Z.', 'from');
    from = parsed.toISOString();
  }
  let host: string | undefined;
  if (args.hostDealerId != null) {
    host = keyOfGlobalId(args.hostDealerId, DEALER_NODE) ?? undefined;
    if (!host) throw new InvalidInputError('`hostDealerId` is not a dealer ID.', 'hostDealerId');
  }
  return ctx.repos.events.list(args.first, args.after, from, host);
}

/** Whether the caller may see who registered for an event (its host, admins, analysts). */
export const canSeeAttendees = (ctx: ServiceContext, event: ClubEventRecord) => clubEventPolicy.canSeeAttendees(ctx.principal, event.hostDealerId);

/**
 * Whether the caller may see one registration: those who see the event's attendees, and
 * those who see the member's club membership (the member, a dealer with `club:read` for a
 * linked customer, the brand's staff).
 */
export async function canSeeRegistration(ctx: ServiceContext, r: EventRegistrationRecord, event: ClubEventRecord | null): Promise<boolean> {
  if (event && canSeeAttendees(ctx, event)) return true;
  const dealerId = callerDealerId(ctx.principal);
  // Only a dealer's answer depends on the member's links.
  const customer = dealerId !== undefined ? await ctx.loaders.customer.load(r.customerId) : null;
  return clubPolicy.canRead(ctx.principal, { customerId: r.customerId, linkedToCallerDealer: customer !== null && customer.dealerIds.includes(dealerId!) });
}
