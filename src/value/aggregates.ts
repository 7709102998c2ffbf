import { AGGREGATE_LIMITS, type AggregateList, type CustomerAggregates } from '../customer/profile-aggregates.js';

// How the value domain reads and writes the profile's aggregates; their layout and caps
// are the profile's (`customer/profile-aggregates.ts`).

/** Interaction counts per interest key (`<MODEL_LINE>|<variant or topic>`), with the latest time seen. */
export interface InterestCounter {
  key: string;
  count: number;
  last: string;
}

/** The interest counters as a list. */
export function interestsOf(a: Pick<CustomerAggregates, 'interestCounts' | 'interestLast'>): InterestCounter[] {
  return Object.entries(a.interestCounts).map(([key, count]) => ({ key, count, last: a.interestLast[key] ?? '' }));
}

/**
 * The DynamoDB update clause that appends one fact to a list of the profile's
 * aggregates: `list_append` keeps concurrent writers from overwriting each other, and
 * `condition` (to AND into the update's condition) keeps the list within its cap.
 */
export function appendFactClause(list: AggregateList, fact: unknown, n = 0) {
  return {
    expression: `#agg.#list${n} = list_append(if_not_exists(#agg.#list${n}, :empty${n}), :fact${n})`,
    condition: `(attribute_not_exists(#agg.#list${n}) OR size(#agg.#list${n}) < :max${n})`,
    names: { '#agg': 'aggregates', [`#list${n}`]: list },
    values: { [`:empty${n}`]: [], [`:fact${n}`]: [fact], [`:max${n}`]: AGGREGATE_LIMITS[list] },
  };
}

/**
 * The interest keys to drop so that `adding` new keys fit within `max`: the weakest first —
 * fewest interactions, then longest unseen, then by key so concurrent writers agree — never
 * one in `keep` (keys the same write increments). Usually as many as are added; more only
 * for a profile already over the cap (data from before it).
 *
 * @example
 * interestsToEvict({ a: 3, b: 1 }, { a: '2026-01-02', b: '2026-01-01' }, 2) // ['b']
 * interestsToEvict({ a: 3, b: 1, c: 2 }, {}, 3, { adding: 2, keep: ['b'] }) // ['c', 'a']
 */
export function interestsToEvict(counts: Readonly<Record<string, number>>, last: Readonly<Record<string, string>>, max: number, { adding = 1, keep = [] }: { adding?: number; keep?: readonly string[] } = {}): string[] {
  const keys = Object.keys(counts);
  const excess = keys.length - max + adding;
  if (excess <= 0) return [];
  return keys
    .filter((k) => !keep.includes(k))
    .sort((a, b) => (counts[a]! - counts[b]!) || (last[a] ?? '').localeCompare(last[b] ?? '') || a.localeCompare(b))
    .slice(0, excess);
}
