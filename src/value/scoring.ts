import type { CustomerRecord } from '../customer/customer.js';
import type { Currency } from '../shared/money.js';
import { MODEL_LINES, type ModelLine } from '../catalogue/model-lines.js';
import type { CustomerAggregates } from '../customer/profile-aggregates.js';
import { interestsOf } from './aggregates.js';
import {
  BENEFITS,
  CHURN_MODEL,
  DIGITAL_CHANNELS,
  ENTRY_PRICE_MINOR,
  MODEL_RANK,
  SEGMENT_RULES,
  TIER_BY_CAR,
  TIER_THRESHOLDS,
  TIERS,
  UPGRADE_MODEL,
  VALUE_MODEL_VERSION,
  VALUE_PARAMS,
  VARIANT_RANK_BONUS,
  type LogisticModel,
  type Segment,
  type Tier,
} from './model.js';

/**
 * Customer value scores — pure functions of a customer's aggregates and "now".
 *
 * CLV = historical value + predicted future value. Future value is the annual run-rate
 * per component (service and merchandise over the last two years, finance income, and
 * the next car: latest price ÷ replacement cycle, split between like-for-like and upgrade
 * by the upgrade propensity) over `horizonYears`, each year weighted by the retention
 * probability (1 − churn risk) compounded and discounted: Σₜ (r / (1 + d))ᵗ.
 */
export const VALUE_COMPONENTS = ['vehicle', 'service', 'upgrades', 'merchandise', 'finance'] as const;
export type ValueComponent = (typeof VALUE_COMPONENTS)[number];
export type Components = Record<ValueComponent, number>;

export interface Reason {
  score: 'CHURN' | 'UPGRADE';
  factor: string;
  description: string;
  /** The factor's contribution to the score's log-odds (positive raises the score). */
  contribution: number;
}

export interface CustomerValue {
  /** Minor units of the reporting currency. */
  clvMinor: number;
  currency: Currency;
  components: Components;
  churnRisk: number;
  upgradePropensity: number;
  reasons: Reason[];
  tier: Tier;
  segment: Segment;
  segments: Segment[];
  benefits: string[];
  modelVersion: string;
  computedAt: string;
}

const DAY = 86_400_000;
/**
 * Scores are business figures: probabilities to two decimals, money to EUR 100. Finer
 * digits would change every night with the calendar alone and make the job rewrite every
 * customer; at this precision it writes only real changes.
 */
const round2 = (v: number) => Math.round(v * 100) / 100;
const roundMoney = (minor: number) => Math.round(minor / 10_000) * 10_000;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const daysBetween = (from: string, to: Date) => (to.getTime() - Date.parse(from)) / DAY;
const toEurMinor = (minor: number, currency: Currency = 'EUR') => Math.round(minor * VALUE_PARAMS.fxToEur[currency]);

/** A car's rank: its line, plus a bonus for sporty variants (a Cayenne Turbo outranks a Cayenne). */
export function carRank(modelLine: ModelLine, variant: string): number {
  const bonus = VARIANT_RANK_BONUS.find(([pattern]) => pattern.test(variant))?.[1] ?? 0;
  return MODEL_RANK[modelLine] + bonus;
}

/** Evaluates a logistic model; reasons are the factors that raised the score, largest first. */
export function logistic(model: LogisticModel, score: Reason['score'], features: Record<string, number>): { value: number; reasons: Reason[] } {
  let z = model.intercept;
  const reasons: Reason[] = [];
  for (const [factor, { weight, description }] of Object.entries(model.factors)) {
    const contribution = weight * (features[factor] ?? 0);
    z += contribution;
    if (contribution > 0) reasons.push({ score, factor, description, contribution: round2(contribution) });
  }
  reasons.sort((a, b) => b.contribution - a.contribution);
  return { value: round2(sigmoid(z)), reasons: reasons.slice(0, 3) };
}

function lastContact(a: CustomerAggregates): string | undefined {
  const dates = [...a.purchases.map((p) => p.at), ...a.visits.map((v) => v.at), ...a.orders.map((o) => o.at), ...Object.values(a.interestLast)];
  return dates.sort().at(-1);
}

const financeEndingWithin = (a: CustomerAggregates, now: Date, days: number) =>
  a.finance.some((f) => {
    const left = (Date.parse(`${f.endDate}T00:00:00Z`) - now.getTime()) / DAY;
    return left >= 0 && left <= days;
  });

export function churnFeatures(a: CustomerAggregates, now: Date): Record<string, number> {
  const last = lastContact(a);
  const latestNps = a.surveys.filter((s) => s.kind === 'NPS').sort((x, y) => x.at.localeCompare(y.at)).at(-1);
  const visits24 = a.visits.filter((v) => daysBetween(v.at, now) <= 730).length;
  const firstPurchase = a.purchases.map((p) => p.at).sort()[0];
  const recentInteraction = Object.values(a.interestLast).some((last) => daysBetween(last, now) <= 90);
  return {
    // Whole months and years: the score steps once a month, not a little every night.
    monthsSinceContact: last ? Math.min(36, Math.floor(daysBetween(last, now) / 30.4)) : 36,
    serviceGap: a.purchases.length ? 1 - Math.min(1, visits24 / 2) : 0,
    financeEndingSoon: financeEndingWithin(a, now, 183) ? 1 : 0,
    detractor: latestNps && latestNps.score <= 6 ? 1 : 0,
    promoter: latestNps && latestNps.score >= 9 ? 1 : 0,
    recentInteraction: recentInteraction ? 1 : 0,
    tenureYears: firstPurchase ? Math.min(10, Math.floor(daysBetween(firstPurchase, now) / 365)) : 0,
  };
}

export function upgradeFeatures(a: CustomerAggregates, now: Date): Record<string, number> {
  const owned = a.purchases;
  const topRank = Math.max(0, ...owned.map((p) => carRank(p.modelLine, p.variant)));
  const recent = interestsOf(a)
    .filter((i) => daysBetween(i.last, now) <= 180)
    .map((i) => [i.key, i] as const);
  // Interest keys are `<line>|<variant or topic>`: a "Cayenne|Cayenne Turbo" interest outranks a Cayenne.
  const higherInterest = recent
    .filter(([key]) => {
      const [line, detail = ''] = key.split('|');
      return (MODEL_LINES as readonly string[]).includes(line!) && carRank(line as ModelLine, detail) > topRank;
    })
    .reduce((sum, [, i]) => sum + i.count, 0);
  const combustionOwner = owned.length > 0 && owned.every((p) => p.powertrain !== 'ELECTRIC');
  const electricInterest = recent.some(([key]) => key.startsWith('TAYCAN|') || key === 'MACAN|electric');
  const newest = owned.map((p) => p.at).sort().at(-1);
  const maxSpent = Math.max(0, ...owned.map((p) => p.priceMinor));
  const nextLine = MODEL_LINES.filter((l) => MODEL_RANK[l] > Math.floor(topRank)).sort((x, y) => MODEL_RANK[x] - MODEL_RANK[y])[0];
  return {
    higherModelInterest: Math.min(8, higherInterest),
    electricInterest: combustionOwner && electricInterest ? 1 : 0,
    financeEndingSoon: financeEndingWithin(a, now, 365) ? 1 : 0,
    carAgeYears: newest ? Math.min(6, Math.max(0, Math.floor(daysBetween(newest, now) / 365) - 3)) : 0,
    budgetSignal: owned.length && nextLine && maxSpent >= ENTRY_PRICE_MINOR[nextLine] ? 1 : 0,
  };
}

/** Historical value by component: what the customer has brought so far. */
export function historicalValue(a: CustomerAggregates): Components {
  const result: Components = { vehicle: 0, service: 0, upgrades: 0, merchandise: 0, finance: 0 };
  let topRank = 0;
  for (const p of [...a.purchases].sort((x, y) => x.at.localeCompare(y.at))) {
    const rank = carRank(p.modelLine, p.variant);
    // A purchase above everything owned before is an upgrade (the first car is not).
    if (topRank > 0 && rank > topRank) result.upgrades += p.priceMinor;
    else result.vehicle += p.priceMinor;
    topRank = Math.max(topRank, rank);
  }
  result.service = a.visits.reduce((sum, v) => sum + v.revenueMinor, 0);
  result.merchandise = a.orders.reduce((sum, o) => sum + o.amountMinor, 0);
  result.finance = Math.round(a.finance.reduce((sum, f) => sum + f.principalMinor * VALUE_PARAMS.financeMargin[f.kind], 0));
  return result;
}

/** Annual run-rate by component: what a retained customer brings per year from now on. */
export function annualValue(a: CustomerAggregates, now: Date, upgradePropensity: number): Components {
  const windowYears = VALUE_PARAMS.runRateWindowDays / 365;
  const inWindow = (at: string) => daysBetween(at, now) <= VALUE_PARAMS.runRateWindowDays;
  const latest = [...a.purchases].sort((x, y) => x.at.localeCompare(y.at)).at(-1);
  const replacement = latest ? latest.priceMinor / VALUE_PARAMS.replacementCycleYears : 0;
  const hasVisits = a.visits.some((v) => inWindow(v.at));
  const financeYears = a.finance.reduce((sum, f) => sum + Math.max(1, daysBetween(f.startDate, new Date(`${f.endDate}T00:00:00Z`)) / 365), 0);
  return {
    vehicle: Math.round(replacement * (1 - upgradePropensity)),
    upgrades: Math.round(replacement * upgradePropensity * VALUE_PARAMS.upgradeUplift),
    service: hasVisits ? Math.round(a.visits.filter((v) => inWindow(v.at)).reduce((s, v) => s + v.revenueMinor, 0) / windowYears) : latest ? VALUE_PARAMS.defaultAnnualServiceMinor : 0,
    merchandise: Math.round(a.orders.filter((o) => inWindow(o.at)).reduce((s, o) => s + o.amountMinor, 0) / windowYears),
    finance: financeYears > 0 ? Math.round(historicalValue(a).finance / financeYears) : 0,
  };
}

/** Σₜ₌₁..H (r / (1 + d))ᵗ: the present value of one unit a year while the customer stays. */
export function retentionFactor(retention: number): number {
  const q = retention / (1 + VALUE_PARAMS.discountRate);
  let factor = 0;
  for (let t = 1; t <= VALUE_PARAMS.horizonYears; t++) factor += q ** t;
  return factor;
}

function ageOn(birthDate: string | undefined, now: Date): number | undefined {
  return birthDate ? daysBetween(birthDate, now) / 365.25 : undefined;
}

export function segmentsOf(customer: Pick<CustomerRecord, 'birthDate' | 'aggregates'>, now: Date): Segment[] {
  const a = customer.aggregates;
  const age = ageOn(customer.birthDate, now);
  const totalInteractions = Object.values(a.channels).reduce((s, n) => s + n, 0);
  const digital = DIGITAL_CHANNELS.reduce((s, c) => s + (a.channels[c] ?? 0), 0);
  const lines = new Set(a.purchases.map((p) => p.modelLine));
  const powertrains = new Set(a.purchases.map((p) => p.powertrain));
  const topics = new Set(Object.keys(a.interestCounts).map((k) => k.split('|')[1]?.toLowerCase()));
  const matches = SEGMENT_RULES.filter(
    (rule) =>
      (rule.ageBelow === undefined || (age !== undefined && age < rule.ageBelow)) &&
      (rule.digitalShareAtLeast === undefined || (totalInteractions > 0 && digital / totalInteractions >= rule.digitalShareAtLeast)) &&
      (rule.ownsModelLine === undefined || rule.ownsModelLine.some((l) => lines.has(l))) &&
      (rule.ownsPowertrain === undefined || rule.ownsPowertrain.some((p) => powertrains.has(p))) &&
      (rule.interestTopic === undefined || rule.interestTopic.some((t) => topics.has(t))),
  ).map((rule) => rule.segment);
  return [...new Set(matches)];
}

export function tierOf(clvMinor: number, a: CustomerAggregates): Tier {
  const byClv = TIER_THRESHOLDS.find((t) => clvMinor >= t.minClvMinor)!.tier;
  const byCar = TIER_BY_CAR.filter((rule) => a.purchases.some((p) => rule.variant.test(p.variant))).map((rule) => rule.tier);
  // The better of the two: tiers are listed best first.
  return [byClv, ...byCar].sort((x, y) => TIERS.indexOf(x) - TIERS.indexOf(y))[0]!;
}

export function benefitsOf(tier: Tier, segments: Segment[]): string[] {
  return BENEFITS.filter((b) => b.tiers?.includes(tier) || b.segments?.some((s) => segments.includes(s))).map((b) => b.code);
}

/**
 * @example
 * scoreCustomer(customer, new Date('2026-12-01T02:00:00Z')).clvMinor // e.g. 31_250_000 (EUR 312,500)
 */
export function scoreCustomer(customer: Pick<CustomerRecord, 'birthDate' | 'aggregates'>, now: Date): CustomerValue {
  const a = customer.aggregates;
  const churn = logistic(CHURN_MODEL, 'CHURN', churnFeatures(a, now));
  const upgrade = logistic(UPGRADE_MODEL, 'UPGRADE', upgradeFeatures(a, now));
  const history = historicalValue(a);
  const annual = annualValue(a, now, upgrade.value);
  const factor = retentionFactor(1 - churn.value);
  const components = Object.fromEntries(VALUE_COMPONENTS.map((c) => [c, roundMoney(history[c] + annual[c] * factor)])) as Components;
  const clvMinor = VALUE_COMPONENTS.reduce((sum, c) => sum + components[c], 0);
  const segments = segmentsOf(customer, now);
  const segment = segments[0] ?? 'CLASSIC_OWNER';
  const tier = tierOf(clvMinor, a);
  return {
    clvMinor,
    currency: VALUE_PARAMS.reportingCurrency,
    components,
    churnRisk: churn.value,
    upgradePropensity: upgrade.value,
    reasons: [...churn.reasons, ...upgrade.reasons],
    tier,
    segment,
    segments,
    benefits: benefitsOf(tier, segments),
    modelVersion: VALUE_MODEL_VERSION,
    computedAt: now.toISOString(),
  };
}

/** JSON with sorted keys: a stored map comes back from DynamoDB in any key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether a new score differs from the stored one in anything but its computation time. */
export function valueChanged(previous: CustomerValue | undefined, next: CustomerValue): boolean {
  if (!previous) return true;
  const { computedAt: _a, ...p } = previous;
  const { computedAt: _b, ...n } = next;
  return canonical(p) !== canonical(n);
}

export { toEurMinor };
