import type { Author } from '../auth/policies.js';
import type { LedgerRepository } from '../club/ledger-repository.js';
import { clubKeys, type MembershipRecord } from '../club/club-records.js';
import { CLUB_RULES, type ClubRules } from '../club/rules.js';
import type { CustomerRepository } from '../customer/customer-repository.js';
import type { CustomerRecord } from '../customer/customer.js';
import { InvariantError } from '../shared/errors.js';
import { explainFailures, writeContributions, type Contribution, type Refusal } from '../store/fact-hooks.js';
import { backoffDelayMs, sleep } from '../store/retry.js';
import type { VehicleRepository } from '../vehicle/vehicle-repository.js';
import { asksForCars, chooseOffers, ineligibility, type Ineligibility, type OwnedCar } from './eligibility.js';
import { registrationSeats, type ClubEventRecord, type EventRegistrationRecord } from './event-records.js';
import type { CounterChange, EventGuard, EventRepository } from './event-repository.js';

/**
 * The seat engine shared by the API's services and the holds job: who may sit, how a
 * freed seat passes down the waitlist, and how a registration ends — each a transaction
 * that moves the registration, the event's counters, the outbox and (for points-priced
 * events) the ledger together, retried on a lost race with fresh reads.
 */
export interface SeatDeps {
  events: EventRepository;
  ledger: LedgerRepository;
  customers: CustomerRepository;
  vehicles: VehicleRepository;
  rules?: ClubRules;
}

/**
 * What an item's explanation answers when its own condition still holds after a failed
 * transaction: someone else's write got there first. Never shown to a caller: the writers
 * read again and decide again when they see it.
 */
export const CONFLICT: Refusal = { code: 'TEMPORARY_FAILURE', message: 'The event changed while this was written; it is tried again.' };

/** Attempts before a write that keeps losing races is a fault (registrations of one event serialise on its arrival counter). */
export const MAX_SEAT_ATTEMPTS = 80;

export const pause = (attempt: number) => sleep(backoffDelayMs(attempt, 10, 1000));

/** How many waitlisted registrations one pass reads, at most, looking for members to offer seats to. */
const MAX_CANDIDATES = 50;
/** Offers one transaction makes at most (each is two items: the registration and its outbox event). */
export const MAX_OFFERS_PER_WRITE = 20;

/** The cars a customer owns now, read only when the event asks about cars; model-line counts suffice without variants. */
export async function carsOf(deps: Pick<SeatDeps, 'vehicles'>, customer: CustomerRecord, event: Pick<ClubEventRecord, 'eligibility'>): Promise<OwnedCar[]> {
  if (!asksForCars(event.eligibility)) return [];
  if (event.eligibility.variants.length === 0) {
    return Object.entries(customer.vehicleCounts).flatMap(([line, count]) => (count > 0 ? [{ modelLine: line as OwnedCar['modelLine'], variant: '' }] : []));
  }
  const vehicles = await deps.vehicles.getMany(customer.vehicleVins);
  // The profile's VIN set and the cars' owners are written together; the owner check is defence in depth.
  return [...vehicles.values()].filter((v) => v.ownerId === customer.id).map((v) => ({ modelLine: v.modelLine, variant: v.variant }));
}

/** Why a customer may not sit at an event now (not an active member, or ineligible); null when they may. */
export async function seatRefusal(deps: SeatDeps, event: ClubEventRecord, customer: CustomerRecord, membership?: MembershipRecord | null): Promise<'NOT_A_MEMBER' | Ineligibility | null> {
  const m = membership === undefined ? await deps.ledger.getMembership(customer.id) : membership;
  if (!m || m.status !== 'ACTIVE') return 'NOT_A_MEMBER';
  return ineligibility(event.eligibility, m, await carsOf(deps, customer, event), deps.rules ?? CLUB_RULES);
}

/** A check, in the seat's transaction, that the member is still an active member (the ledger checks it itself when it charges). */
export function activeMemberCheck(deps: SeatDeps, customerId: string): Contribution {
  return {
    item: {
      ConditionCheck: {
        TableName: deps.events.table,
        Key: clubKeys.membership(customerId),
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'ACTIVE' },
      },
    },
    explainFailure: async () => {
      const m = await deps.ledger.getMembership(customerId);
      return !m || m.status !== 'ACTIVE' ? NOT_A_MEMBER : CONFLICT;
    },
  };
}

/** A registration written as `after` from `before` (or new); a lost race reads as CONFLICT, anything else is the caller's to explain. */
export function registrationContribution(deps: SeatDeps, after: EventRegistrationRecord, before: EventRegistrationRecord | null, explain?: (current: EventRegistrationRecord | null) => Refusal | null): Contribution {
  return {
    item: deps.events.registrationWrite(after, before),
    explainFailure: async () => explain?.(await deps.events.getRegistration(after.eventId, after.customerId)) ?? CONFLICT,
  };
}

/** The event's counters, under a guard; a failed guard on a cancelled event is EVENT_CANCELLED, any other a race to try again. */
export function eventContribution(deps: SeatDeps, eventId: string, change: CounterChange, guard: EventGuard, set?: Partial<ClubEventRecord>): Contribution {
  return {
    item: deps.events.eventUpdate(eventId, change, guard, set),
    explainFailure: async () => {
      const now = await deps.events.get(eventId);
      if (!now) return { code: 'NOT_FOUND', message: 'No club event with this ID.' };
      return guard.scheduled && now.status !== 'SCHEDULED' ? EVENT_CANCELLED : CONFLICT;
    },
  };
}

export const EVENT_CANCELLED: Refusal = { code: 'EVENT_CANCELLED', message: 'The event is cancelled.' };

/** The latest instant a hold may run to: `waitlistHoldHours` from now, but never past the event's start. */
export function holdExpiry(event: Pick<ClubEventRecord, 'startsAt'>, now: Date, rules: ClubRules = CLUB_RULES): string {
  const end = Math.min(now.getTime() + rules.waitlistHoldHours * 3_600_000, Date.parse(event.startsAt));
  return new Date(end).toISOString();
}

export interface Offers {
  contributions: Contribution[];
  change: CounterChange;
  offered: EventRegistrationRecord[];
  seats: number;
  /**
   * What the event's write must also hold: while seats stay free after these offers, the
   * waitlist is still the one read. A member waitlisted after the read (the event was full
   * for them then) would otherwise find the seats this write frees left on the shelf, for
   * the next newcomer to take ahead of them; with it, the write fails and decides again.
   */
  guard: EventGuard;
}

/**
 * Offers `freeSeats` to the waitlist, in arrival order (see `chooseOffers`): each chosen
 * registration becomes OFFERED with a hold (in `bySchedule` at its expiry), and its
 * `EventSeatOffered` event goes out, all in the caller's transaction. No offers once the
 * event has started or is cancelled.
 */
export async function offersFor(deps: SeatDeps, event: ClubEventRecord, freeSeats: number, now: Date, exclude?: string): Promise<Offers> {
  if (freeSeats <= 0 || event.status !== 'SCHEDULED' || Date.parse(event.startsAt) <= now.getTime()) return { contributions: [], change: {}, offered: [], seats: 0, guard: {} };
  const none: Offers = { contributions: [], change: {}, offered: [], seats: 0, guard: { waitlistedIs: event.waitlisted } };
  if (event.waitlisted <= 0) return none;
  // The waitlist index is eventually consistent: each offer is conditioned on the version read, so a stale entry only fails the write, which reads again.
  const page = await deps.events.waitlistOf(event.id, MAX_CANDIDATES);
  const waiting = page.items.filter((r) => r.status === 'WAITLISTED' && r.customerId !== exclude);
  const customers = await deps.customers.getMany(waiting.map((r) => r.customerId));
  const chosen = await chooseOffers(
    waiting,
    freeSeats,
    registrationSeats,
    async (r) => {
      const customer = customers.get(r.customerId);
      return customer !== undefined && (await seatRefusal(deps, event, customer)) === null;
    },
    MAX_OFFERS_PER_WRITE,
  );
  if (chosen.length === 0) return none;
  const holdExpiresAt = holdExpiry(event, now, deps.rules);
  const at = now.toISOString();
  const offered = chosen.map((r): EventRegistrationRecord => ({ ...r, status: 'OFFERED', offeredAt: at, holdExpiresAt, version: r.version + 1 }));
  const seats = offered.reduce((s, r) => s + registrationSeats(r), 0);
  return {
    contributions: offered.flatMap((r, i) => [
      registrationContribution(deps, r, chosen[i]!),
      deps.events.outbox('EventSeatOffered', { eventId: r.eventId, customerId: r.customerId, registrationId: r.id, seats: registrationSeats(r), holdExpiresAt }, now),
    ]),
    change: { heldSeats: seats, seatsLeft: -seats, waitlisted: -offered.length },
    offered,
    seats,
    guard: seats < freeSeats ? { waitlistedIs: event.waitlisted } : {},
  };
}

/** Adds two counter changes. */
export function plus(a: CounterChange, b: CounterChange): CounterChange {
  const sum: CounterChange = { ...a };
  for (const [k, v] of Object.entries(b) as [keyof CounterChange, number][]) sum[k] = (sum[k] ?? 0) + v;
  return sum;
}

/** The counters a registration stops holding when it ends (or moves on). */
export function releasedBy(r: EventRegistrationRecord): CounterChange {
  const seats = registrationSeats(r);
  switch (r.status) {
    case 'CONFIRMED':
      return { confirmedSeats: -seats, seatsLeft: seats };
    case 'OFFERED':
      return { heldSeats: -seats, seatsLeft: seats };
    case 'WAITLISTED':
      return { waitlisted: -1 };
    default:
      return {};
  }
}

export type EndStatus = 'CANCELLED' | 'DECLINED' | 'LAPSED';

export interface EndRequest {
  eventId: string;
  customerId: string;
  to: EndStatus;
  now: Date;
  by?: Author;
  /** Decides on the registration and event as read (fresh on every attempt): a refusal ends the attempt, null proceeds. */
  check: (r: EventRegistrationRecord | null, event: ClubEventRecord) => Refusal | null;
  /** Why points are given back, for the ledger's REVERSAL entry. */
  reason: string;
}

export type EndResult = { ok: true; registration: EventRegistrationRecord; offered: EventRegistrationRecord[]; pointsReturned: number } | { ok: false; refusal: Refusal };

/**
 * Ends a registration (cancelled, declined, lapsed) and, in the same transaction, offers
 * the seats it frees to the waitlist — so a freed seat is never free for a newcomer to
 * take ahead of the queue — and gives back the points it was paid with.
 */
export async function endRegistration(deps: SeatDeps, req: EndRequest): Promise<EndResult> {
  for (let attempt = 1; attempt <= MAX_SEAT_ATTEMPTS; attempt++) {
    const [event, before] = await Promise.all([deps.events.get(req.eventId), deps.events.getRegistration(req.eventId, req.customerId)]);
    if (!event) return { ok: false, refusal: { code: 'NOT_FOUND', message: 'No club event with this ID.' } };
    const refusal = req.check(before, event);
    if (refusal) return { ok: false, refusal };
    if (!before) throw new InvariantError('A registration check let a missing registration through');
    const at = req.now.toISOString();
    const after: EventRegistrationRecord = { ...before, status: req.to, endedAt: at, ...(req.by ? { endedBy: req.by } : {}), holdExpiresAt: undefined, version: before.version + 1 };
    const released = releasedBy(before);
    const freed = released.seatsLeft ?? 0;
    const offers = await offersFor(deps, event, event.seatsLeft + freed, req.now, before.customerId);
    // Offers may use seats that were free before (left over by parties too large): those must still be free.
    const guard: EventGuard = { ...offers.guard, ...(offers.seats > freed ? { seatsAtLeast: offers.seats - freed } : {}) };
    const contributions = [registrationContribution(deps, after, before), eventContribution(deps, event.id, plus(released, offers.change), guard), ...offers.contributions];
    const paid = before.status === 'CONFIRMED' && before.redemption && before.pointsPaid;
    if (paid && !req.by) throw new InvariantError('Points are given back only on a request by someone');
    const result = paid
      ? await deps.ledger.returnRedemption({ customerId: before.customerId, redemptionEntryId: before.redemption!.entryId, redemptionAt: before.redemption!.at, at, by: req.by!, reason: req.reason, extra: contributions })
      : await write(deps, contributions);
    if (result.ok) return { ok: true, registration: after, offered: offers.offered, pointsReturned: paid ? before.pointsPaid! : 0 };
    if (result.refusal !== CONFLICT) return { ok: false, refusal: result.refusal };
    await pause(attempt);
  }
  throw new InvariantError(`Ending registration ${req.eventId}/${req.customerId} kept conflicting after ${MAX_SEAT_ATTEMPTS} attempts`);
}

export const NOT_A_MEMBER: Refusal = { code: 'NOT_A_MEMBER', message: 'Only active club members can take a seat at club events.' };

export type Paid = NonNullable<EventRegistrationRecord['redemption']>;

/**
 * Writes a seat's items (`items`, given the redemption when the seat is paid in points):
 * through the ledger's redemption when it costs points, so the points are spent in the
 * same transaction; otherwise with a check that the member is still active.
 */
export async function chargeAndWrite(deps: SeatDeps, r: { customerId: string; eventId: string; points: number; at: string; by: Author; items: (paid?: Paid) => Contribution[] }): Promise<{ ok: true; paid?: Paid } | { ok: false; refusal: Refusal }> {
  if (r.points <= 0) return write(deps, [...r.items(), activeMemberCheck(deps, r.customerId)]);
  const result = await deps.ledger.redeem({ customerId: r.customerId, points: r.points, source: { type: 'CLUB_EVENT', id: r.eventId }, at: r.at, by: r.by, extra: (entryId) => r.items({ entryId, at: r.at }) });
  if (result.ok) return { ok: true, paid: { entryId: result.entry.id, at: r.at } };
  if ('reason' in result) return { ok: false, refusal: result.reason === 'NOT_A_MEMBER' ? NOT_A_MEMBER : { code: 'INSUFFICIENT_POINTS', message: `The seats cost ${r.points} points; ${result.available} are available.` } };
  return { ok: false, refusal: result.refusal };
}

/** Writes contributions in one transaction; a failure is the first refusal its items explain, else a CONFLICT. */
export async function write(deps: SeatDeps, contributions: readonly Contribution[]): Promise<{ ok: true } | { ok: false; refusal: Refusal }> {
  const result = await writeContributions(deps.events.store, contributions);
  if (result.ok) return result;
  return { ok: false, refusal: (await explainFailures(result.failed)) ?? CONFLICT };
}
