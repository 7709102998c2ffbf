import type { ModelLine, Powertrain } from '../vehicle/model-lines.js';

/**
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

/** Interaction counts per interest key (`<MODEL_LINE>|<variant or topic>`), with the latest time seen. */
export interface InterestCounter {
  key: string;
  count: number;
  last: string;
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

/** The interest counters as a list. */
export function interestsOf(a: Pick<CustomerAggregates, 'interestCounts' | 'interestLast'>): InterestCounter[] {
  return Object.entries(a.interestCounts).map(([key, count]) => ({ key, count, last: a.interestLast[key] ?? '' }));
}

/** The aggregate list a fact kind is appended to. */
export type AggregateList = 'purchases' | 'visits' | 'orders' | 'finance' | 'surveys';

/**
 * The DynamoDB update clause that appends one fact to a list of the profile's
 * aggregates: `list_append` keeps concurrent writers from overwriting each other.
 */
export function appendFactClause(list: AggregateList, fact: unknown, n = 0) {
  return {
    expression: `#agg.#list${n} = list_append(if_not_exists(#agg.#list${n}, :empty${n}), :fact${n})`,
    names: { '#agg': 'aggregates', [`#list${n}`]: list },
    values: { [`:empty${n}`]: [], [`:fact${n}`]: [fact] },
  };
}
