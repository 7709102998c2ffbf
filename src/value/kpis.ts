import type { CustomerRecord } from '../customer/customer.js';
import { dealerKeys } from '../dealer/dealer.js';
import { VALUE_COMPONENTS, carRank, type Components, type CustomerValue } from './scoring.js';

/**
 * KPI roll-ups. The scores job adds every customer it scores into sums per scope (the
 * brand, and each dealer) and month; KPIs are ratios of those sums, so partial sums from
 * parallel segments merge by plain addition, and reading a KPI report is one item.
 *
 * Definitions (all in the README):
 * - NPS: % promoters (9–10) − % detractors (0–6) of the month's NPS answers.
 * - CSAT: average of the month's CSAT answers (1–5).
 * - Retention: of customers whose first purchase is over a year before the month starts,
 *   the share with a purchase, visit or order in the 12 months to the month's end.
 * - Repeat purchase: of customers with a purchase, the share with two or more.
 * - Finance penetration: of the purchases in the 12 months to the month's end, the share
 *   with a brand loan or lease on that car.
 * - Upgrade conversion: of those purchases that were a repeat purchase, the share that
 *   ranked above everything the customer owned before.
 * - Average service wait and first-time-fix rate: over the month's visits.
 * - Average CLV and components: over the customers scored.
 * Dealer scope: customer-level figures count the dealer's linked customers; visit and
 * survey figures count the visits and answers at that dealer.
 */
export interface KpiSums {
  npsPromoters: number;
  npsDetractors: number;
  npsCount: number;
  csatSum: number;
  csatCount: number;
  retentionBase: number;
  retained: number;
  buyers: number;
  repeatBuyers: number;
  purchases12: number;
  financed12: number;
  repeatPurchases12: number;
  upgrades12: number;
  visits: number;
  waitSum: number;
  firstTimeFixes: number;
  customersScored: number;
  clvSum: number;
  componentSums: Components;
}

export function emptySums(): KpiSums {
  return {
    npsPromoters: 0,
    npsDetractors: 0,
    npsCount: 0,
    csatSum: 0,
    csatCount: 0,
    retentionBase: 0,
    retained: 0,
    buyers: 0,
    repeatBuyers: 0,
    purchases12: 0,
    financed12: 0,
    repeatPurchases12: 0,
    upgrades12: 0,
    visits: 0,
    waitSum: 0,
    firstTimeFixes: 0,
    customersScored: 0,
    clvSum: 0,
    componentSums: { vehicle: 0, service: 0, upgrades: 0, merchandise: 0, finance: 0 },
  };
}

/** Sums by scope key: `BRAND` or `DEALER#<id>`. */
export type ScopedSums = Record<string, KpiSums>;

export const BRAND_SCOPE = 'BRAND';
export const dealerScope = dealerKeys.kpiScope;

/** Adds `source` into `target`: sums of disjoint sets of customers merge by plain addition. */
export function addSums(target: KpiSums, source: KpiSums): KpiSums {
  for (const key of Object.keys(source) as (keyof KpiSums)[]) {
    if (key === 'componentSums') for (const c of VALUE_COMPONENTS) target.componentSums[c] += source.componentSums[c];
    else target[key] += source[key];
  }
  return target;
}

/**
 * The sums as top-level numbers (`componentSums.vehicle` → `componentVehicle`): DynamoDB's
 * `ADD` works on top-level attributes only, so a segment's partial sums are stored flat
 * and added to in place. Zeros are left out: an absent attribute reads as 0.
 */
export function flattenSums(s: KpiSums): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const [key, value] of Object.entries(s) as [keyof KpiSums, unknown][]) {
    if (key !== 'componentSums' && value) flat[key] = value as number;
  }
  for (const c of VALUE_COMPONENTS) if (s.componentSums[c]) flat[componentAttribute(c)] = s.componentSums[c];
  return flat;
}

/** Every attribute `flattenSums` may write. */
export const FLAT_SUM_ATTRIBUTES: readonly string[] = [...Object.keys(emptySums()).filter((k) => k !== 'componentSums'), ...VALUE_COMPONENTS.map((c) => componentAttribute(c))];

/** The sums back from their flat form; absent attributes are 0. */
export function unflattenSums(flat: Readonly<Record<string, unknown>>): KpiSums {
  const s = emptySums();
  const read = (name: string) => (typeof flat[name] === 'number' ? (flat[name] as number) : 0);
  for (const key of Object.keys(s) as (keyof KpiSums)[]) if (key !== 'componentSums') s[key] = read(key);
  for (const c of VALUE_COMPONENTS) s.componentSums[c] = read(componentAttribute(c));
  return s;
}

function componentAttribute(c: (typeof VALUE_COMPONENTS)[number]): string {
  return `component${c[0]!.toUpperCase()}${c.slice(1)}`;
}

export function mergeScoped(into: ScopedSums, from: ScopedSums): ScopedSums {
  for (const [scope, sums] of Object.entries(from)) addSums((into[scope] ??= emptySums()), sums);
  return into;
}

/** First and last instant of a month `YYYY-MM`. */
export function monthBounds(period: string): { start: number; end: number } {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return { start: Date.UTC(y, m - 1, 1), end: Date.UTC(y, m, 1) - 1 };
}

const YEAR = 365 * 86_400_000;

/**
 * The repeat-purchase KPI's view of one customer at `end` (epoch ms): a buyer has bought a
 * car by then, a repeat buyer two or more. The club's KPIs split the same figure into
 * members and non-members with this function, so both count alike.
 */
export function buyerStanding(a: Pick<CustomerRecord['aggregates'], 'purchases'>, end: number): { buyer: boolean; repeat: boolean } {
  const bought = a.purchases.filter((p) => Date.parse(p.at) <= end).length;
  return { buyer: bought > 0, repeat: bought > 1 };
}

/** Adds one customer's contribution to a month's sums, for the brand and the scopes it touches. */
export function accumulate(into: ScopedSums, customer: Pick<CustomerRecord, 'aggregates' | 'dealerIds'>, value: CustomerValue, period: string): void {
  const { start, end } = monthBounds(period);
  const a = customer.aggregates;
  const inMonth = (at: string) => Date.parse(at) >= start && Date.parse(at) <= end;
  const inYearToEnd = (at: string) => Date.parse(at) > end - YEAR && Date.parse(at) <= end;
  const scope = (key: string) => (into[key] ??= emptySums());
  const customerScopes = [BRAND_SCOPE, ...customer.dealerIds.map(dealerScope)];
  const standing = buyerStanding(a, end);

  // Customer-level figures.
  const purchases = [...a.purchases].filter((p) => Date.parse(p.at) <= end).sort((x, y) => x.at.localeCompare(y.at));
  const first = purchases[0];
  const activity = [...purchases.map((p) => p.at), ...a.visits.map((v) => v.at), ...a.orders.map((o) => o.at)];
  const financedVins = new Set(a.finance.map((f) => f.vin));
  let topRank = 0;
  const perPurchase = purchases.map((p, i) => {
    const rank = carRank(p.modelLine, p.variant);
    const upgrade = i > 0 && rank > topRank;
    topRank = Math.max(topRank, rank);
    return { p, repeat: i > 0, upgrade };
  });
  for (const key of customerScopes) {
    const s = scope(key);
    s.customersScored += 1;
    s.clvSum += value.clvMinor;
    for (const c of VALUE_COMPONENTS) s.componentSums[c] += value.components[c];
    if (standing.buyer) s.buyers += 1;
    if (standing.repeat) s.repeatBuyers += 1;
    if (first) {
      if (Date.parse(first.at) < start - YEAR) {
        s.retentionBase += 1;
        if (activity.some(inYearToEnd)) s.retained += 1;
      }
    }
    for (const { p, repeat, upgrade } of perPurchase.filter((x) => inYearToEnd(x.p.at))) {
      s.purchases12 += 1;
      if (financedVins.has(p.vin)) s.financed12 += 1;
      if (repeat) s.repeatPurchases12 += 1;
      if (upgrade) s.upgrades12 += 1;
    }
  }

  // Event-level figures: the brand and the dealer where they happened.
  for (const v of a.visits.filter((x) => inMonth(x.at))) {
    for (const key of [BRAND_SCOPE, dealerScope(v.dealerId)]) {
      const s = scope(key);
      s.visits += 1;
      s.waitSum += v.waitMinutes;
      if (v.firstTimeFix) s.firstTimeFixes += 1;
    }
  }
  for (const answer of a.surveys.filter((x) => inMonth(x.at))) {
    for (const key of [BRAND_SCOPE, ...(answer.dealerId ? [dealerScope(answer.dealerId)] : [])]) {
      const s = scope(key);
      if (answer.kind === 'NPS') {
        s.npsCount += 1;
        if (answer.score >= 9) s.npsPromoters += 1;
        if (answer.score <= 6) s.npsDetractors += 1;
      } else {
        s.csatCount += 1;
        s.csatSum += answer.score;
      }
    }
  }
}

export interface KpiFigure {
  value: number | null;
  count: number;
}

export interface KpiView {
  scope: 'BRAND' | 'DEALER';
  dealerId?: string;
  period: string;
  nps: KpiFigure;
  csat: KpiFigure;
  retentionRate: KpiFigure;
  repeatPurchaseRate: KpiFigure;
  financePenetration: KpiFigure;
  upgradeConversion: KpiFigure;
  averageServiceWaitMinutes: KpiFigure;
  firstTimeFixRate: KpiFigure;
  averageClvMinor: number;
  averageComponentsMinor: Components;
  customersScored: number;
  computedAt: string;
}

const ratio = (part: number, whole: number, scale = 1): KpiFigure => ({ value: whole ? Math.round((part / whole) * scale * 1000) / 1000 : null, count: whole });

export function toKpiView(s: KpiSums, scope: KpiView['scope'], period: string, computedAt: string, dealerId?: string): KpiView {
  const n = s.customersScored;
  return {
    scope,
    dealerId,
    period,
    nps: ratio(s.npsPromoters - s.npsDetractors, s.npsCount, 100),
    csat: ratio(s.csatSum, s.csatCount),
    retentionRate: ratio(s.retained, s.retentionBase),
    repeatPurchaseRate: ratio(s.repeatBuyers, s.buyers),
    financePenetration: ratio(s.financed12, s.purchases12),
    upgradeConversion: ratio(s.upgrades12, s.repeatPurchases12),
    averageServiceWaitMinutes: ratio(s.waitSum, s.visits),
    firstTimeFixRate: ratio(s.firstTimeFixes, s.visits),
    averageClvMinor: n ? Math.round(s.clvSum / n) : 0,
    averageComponentsMinor: Object.fromEntries(VALUE_COMPONENTS.map((c) => [c, n ? Math.round(s.componentSums[c] / n) : 0])) as Components,
    customersScored: n,
    computedAt,
  };
}
