import type { ModelLine, Powertrain } from '../catalogue/model-lines.js';

/**
 * The layout of a customer's running aggregates and the caps that keep the profile item
 * within DynamoDB's item size. The profile owns them (it is the item they live on), so the
 * customer domain declares them; the value domain, which appends facts and scores from
 * them, imports them from here.
 *
 * A customer's running aggregates, kept on the profile item and updated in the same
 * transaction as every fact that feeds them (a purchase, a visit, an order, a finance
 * contract, a survey, an interaction). Scoring and KPIs read only this: one item per
 * customer, never their whole history.
 *
 * Lists hold compact dated facts (a customer has a handful of cars, a visit or two a
 * year); interactions are counted per interest key instead of listed.
 */
export interface PurchaseFact {
  at: string;
  vin: string;
  dealerId: string;
  modelLine: ModelLine;
  variant: string;
  powertrain: Powertrain;
  priceMinor: number;
}

export interface VisitFact {
  at: string;
  dealerId: string;
  revenueMinor: number;
  waitMinutes: number;
  firstTimeFix: boolean;
}

export interface OrderFact {
  at: string;
  amountMinor: number;
  dealerId?: string;
}

export interface FinanceFact {
  kind: 'LOAN' | 'LEASE';
  vin: string;
  dealerId?: string;
  principalMinor: number;
  monthlyMinor: number;
  startDate: string;
  endDate: string;
}

export interface SurveyFact {
  at: string;
  kind: 'NPS' | 'CSAT';
  score: number;
  touchpoint: string;
  dealerId?: string;
}

export interface CustomerAggregates {
  purchases: PurchaseFact[];
  visits: VisitFact[];
  orders: OrderFact[];
  finance: FinanceFact[];
  surveys: SurveyFact[];
  /**
   * Interactions per interest key and the latest time each was seen: two flat maps, so
   * one interaction is one atomic `SET count = count + 1` without read-modify-write.
   */
  interestCounts: Record<string, number>;
  interestLast: Record<string, string>;
  /** Interactions per channel, for the digital-first segment. */
  channels: Record<string, number>;
}

export function emptyAggregates(): CustomerAggregates {
  return { purchases: [], visits: [], orders: [], finance: [], surveys: [], interestCounts: {}, interestLast: {}, channels: {} };
}

/** The aggregate list a fact kind is appended to. */
export type AggregateList = 'purchases' | 'visits' | 'orders' | 'finance' | 'surveys';

/**
 * Bounds of everything on the profile that grows with input. DynamoDB refuses an item
 * over 400 KB, and a refused profile would stop every later fact about the customer (and
 * used to stop the scores job), so the profile is budgeted to stay under 200 KB at the
 * worst case — every list full, every string at its length cap (checked by a unit test
 * with `itemSizeBytes`). Worst-case bytes per entry, attribute names included:
 *
 * | list | entry | cap | worst case |
 * |---|---|---|---|
 * | purchases | at, VIN, dealer id, model line, variant ≤ 100, powertrain, price | 150 | ≈ 35 KB |
 * | visits | at, dealer id, revenue, wait, first-time-fix | 400 | ≈ 45 KB |
 * | orders | at, amount, dealer id | 400 | ≈ 35 KB |
 * | finance | kind, VIN, dealer id, principal, monthly, two dates | 50 | ≈ 8 KB |
 * | surveys | at, kind, score, touchpoint, dealer id | 200 | ≈ 20 KB |
 * | interests | key ≤ 111 characters, twice (count and last time) | 50 keys | ≈ 13 KB |
 *
 * The caps are far above any real customer's (a visit a month for 30 years is 360): a fact
 * beyond one is refused with `LIMIT_REACHED` and nothing is written, so the scores stay
 * exactly right for what is stored. Interests instead evict their weakest key — an interest
 * signal may be lossy, a revenue fact may not.
 */
export const AGGREGATE_LIMITS: Readonly<Record<AggregateList, number>> = { purchases: 150, visits: 400, orders: 400, finance: 50, surveys: 200 };
/** Distinct interest keys kept per customer; a new key evicts the weakest. */
export const MAX_INTERESTS = 50;
/**
 * Cars a customer owns at once (the profile's VIN set, ≈ 20 bytes each): registrations
 * and transfers to a customer at the cap are refused with `LIMIT_REACHED`. The dealer set
 * needs no cap of its own: it can hold only dealers that exist, and only admins create those.
 */
export const MAX_OWNED_VEHICLES = 150;

/** What a client is told when a list is full. */
export function limitMessage(list: AggregateList | 'vehicles'): string {
  const max = list === 'vehicles' ? MAX_OWNED_VEHICLES : AGGREGATE_LIMITS[list];
  return `This customer already has ${max} ${list} recorded, the most one profile holds; nothing was written. Contact the brand's CRM team.`;
}
