import { loadPage } from '../auth/loaders.js';
import DataLoader from 'dataloader';
import { authorOf, clubPolicy } from '../auth/policies.js';
import { CUSTOMER_NODE, type CustomerRecord } from '../customer/customer.js';
import { addDays, toDay } from '../service/calendar.js';
import { SERVICE_VISIT_NODE } from '../service/service-visit.js';
import { ForbiddenError, InvalidInputError } from '../shared/errors.js';
import { decodeGlobalId, keyOfGlobalId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { checkInstantNotInFuture, checkIntRange, checkText } from '../shared/validation.js';
import type { Page } from '../store/cursor.js';
import { VEHICLE_NODE } from '../vehicle/vehicle.js';
import type { AccrualSourceRef, LedgerEntryRecord, LotRecord, MembershipRecord, TermsConsent } from './club-records.js';
import { balanceOf, inSpendingOrder, isLive, qualifyingPointsAt, type Balance } from './ledger.js';
import { ACCRUAL_SOURCES, type AccrualSource } from './rules.js';

/**
 * Membership and corrections, for the API: who may see and change a membership (through
 * `clubPolicy`), input checks as `userErrors`, and the ledger repository for the rest.
 * A membership the caller may not see is exactly "not a member": `Customer.club` is null,
 * a mutation on it answers NOT_FOUND on the customer (or NOT_A_MEMBER when the customer is
 * visible), never "it exists but is not yours".
 */

export const CONSENT_SOURCES = ['APP', 'WEB', 'DEALER', 'PHONE', 'PAPER'] as const;
/** The largest correction one adjustment may make, either way. */
export const MAX_ADJUSTMENT_POINTS = 1_000_000;
export const MAX_REASON_LENGTH = 500;
export const MAX_EXPIRING_DAYS = 366;
/** `ClubMembership.lots` shows at most this many (the soonest-expiring): about one per earning, over the 24 months before they expire. */
export const MAX_LISTED_LOTS = 200;


/** Request-scoped reads: memberships batch-loaded (a list of customers with their club), each member's lots read once. */
interface ClubReads {
  memberships: DataLoader<string, MembershipRecord | null>;
  lots: Map<string, Promise<LotRecord[]>>;
}
const readsOf = new WeakMap<ServiceContext, ClubReads>();

function reads(ctx: ServiceContext): ClubReads {
  let r = readsOf.get(ctx);
  if (!r) {
    r = {
      memberships: new DataLoader(async (ids: readonly string[]) => {
        const found = await ctx.repos.ledger.getMemberships(ids);
        return ids.map((id) => found.get(id) ?? null);
      }),
      lots: new Map(),
    };
    readsOf.set(ctx, r);
  }
  return r;
}

/** Whether the caller may see a (visible) customer's membership. */
function maySee(ctx: ServiceContext, customer: CustomerRecord): boolean {
  return clubPolicy.canRead(ctx.principal, ctx.access.customerFacts(customer));
}

/** `Customer.club`: the membership of a customer the caller sees, if the caller may see it; null reads as "not a member". */
export async function visibleMembership(ctx: ServiceContext, customer: CustomerRecord): Promise<MembershipRecord | null> {
  if (!maySee(ctx, customer)) return null;
  return reads(ctx).memberships.load(customer.id);
}

/**
 * The member's live lots (read once per request), soonest expiry first. Eventually
 * consistent — half the read units of the ledger's own reads: what a view shows may lag a
 * write by a moment, what a write decides on never does (the ledger reads consistently).
 */
function liveLots(ctx: ServiceContext, m: MembershipRecord): Promise<LotRecord[]> {
  const cache = reads(ctx).lots;
  let lots = cache.get(m.customerId);
  if (!lots) {
    lots = ctx.repos.ledger.liveLots(m.customerId, ctx.clock().toISOString(), { consistent: false }).then(inSpendingOrder);
    cache.set(m.customerId, lots);
  }
  return lots;
}

export async function membershipBalance(ctx: ServiceContext, m: MembershipRecord): Promise<Balance> {
  return balanceOf(m, await liveLots(ctx, m), ctx.clock().toISOString(), ctx.repos.ledger.rules);
}

export function qualifyingPoints(ctx: ServiceContext, m: MembershipRecord): number {
  return qualifyingPointsAt(m.qualifying, ctx.clock().toISOString(), ctx.repos.ledger.rules);
}

/** Lots still holding points, soonest expiry first. */
async function allOpenLots(ctx: ServiceContext, m: MembershipRecord): Promise<LotRecord[]> {
  const now = ctx.clock().toISOString();
  return (await liveLots(ctx, m)).filter((l) => l.remaining > 0 && isLive(l, now));
}

/** `ClubMembership.lots`: the first {@link MAX_LISTED_LOTS} open lots, soonest expiry first. */
export async function openLots(ctx: ServiceContext, m: MembershipRecord): Promise<LotRecord[]> {
  return (await allOpenLots(ctx, m)).slice(0, MAX_LISTED_LOTS);
}

/** Points whose last day is within `days` from today, by day. */
export async function expiringSoon(ctx: ServiceContext, m: MembershipRecord, days: number): Promise<{ expiresOn: string; points: number }[]> {
  if (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRING_DAYS) throw new InvalidInputError(`\`days\` must be between 1 and ${MAX_EXPIRING_DAYS}.`, 'days');
  const until = addDays(toDay(ctx.clock().toISOString()), days);
  const byDay = new Map<string, number>();
  for (const lot of await allOpenLots(ctx, m)) if (lot.expiresOn <= until) byDay.set(lot.expiresOn, (byDay.get(lot.expiresOn) ?? 0) + lot.remaining);
  return [...byDay].map(([expiresOn, points]) => ({ expiresOn, points }));
}

export function ledgerPage(ctx: ServiceContext, m: MembershipRecord, first: number, after?: string | null): Promise<Page<LedgerEntryRecord>> {
  return loadPage(ctx.loaders, 'ClubMembership.ledger', m.customerId, { first, after }, () => ctx.repos.ledger.ledgerPage(m.customerId, first, after));
}

export interface MembershipResult {
  membership: MembershipRecord | null;
  userErrors: UserError[];
}

export interface EntryResult extends MembershipResult {
  entry: LedgerEntryRecord | null;
}

const failed = (...userErrors: UserError[]): EntryResult => ({ entry: null, membership: null, userErrors });

/** The customer behind a global id, if the caller sees them; else the NOT_FOUND every hidden customer gets. */
async function visibleCustomer(ctx: ServiceContext, globalId: string): Promise<CustomerRecord | UserError> {
  const id = keyOfGlobalId(globalId, CUSTOMER_NODE);
  const customer = id ? await ctx.access.customer(id) : null;
  return customer ?? notFound('customerId', 'customer');
}

/** The membership as the caller may see it after a change (a dealer without `club:read` joins a customer but does not see the ledger). */
function shown(ctx: ServiceContext, customer: CustomerRecord, m: MembershipRecord | null): MembershipRecord | null {
  if (!m) return null;
  reads(ctx).memberships.clear(m.customerId).prime(m.customerId, m);
  reads(ctx).lots.delete(m.customerId);
  return maySee(ctx, customer) ? m : null;
}

/**
 * Joins a customer to the club: the customer for themselves (their own act is the consent,
 * `APP` now unless they say otherwise), or an admin or a writing dealer on a linked
 * customer with the customer's consent (source and time), recorded with who recorded it.
 * A former member rejoins with their number and ledger.
 */
export async function joinClub(ctx: ServiceContext, input: { customerId: string; consent?: { source: string; at: string } | null }): Promise<MembershipResult> {
  if (!clubPolicy.canJoinAny(ctx.principal)) throw new ForbiddenError();
  const now = ctx.clock();
  const errors: UserError[] = [];
  let consentAt = now;
  if (input.consent) {
    if (!(CONSENT_SOURCES as readonly string[]).includes(input.consent.source)) errors.push(userError('consent.source', 'INVALID', `Use one of ${CONSENT_SOURCES.join(', ')}.`));
    const at = checkInstantNotInFuture('consent.at', input.consent.at, now);
    errors.push(...at.errors);
    if (at.date) consentAt = at.date;
  } else if (clubPolicy.joinNeedsRecordedConsent(ctx.principal)) {
    errors.push(userError('consent', 'CONSENT_REQUIRED', "Record the customer's consent to the club terms: where and when they agreed."));
  }
  if (errors.length) return { membership: null, userErrors: errors };
  const customer = await visibleCustomer(ctx, input.customerId);
  if ('code' in customer) return { membership: null, userErrors: [customer] };
  if (!clubPolicy.canJoin(ctx.principal, ctx.access.customerFacts(customer))) return { membership: null, userErrors: [notFound('customerId', 'customer')] };
  const consent: TermsConsent = { source: input.consent?.source ?? 'APP', at: consentAt.toISOString(), recordedBy: authorOf(ctx.principal) };
  const result = await ctx.repos.ledger.join({ customerId: customer.id, consent, at: now.toISOString() });
  if (!result.ok) {
    if (result.reason === 'CUSTOMER_NOT_FOUND') return { membership: null, userErrors: [notFound('customerId', 'customer')] };
    // A caller who may not see memberships (a writing dealer key without `club:read`) must not learn that one exists:
    // the customer is a member, which is what they asked for, and they get the answer of a join (nothing is written).
    if (!maySee(ctx, customer)) return { membership: null, userErrors: [] };
    return { membership: null, userErrors: [userError('customerId', 'ALREADY_MEMBER', 'The customer is already a club member.')] };
  }
  ctx.logger.info('club joined', { customerId: customer.id, number: result.membership.number, rejoined: result.rejoined });
  return { membership: shown(ctx, customer, result.membership), userErrors: [] };
}

const notAMember = () => userError('customerId', 'NOT_A_MEMBER', 'The customer is not a club member.');

/** Leaves the club: the member, or an admin on their behalf. */
export async function leaveClub(ctx: ServiceContext, input: { customerId: string }): Promise<MembershipResult> {
  if (!clubPolicy.canActAsAnyMember(ctx.principal)) throw new ForbiddenError();
  const customer = await visibleCustomer(ctx, input.customerId);
  if ('code' in customer) return { membership: null, userErrors: [customer] };
  if (!clubPolicy.canActAsMember(ctx.principal, customer.id)) return { membership: null, userErrors: [notFound('customerId', 'customer')] };
  const result = await ctx.repos.ledger.leave(customer.id, ctx.clock().toISOString());
  if (!result.ok) return { membership: null, userErrors: [notAMember()] };
  return { membership: shown(ctx, customer, result.membership), userErrors: [] };
}

/** The reason of a correction: required (its own code), at most 500 characters. */
function checkReason(reason: string): UserError[] {
  if (!reason.trim()) return [userError('reason', 'REASON_REQUIRED', 'Say why (it is shown in the ledger).')];
  return checkText('reason', reason, { max: MAX_REASON_LENGTH });
}

/** The brand's correction of a member's points (ADJUSTMENT), with a reason. */
export async function adjustPoints(ctx: ServiceContext, input: { customerId: string; points: number; reason: string }): Promise<EntryResult> {
  if (!clubPolicy.canCorrectLedger(ctx.principal)) throw new ForbiddenError();
  const errors = [...checkReason(input.reason)];
  if (input.points === 0) errors.push(userError('points', 'INVALID', 'Add or take at least one point.'));
  else errors.push(...checkIntRange('points', input.points, -MAX_ADJUSTMENT_POINTS, MAX_ADJUSTMENT_POINTS));
  if (errors.length) return failed(...errors);
  const customer = await visibleCustomer(ctx, input.customerId);
  if ('code' in customer) return failed(customer);
  const result = await ctx.repos.ledger.adjust({ customerId: customer.id, points: input.points, reason: input.reason.trim(), at: ctx.clock().toISOString(), by: authorOf(ctx.principal) });
  if (!result.ok) {
    return result.reason === 'NOT_A_MEMBER'
      ? failed(notAMember())
      : failed(userError('points', 'INSUFFICIENT_POINTS', `Taking ${-input.points} points would take the balance below what this member's level allows (available now: ${result.available}).`));
  }
  ctx.logger.info('club points adjusted', { customerId: customer.id, points: input.points, entryId: result.entry.id });
  return { entry: result.entry, membership: shown(ctx, customer, await ctx.repos.ledger.getMembership(customer.id)), userErrors: [] };
}

/** Ids of source documents are ULIDs, VINs or a partner's ids: letters, digits and a few separators. */
const SOURCE_ID = /^[A-Za-z0-9._:|-]{1,200}$/;

/**
 * The id the ledger knows a source document by, from what the caller has: a service visit's
 * global id (its key ends in the visit id), a vehicle's (the VIN), or the document's own id.
 */
export function sourceDocumentId(type: AccrualSource, given: string): string | null {
  const decoded = decodeGlobalId(given);
  if (decoded && type === 'SERVICE_VISIT' && decoded.type === SERVICE_VISIT_NODE.type) return SERVICE_VISIT_NODE.isKey(decoded.key) ? decoded.key.split('|').at(-1)! : null;
  if (decoded && type === 'VEHICLE_PURCHASE' && decoded.type === VEHICLE_NODE.type) return VEHICLE_NODE.isKey(decoded.key) ? decoded.key : null;
  return SOURCE_ID.test(given) ? given : null;
}

/** Reverses what a refunded or cancelled document earned (admins), once. */
export async function reversePoints(ctx: ServiceContext, input: { customerId: string; sourceType: string; sourceId: string; reason: string }): Promise<EntryResult> {
  if (!clubPolicy.canCorrectLedger(ctx.principal)) throw new ForbiddenError();
  const errors = [...checkReason(input.reason)];
  const type = (ACCRUAL_SOURCES as readonly string[]).includes(input.sourceType) ? (input.sourceType as AccrualSource) : null;
  if (!type) errors.push(userError('sourceType', 'INVALID', `Use one of ${ACCRUAL_SOURCES.join(', ')}.`));
  const id = type ? sourceDocumentId(type, input.sourceId) : null;
  if (type && !id) errors.push(userError('sourceId', 'NOT_EARNED', 'No document with this id earned points in this ledger.'));
  if (errors.length || !type || !id) return failed(...errors);
  const customer = await visibleCustomer(ctx, input.customerId);
  if ('code' in customer) return failed(customer);
  const source: AccrualSourceRef = { type, id };
  const result = await ctx.repos.ledger.reverseAccrual({ customerId: customer.id, source, reason: input.reason.trim(), at: ctx.clock().toISOString(), by: authorOf(ctx.principal) });
  if (!result.ok) {
    if (result.reason === 'NOT_A_MEMBER') return failed(notAMember());
    if (result.reason === 'NOT_EARNED') return failed(userError('sourceId', 'NOT_EARNED', 'No document with this id earned points in this ledger.'));
    return failed(userError('sourceId', 'ALREADY_REVERSED', "This document's points were already reversed."));
  }
  ctx.logger.info('club points reversed', { customerId: customer.id, source, entryId: result.entry.id, points: result.entry.points });
  return { entry: result.entry, membership: shown(ctx, customer, await ctx.repos.ledger.getMembership(customer.id)), userErrors: [] };
}
