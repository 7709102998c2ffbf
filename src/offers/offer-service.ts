import { loadPage } from '../auth/loaders.js';
import { callerCustomerId, offerPolicy, type CustomerFacts } from '../auth/policies.js';
import type { Principal } from '../auth/principal.js';
import type { CustomerRecord } from '../customer/customer.js';
import { ForbiddenError, InvalidInputError } from '../shared/errors.js';
import { isUlid, keyOfGlobalId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { checkInstantNotInFuture, checkText } from '../shared/validation.js';
import { fixedPage, type Page } from '../store/cursor.js';
import { OFFER_NODE, OPEN_STATUSES, type DecisionStatus, type OfferDecisionRecord, type ResponseStatus } from './offer-records.js';

/**
 * Decisions (GraphQL `Offer`) for the API: who sees them (`offerPolicy`, with the
 * customer's links for dealers), the holdout rule, the follow-up lists and responses.
 *
 * A holdout decision is the control group's: outside the brand's staff it does not exist.
 * Lists leave it out, `node` answers null and a response answers NOT_FOUND — the same
 * answers as for an id that names nothing, so nobody learns they are in the control group.
 */

/** `Customer.offers` reads the newest this many (the repository's bound). */
export const MAX_LISTED_OFFERS = 100;
/** `Customer.nextBestOffers(first)` at most (the open offers are at most `OFFER_RULES.maxOpenOffers`). */
export const MAX_NEXT_BEST_OFFERS = 10;
export const MAX_CHANNEL_EVENT_ID = 200;
/** A channel name: what the receipt key is scoped by, so one spelling per channel (capitals). */
const CHANNEL = /^[A-Z0-9_-]{1,40}$/;

/** Whether the caller may know of this decision, given it may read the customer's offers: holdout ones are for the brand's staff. */
function showsHoldout(p: Principal, d: OfferDecisionRecord): boolean {
  return !d.holdout || offerPolicy.canSeeHoldout(p);
}

/**
 * The customer whose offers the caller may read, or null (absent, not linked, no scope —
 * one answer). Loaded through the request's loader rather than `access.customer`: a
 * dealer key with `offers:read` alone reads offers of linked customers without the
 * profile (`customers:read`); `offerPolicy` judges the link itself.
 */
async function offerOwner(ctx: ServiceContext, customerId: string, may: (p: Principal, f: CustomerFacts) => boolean): Promise<CustomerRecord | null> {
  if (!isUlid(customerId)) return null;
  // A customer token never loads anyone else: refuse before touching the table.
  const self = callerCustomerId(ctx.principal);
  if (self !== undefined && self !== customerId) return null;
  const customer = await ctx.loaders.customer.load(customerId);
  return customer && may(ctx.principal, ctx.access.customerFacts(customer)) ? customer : null;
}

/** `Customer.offers`: newest first, of one status if asked, holdout ones for the brand's staff only. */
export async function offersOf(ctx: ServiceContext, customer: CustomerRecord, status?: DecisionStatus | null): Promise<OfferDecisionRecord[]> {
  if (!offerPolicy.canRead(ctx.principal, ctx.access.customerFacts(customer))) return [];
  const decisions = await decisionsOf(ctx, customer.id);
  return decisions.filter((d) => showsHoldout(ctx.principal, d) && (!status || d.status === status));
}

/** A customer's newest decisions, read once per request (both lists and a list of customers share the level's wave). */
function decisionsOf(ctx: ServiceContext, customerId: string): Promise<OfferDecisionRecord[]> {
  return loadPage(ctx.loaders, 'Customer.offers', customerId, {}, () => ctx.repos.offers.decisionsOf(customerId, MAX_LISTED_OFFERS));
}

/**
 * `Customer.nextBestOffers`: the decisions still waiting for the customer — open and not
 * past `validUntil` (the nightly run expires them; until it does they are no longer
 * current) — best rank first, the newer night first on equal rank.
 */
export async function nextBestOffers(ctx: ServiceContext, customer: CustomerRecord, first: number): Promise<OfferDecisionRecord[]> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_NEXT_BEST_OFFERS) throw new InvalidInputError(`\`first\` must be between 1 and ${MAX_NEXT_BEST_OFFERS}.`, 'first');
  const now = ctx.clock().toISOString();
  const open = (await offersOf(ctx, customer)).filter((d) => OPEN_STATUSES.includes(d.status) && d.validUntil > now);
  return open.sort((a, b) => a.rank - b.rank || b.decidedAt.localeCompare(a.decidedAt)).slice(0, first);
}

/** `node(id)` of an `Offer` (key `<customerId>:<decisionId>`): null when absent, not the caller's to see, or a holdout the caller may not know of. */
export async function visibleOffer(ctx: ServiceContext, key: string): Promise<OfferDecisionRecord | null> {
  const [customerId, decisionId] = key.split(':') as [string, string];
  const customer = await offerOwner(ctx, customerId, offerPolicy.canRead);
  const decision = customer ? await ctx.repos.offers.getDecision(customerId, decisionId) : null;
  return decision && showsHoldout(ctx.principal, decision) ? decision : null;
}

/**
 * A dealer's follow-up list, highest expected value first: the brand's staff for any
 * dealer, a dealer key with `offers:read` for its own; empty for anyone else (a dealer
 * learns nothing of another, not even that it exists). A dealer sees only customers
 * still linked to it: one unlinked since the decision drops out of its list.
 */
export async function followUpsOf(ctx: ServiceContext, dealerId: string, first: number, after?: string | null): Promise<Page<OfferDecisionRecord | null>> {
  if (!isUlid(dealerId) || !offerPolicy.canReadFollowUps(ctx.principal, dealerId)) return fixedPage();
  const page = await loadPage(ctx.loaders, 'Dealer.offerFollowUps', dealerId, { first, after }, () => ctx.repos.offers.followUps(dealerId, first, after));
  const owners = await Promise.all(page.items.map((d) => offerOwner(ctx, d.customerId, offerPolicy.canRead)));
  return { ...page, items: page.items.map((d, i) => (owners[i] && showsHoldout(ctx.principal, d) ? d : null)) };
}

// ---------------------------------------------------------------- responses

export interface ResponseResult {
  offer: OfferDecisionRecord | null;
  duplicate: boolean;
  userErrors: UserError[];
}

const refused = (...userErrors: UserError[]): ResponseResult => ({ offer: null, duplicate: false, userErrors });


export interface RecordOfferResponseInput {
  offerId: string;
  status: ResponseStatus;
  channel: string;
  channelEventId: string;
  at: string;
}

/**
 * Records a response (SENT, OPENED, ACCEPTED, DECLINED) from a channel, a dealer or the
 * customer's app. Idempotent per channel event: the repository keeps a receipt per
 * (reporter, channel, event id) in the response's transaction, so a re-sent event answers
 * like the first time with `duplicate: true` and writes nothing. A decision the caller
 * may not respond to — absent, another customer's, a dealer's unlinked customer, a
 * holdout — is NOT_FOUND, never "exists but not yours".
 */
export async function recordOfferResponse(ctx: ServiceContext, input: RecordOfferResponseInput): Promise<ResponseResult> {
  if (!offerPolicy.canRespondAny(ctx.principal)) throw new ForbiddenError();
  const now = ctx.clock();
  const channel = input.channel.trim().toUpperCase();
  const errors: UserError[] = [];
  const channelText = checkText('channel', input.channel, { max: 40 });
  errors.push(...channelText);
  if (!channelText.length && !CHANNEL.test(channel)) errors.push(userError('channel', 'INVALID', 'Use 1–40 letters, digits, `_` or `-`, e.g. EMAIL.'));
  errors.push(...checkText('channelEventId', input.channelEventId, { max: MAX_CHANNEL_EVENT_ID }));
  const at = checkInstantNotInFuture('at', input.at, now);
  errors.push(...at.errors);
  if (errors.length || !at.date) return refused(...errors);

  const key = keyOfGlobalId(input.offerId, OFFER_NODE);
  const [customerId, decisionId] = (key ?? ':').split(':') as [string, string];
  const customer = key ? await offerOwner(ctx, customerId, offerPolicy.canRespond) : null;
  if (!customer) return refused(notFound('offerId', 'offer'));

  const outcome = await ctx.repos.offers.respond({ customerId, decisionId, status: input.status, channel, channelEventId: input.channelEventId.trim(), at: at.date.toISOString(), tenant: offerPolicy.responseTenant(ctx.principal) });
  switch (outcome.kind) {
    case 'RECORDED':
      ctx.logger.info('offer response recorded', { customerId, decisionId, status: input.status, channel });
      return { offer: outcome.decision, duplicate: false, userErrors: [] };
    case 'DUPLICATE':
      return { offer: outcome.decision, duplicate: true, userErrors: [] };
    case 'NOT_FOUND':
      return refused(notFound('offerId', 'offer'));
    case 'OUT_OF_ORDER':
      return refused(userError('status', 'OUT_OF_ORDER', `The offer is already ${outcome.current}; a response moves forward only (DECIDED → SENT → OPENED → ACCEPTED or DECLINED).`));
    case 'CLOSED':
      return refused(userError('offerId', 'INVALID_STATUS', `The offer is ${outcome.current}; it takes no more responses.`));
    case 'BEFORE_DECISION':
      return refused(userError('at', 'INVALID', 'The response is dated before the offer was decided.'));
    case 'RECEIPT_MISMATCH':
      return refused(userError('channelEventId', 'INVALID', 'This channel event id was already reported for another offer or status.'));
  }
}
