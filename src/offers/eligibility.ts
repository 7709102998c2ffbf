import type { CustomerRecord } from '../customer/customer.js';
import { addMonths, toDay } from '../service/calendar.js';
import type { EligibilityRules, InterestRule, OfferDefinition } from './catalogue.js';
import type { DecisionReason } from './offer-records.js';

/**
 * Whether an offer is for a customer, rule by rule, on plain data: the profile (its
 * aggregates, cars, consents and latest scores), whether they are a club member, and the
 * night's `now`. Every check says what it saw in words an advisor can repeat ("tier GOLD
 * is one of GOLD, PLATINUM"), whether it held or not: the reasons of a decision are the
 * checks that held, and the reason of a withdrawal is the first that no longer does.
 *
 * Days are UTC calendar days (`YYYY-MM-DD`); every window is stated where it is checked.
 */

/** One check of one rule: its factor, whether it held, and what it saw. */
export interface RuleCheck extends DecisionReason {
  holds: boolean;
}

const DAY_MS = 86_400_000;
const check = (factor: string, holds: boolean, detail: string): RuleCheck => ({ factor, holds, detail });
const list = (values: readonly string[]) => values.join(', ');

/** The customer's interest keys (`<MODEL_LINE>|<variant or topic>`) one interest rule matches, with their counts. */
export interface MatchedInterest {
  key: string;
  count: number;
  last: string;
}

/**
 * The interest keys an interest rule matches: the key's line is the rule's line (when it
 * names one), its variant/topic part contains the rule's `detail` (case-insensitive, when
 * it gives one), and its latest interaction lies within the last `withinDays` days
 * (`last ≥ now − withinDays × 24 h`, inclusive).
 *
 * The profile keeps a running count per key and the latest time only, not every
 * interaction's date (see `profile-aggregates.ts`), so "at least `minCount` within
 * `withinDays`" is read as: the key's count, of a key seen within the window. A key
 * counted long ago and touched once yesterday counts in full — a lossy signal on
 * purpose, as the scores' own interest features are.
 *
 * @example
 * matchingInterests({ modelLine: 'CAYENNE', detail: 'turbo', minCount: 2, withinDays: 180 }, customer, now)
 * // [{ key: 'CAYENNE|Cayenne Turbo', count: 4, last: '2026-02-20T10:00:00.000Z' }]
 */
export function matchingInterests(rule: InterestRule, customer: Pick<CustomerRecord, 'aggregates'>, now: Date): MatchedInterest[] {
  const { interestCounts, interestLast } = customer.aggregates;
  const since = now.getTime() - rule.withinDays * DAY_MS;
  const detail = rule.detail?.toLowerCase();
  return Object.entries(interestCounts)
    .filter(([key]) => {
      const bar = key.indexOf('|');
      const line = bar < 0 ? key : key.slice(0, bar);
      const rest = bar < 0 ? '' : key.slice(bar + 1);
      if (rule.modelLine !== undefined && line !== rule.modelLine) return false;
      if (detail !== undefined && !rest.toLowerCase().includes(detail)) return false;
      const last = interestLast[key];
      return last !== undefined && Date.parse(last) >= since;
    })
    .map(([key, count]) => ({ key, count, last: interestLast[key]! }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

function describeInterest(rule: InterestRule): string {
  const what = [rule.modelLine, rule.detail !== undefined ? `"${rule.detail}"` : undefined].filter(Boolean).join(' ');
  return what ? `${what} interests` : 'interests';
}

function interestCheck(rule: InterestRule, customer: Pick<CustomerRecord, 'aggregates'>, now: Date): RuleCheck {
  const matched = matchingInterests(rule, customer, now);
  const count = matched.reduce((sum, m) => sum + m.count, 0);
  const latest = matched.map((m) => m.last).sort().at(-1);
  const seen = latest ? `, the latest on ${toDay(latest)}` : '';
  return check('interests', count >= rule.minCount, `${count} interactions with ${describeInterest(rule)} seen within ${rule.withinDays} days${seen} (at least ${rule.minCount} needed)`);
}

/** The cars a customer owns now: purchases whose VIN is still on the profile (sold cars leave `vehicleVins`). */
export function ownedPurchases(customer: Pick<CustomerRecord, 'aggregates' | 'vehicleVins'>) {
  const owned = new Set(customer.vehicleVins);
  return customer.aggregates.purchases.filter((p) => owned.has(p.vin));
}

/** Whole euros of EUR cents, for humans: `EUR 5,000`, `EUR 1,550.50`. */
export function eurText(minor: number): string {
  const abs = Math.abs(Math.round(minor));
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = abs % 100 ? `.${String(abs % 100).padStart(2, '0')}` : '';
  return `${minor < 0 ? '−' : ''}EUR ${whole}${cents}`;
}

/**
 * Every rule of an offer's eligibility, checked: one check per rule present (an absent
 * rule does not constrain and yields none). Finance and budget read the aggregates;
 * tier, segments and CLV the latest scores (none yet: those rules fail, closed).
 *
 * Windows:
 * - `financeEndingWithinMonths`: a contract's `endDate` in [today, today + N calendar months], both days inclusive;
 * - `interests`: see `matchingInterests`;
 * - budget: the highest price paid for any car ever bought (not only those still owned), EUR, bounds inclusive;
 *   a customer who bought no car has no budget band and fails either bound.
 *
 * @example
 * eligibilityChecks({ tiers: ['GOLD', 'PLATINUM'] }, customer, false, now)
 * // [{ factor: 'tier', holds: true, detail: 'tier GOLD is one of GOLD, PLATINUM' }]
 */
export function eligibilityChecks(rules: EligibilityRules, customer: CustomerRecord, clubMember: boolean, now: Date): RuleCheck[] {
  const checks: RuleCheck[] = [];
  const value = customer.value;
  const today = toDay(now.toISOString());
  if (rules.tiers) {
    checks.push(
      value
        ? check('tier', rules.tiers.includes(value.tier), `tier ${value.tier} is ${rules.tiers.includes(value.tier) ? '' : 'not '}one of ${list(rules.tiers)}`)
        : check('tier', false, `no scores yet, so no tier (one of ${list(rules.tiers)} needed)`),
    );
  }
  if (rules.segments) {
    const wanted = rules.segments;
    const hit = value?.segments.filter((s) => wanted.includes(s)) ?? [];
    checks.push(
      hit.length
        ? check('segment', true, `segment ${list(hit)} is one of ${list(wanted)}`)
        : check('segment', false, value ? `segments ${list(value.segments) || 'none'} include none of ${list(wanted)}` : `no scores yet, so no segment (one of ${list(wanted)} needed)`),
    );
  }
  if (rules.ownsModelLines) {
    const owned = rules.ownsModelLines.filter((line) => (customer.vehicleCounts[line] ?? 0) > 0);
    checks.push(
      owned.length
        ? check('ownsModelLines', true, `owns ${owned.map((line) => `${customer.vehicleCounts[line]} ${line}`).join(', ')} (one of ${list(rules.ownsModelLines)} needed)`)
        : check('ownsModelLines', false, `owns no car of ${list(rules.ownsModelLines)}`),
    );
  }
  if (rules.notOwnsModelLines) {
    const owned = rules.notOwnsModelLines.filter((line) => (customer.vehicleCounts[line] ?? 0) > 0);
    checks.push(
      owned.length
        ? check('notOwnsModelLines', false, `owns ${list(owned)}, which the offer excludes`)
        : check('notOwnsModelLines', true, `owns no car of ${list(rules.notOwnsModelLines)}`),
    );
  }
  if (rules.ownsPowertrains) {
    const wanted = rules.ownsPowertrains;
    const cars = ownedPurchases(customer).filter((p) => wanted.includes(p.powertrain));
    checks.push(
      cars.length
        ? check('ownsPowertrains', true, `owns ${cars.map((p) => `a ${p.powertrain} ${p.variant}`).join(', ')} (${list(wanted)} needed)`)
        : check('ownsPowertrains', false, `owns no ${list(wanted)} car`),
    );
  }
  for (const rule of rules.interests ?? []) checks.push(interestCheck(rule, customer, now));
  if (rules.financeEndingWithinMonths !== undefined) {
    const until = addMonths(today, rules.financeEndingWithinMonths);
    const kinds = rules.financeKinds;
    const ending = customer.aggregates.finance
      .filter((f) => (!kinds || kinds.includes(f.kind)) && f.endDate >= today && f.endDate <= until)
      .sort((a, b) => a.endDate.localeCompare(b.endDate))[0];
    const what = kinds ? `${kinds.join(' or ')} contract` : 'finance contract';
    checks.push(
      ending
        ? check('financeEnding', true, `${ending.kind} contract ends on ${ending.endDate}, within ${rules.financeEndingWithinMonths} months of ${today} (by ${until})`)
        : check('financeEnding', false, `no ${what} ends between ${today} and ${until}`),
    );
  }
  if (rules.minSpentEur !== undefined || rules.maxSpentEur !== undefined) {
    const band = `${rules.minSpentEur !== undefined ? eurText(rules.minSpentEur * 100) : 'any'} to ${rules.maxSpentEur !== undefined ? eurText(rules.maxSpentEur * 100) : 'any'}`;
    const prices = customer.aggregates.purchases.map((p) => p.priceMinor);
    if (prices.length === 0) {
      checks.push(check('budget', false, `no car bought yet, so no budget band (${band} needed)`));
    } else {
      const maxSpent = Math.max(...prices);
      const holds = (rules.minSpentEur === undefined || maxSpent >= rules.minSpentEur * 100) && (rules.maxSpentEur === undefined || maxSpent <= rules.maxSpentEur * 100);
      checks.push(check('budget', holds, `highest car price paid ${eurText(maxSpent)} is ${holds ? '' : 'not '}within ${band}`));
    }
  }
  if (rules.minClvEur !== undefined) {
    const min = eurText(rules.minClvEur * 100);
    checks.push(
      value
        ? check('clv', value.clvMinor >= rules.minClvEur * 100, `CLV ${eurText(value.clvMinor)} is ${value.clvMinor >= rules.minClvEur * 100 ? 'at least' : 'below'} ${min}`)
        : check('clv', false, `no scores yet, so no CLV (at least ${min} needed)`),
    );
  }
  if (rules.clubMember !== undefined) {
    const holds = clubMember === rules.clubMember;
    checks.push(check('club', holds, clubMember ? `is an active club member${holds ? '' : ', the offer is for non-members'}` : `is not a club member${holds ? '' : ', the offer is for members'}`));
  }
  return checks;
}

/**
 * What must hold for an offer to be decided at all, before its eligibility: the offer is
 * ACTIVE, today lies within its validity (`validFrom` to `validUntil`, both days
 * inclusive, UTC), the customer consented to its channel (fail closed: a missing consent
 * is a refusal), and the customer has scores to rank it by.
 */
export function offerChecks(offer: OfferDefinition, customer: CustomerRecord, now: Date): RuleCheck[] {
  const today = toDay(now.toISOString());
  const consent = customer.consents[offer.channel];
  return [
    check('status', offer.status === 'ACTIVE', offer.status === 'ACTIVE' ? 'offer is active' : 'offer was retired'),
    check('validity', offer.validFrom <= today && today <= offer.validUntil, `offer runs ${offer.validFrom} to ${offer.validUntil}, today is ${today}`),
    consent?.granted === true
      ? check('consent', true, `${offer.channel} consent granted on ${toDay(consent.recordedAt)} (${consent.source})`)
      : check('consent', false, consent ? `${offer.channel} consent withdrawn on ${toDay(consent.recordedAt)}` : `no ${offer.channel} consent recorded`),
    check('scores', customer.value !== undefined, customer.value ? `scored by ${customer.value.modelVersion} on ${toDay(customer.value.computedAt)}` : 'no scores yet'),
  ];
}

/** Every check of an offer for a customer: the offer's own, then its eligibility rules. */
export function allChecks(offer: OfferDefinition, customer: CustomerRecord, clubMember: boolean, now: Date): RuleCheck[] {
  return [...offerChecks(offer, customer, now), ...eligibilityChecks(offer.eligibility, customer, clubMember, now)];
}

/** The first check that failed, if any. */
export function firstFailure(checks: readonly RuleCheck[]): RuleCheck | undefined {
  return checks.find((c) => !c.holds);
}
