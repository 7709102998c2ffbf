import type { CustomerRecord } from '../customer/customer.js';
import { newId as defaultNewId } from '../shared/ids.js';
import { addDays, toDay } from '../service/calendar.js';
import type { OfferDefinition } from './catalogue.js';
import { allChecks, firstFailure, type RuleCheck } from './eligibility.js';
import { inHoldout } from './holdout.js';
import { OPEN_STATUSES, type BookEntry, type DecisionReason, type OfferBookRecord, type OfferDecisionRecord } from './offer-records.js';
import { OFFER_RULES, type OfferRules } from './offer-rules.js';
import { byRank, rankReason, scoreOffer, type ScoredOffer } from './ranking.js';

/**
 * One customer's nightly decision, pure: from the profile, the club status, the offer book
 * and the catalogue, what to decide, what to close and what to forget. The job reads,
 * calls this and writes the plan in one transaction (conditioned on the book's version).
 *
 * Time, all UTC:
 * - a decision is open while `now ≤ validUntil` and closed EXPIRED by the first run after;
 * - caps count the decisions of an offer decided on the last `periodDays` calendar days,
 *   today included: one decided on 1 March under a 30-day period counts up to 30 March,
 *   and the offer may be decided again on 31 March;
 * - a cool-down runs `cooldownDaysAfterDecline` calendar days from the day of the
 *   decline, that day included: declined on 1 March with 90 days, decidable again on 30 May;
 * - days, not instants, so a run that starts a few minutes earlier or later does not move
 *   a cap by a night.
 */

export interface DecisionPlan {
  /** New decisions, complete records (status DECIDED, responses []). */
  decide: OfferDecisionRecord[];
  /** Open decisions to close. */
  close: { decisionId: string; status: 'EXPIRED' | 'WITHDRAWN'; reason: string }[];
  /**
   * Book entry ids to drop (every window closed). Never an entry closed by the same plan:
   * its status is updated tonight and it is dropped on a later night, so one book write
   * never both sets and removes the same entry.
   */
  prune: string[];
  /** Nothing to write. */
  unchanged: boolean;
}

const DAY_MS = 86_400_000;
const isOpen = (e: Pick<BookEntry, 'status'>) => OPEN_STATUSES.includes(e.status);

/** A day `n` days before `today` starts the last-`n`-days window that ends today (inclusive). */
const windowStart = (today: string, days: number) => addDays(today, -(days - 1));

/**
 * The responsible dealer of a new decision: the linked dealer of the customer's latest
 * purchase or service visit at a linked dealer; else the first linked dealer (by id, so
 * every run picks the same one from the unordered set); else none.
 *
 * @example
 * responsibleDealer(customer) // '01JDEALER…' of the latest visit, when that dealer is linked
 */
export function responsibleDealer(customer: Pick<CustomerRecord, 'dealerIds' | 'aggregates'>): string | undefined {
  const linked = new Set(customer.dealerIds);
  const latest = [...customer.aggregates.purchases, ...customer.aggregates.visits]
    .filter((f) => linked.has(f.dealerId))
    .sort((a, b) => a.at.localeCompare(b.at))
    .at(-1);
  return latest?.dealerId ?? [...customer.dealerIds].sort()[0];
}

/** How a new decision enters the book. */
export function bookEntryOf(d: OfferDecisionRecord): BookEntry {
  return {
    offerCode: d.offerCode,
    kind: d.kind,
    decidedAt: d.decidedAt,
    status: d.status,
    holdout: d.holdout,
    rank: d.rank,
    validUntil: d.validUntil,
    attributionUntil: d.attributionUntil,
    conversionRule: d.conversionRule,
    valueEur: d.valueEur,
    ...(d.dealerId !== undefined ? { dealerId: d.dealerId } : {}),
  };
}

/**
 * Why an open decision must close tonight, if it must: past its `validUntil` (EXPIRED), or
 * no longer decidable (WITHDRAWN: the offer retired or out of its validity, consent
 * withdrawn, a rule that no longer holds). Caps and cool-downs are not re-checked: an open
 * decision is itself what they count.
 */
function closing(entry: BookEntry, offer: OfferDefinition | undefined, checks: RuleCheck[] | undefined, now: Date): Omit<DecisionPlan['close'][number], 'decisionId'> | undefined {
  if (now.getTime() > Date.parse(entry.validUntil)) return { status: 'EXPIRED', reason: `open until ${entry.validUntil}, no final response by then` };
  if (!offer) return { status: 'WITHDRAWN', reason: `offer ${entry.offerCode} is no longer in the catalogue` };
  const failed = checks && firstFailure(checks);
  return failed ? { status: 'WITHDRAWN', reason: `no longer eligible: ${failed.detail}` } : undefined;
}

/**
 * Whether a closed entry can be forgotten: every window it may matter to has ended —
 * any offer's cap period (at most `maxWindowDays` from the decision day), a cool-down (at
 * most `maxWindowDays` from the decline day) and its attribution window (`now >
 * attributionUntil`). The offer's own, shorter, windows are not used: an admin may
 * lengthen them in a later version.
 */
function prunable(entry: BookEntry, now: Date, today: string, rules: OfferRules): boolean {
  if (isOpen(entry)) return false;
  if (today < addDays(toDay(entry.decidedAt), rules.maxWindowDays)) return false;
  if (entry.declinedAt !== undefined && today < addDays(toDay(entry.declinedAt), rules.maxWindowDays)) return false;
  return now.getTime() > Date.parse(entry.attributionUntil);
}

/** Decisions of an offer that count against its cap today (any status: a declined or expired one was still made). */
function capUsed(entries: readonly BookEntry[], offer: OfferDefinition, today: string): number {
  const from = windowStart(today, offer.frequencyCap.periodDays);
  return entries.filter((e) => e.offerCode === offer.code && toDay(e.decidedAt) >= from).length;
}

/** The latest decline of an offer still inside its cool-down today, if any. */
function coolingDecline(entries: readonly BookEntry[], offer: OfferDefinition, today: string): string | undefined {
  if (offer.cooldownDaysAfterDecline <= 0) return undefined;
  const from = windowStart(today, offer.cooldownDaysAfterDecline);
  return entries
    .filter((e) => e.offerCode === offer.code && e.status === 'DECLINED')
    .map((e) => toDay(e.declinedAt ?? e.decidedAt))
    .filter((day) => day >= from)
    .sort()
    .at(-1);
}

/**
 * Plans one customer's night.
 *
 * 1. Open decisions past `validUntil` expire; those no longer decidable are withdrawn.
 * 2. Every offer that is ACTIVE, within its validity, consented, eligible, and either has
 *    an open decision or is under its cap and out of cool-down, is ranked (score desc, code
 *    asc); a decision's `rank` is its place in this list, open ones included.
 * 3. New decisions fill the free slots (`maxOpenOffers` − open decisions) in rank order,
 *    skipping offers that already have an open decision. Holdout customers (per family) get
 *    the same decisions, marked `holdout` and never followed up.
 * 4. Closed entries past every window are pruned.
 *
 * @example
 * const plan = planDecisions({ customer, clubMember: false, book, catalogue, now: new Date('2026-03-01T04:00:00Z') });
 * plan.decide[0]?.reasons // [{ factor: 'consent', … }, { factor: 'tier', detail: 'tier GOLD is one of GOLD, PLATINUM' }, …, { factor: 'rank', … }]
 */
export function planDecisions(input: {
  customer: CustomerRecord;
  clubMember: boolean;
  book: OfferBookRecord | null;
  catalogue: readonly OfferDefinition[];
  now: Date;
  rules?: OfferRules;
  newId?: () => string;
}): DecisionPlan {
  const { customer, clubMember, book, catalogue, now, rules = OFFER_RULES, newId = defaultNewId } = input;
  const nowIso = now.toISOString();
  const today = toDay(nowIso);
  const entries = Object.entries(book?.entries ?? {});
  const byCode = new Map(catalogue.map((o) => [o.code, o]));
  const checksOf = new Map<string, RuleCheck[]>();
  const checks = (offer: OfferDefinition) => {
    let result = checksOf.get(offer.code);
    if (!result) checksOf.set(offer.code, (result = allChecks(offer, customer, clubMember, now)));
    return result;
  };

  // 1. Close.
  const close: DecisionPlan['close'] = [];
  const openCodes = new Set<string>();
  for (const [id, entry] of entries) {
    if (!isOpen(entry)) continue;
    const offer = byCode.get(entry.offerCode);
    const closed = closing(entry, offer, offer && checks(offer), now);
    if (closed) close.push({ decisionId: id, ...closed });
    else openCodes.add(entry.offerCode);
  }
  const openCount = entries.filter(([, e]) => isOpen(e)).length - close.length;

  // 2. Rank.
  const value = customer.value;
  const all = entries.map(([, e]) => e);
  const ranked: { scored: ScoredOffer; checks: RuleCheck[]; capReason?: DecisionReason }[] = [];
  if (value) {
    for (const offer of catalogue) {
      const offerChecks = checks(offer);
      if (firstFailure(offerChecks)) continue;
      let capReason: DecisionReason | undefined;
      if (!openCodes.has(offer.code)) {
        const used = capUsed(all, offer, today);
        if (used >= offer.frequencyCap.max || coolingDecline(all, offer, today)) continue;
        capReason = { factor: 'cap', detail: `decision ${used + 1} of at most ${offer.frequencyCap.max} in ${offer.frequencyCap.periodDays} days` };
      }
      ranked.push({ scored: scoreOffer(offer, customer, value, now, rules), checks: offerChecks, ...(capReason ? { capReason } : {}) });
    }
  }
  ranked.sort((a, b) => byRank(a.scored, b.scored));

  // 3. Decide.
  const decide: OfferDecisionRecord[] = [];
  let free = Math.max(0, rules.maxOpenOffers - openCount);
  const dealerId = responsibleDealer(customer);
  ranked.forEach(({ scored, checks: held, capReason }, index) => {
    if (free <= 0 || openCodes.has(scored.offer.code)) return;
    free -= 1;
    const offer = scored.offer;
    const holdout = inHoldout(customer.id, offer.family, rules);
    const offerEnd = `${offer.validUntil}T23:59:59.999Z`;
    const validUntil = new Date(Math.min(now.getTime() + rules.decisionValidDays * DAY_MS, Date.parse(offerEnd))).toISOString();
    const reasons: DecisionReason[] = [
      ...held.filter((c) => !['status', 'validity', 'scores'].includes(c.factor)).map(({ factor, detail }) => ({ factor, detail })),
      ...(capReason ? [capReason] : []),
      rankReason(scored, index + 1, ranked.length, rules),
    ];
    decide.push({
      id: newId(),
      customerId: customer.id,
      offerCode: offer.code,
      offerVersion: offer.version,
      kind: offer.kind,
      family: offer.family,
      name: offer.name,
      channel: offer.channel,
      rank: index + 1,
      propensity: scored.propensity,
      expectedValueEurMinor: scored.expectedValueEurMinor,
      valueEur: offer.valueEur,
      reasons,
      rulesVersion: rules.version,
      modelVersion: value!.modelVersion,
      decidedAt: nowIso,
      decidedOn: today,
      holdout,
      status: 'DECIDED',
      statusAt: nowIso,
      responses: [],
      validUntil,
      attributionUntil: new Date(now.getTime() + offer.conversion.attributionDays * DAY_MS).toISOString(),
      conversionRule: offer.conversion,
      ...(dealerId !== undefined ? { dealerId } : {}),
      followUp: offer.dealerFollowUp && !holdout && dealerId !== undefined,
    });
  });

  // 4. Prune (entries closed tonight are still being written: a later night drops them).
  const closedTonight = new Set(close.map((c) => c.decisionId));
  const prune = entries.filter(([id, e]) => !closedTonight.has(id) && prunable(e, now, today, rules)).map(([id]) => id);

  return { decide, close, prune, unchanged: decide.length === 0 && close.length === 0 && prune.length === 0 };
}
