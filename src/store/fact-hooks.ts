import type { Store } from './store.js';
import type { TransactItem } from './transactions.js';

/**
 * Facts that several domains react to — a car registered, a service visit recorded, an
 * order, a finance contract, an interaction — are written in one transaction together
 * with whatever other domains keep about them, so nothing is lost or counted twice.
 *
 * The domain that owns a fact declares its payload by augmenting {@link FactPayloads}:
 *
 * ```ts
 * declare module '../store/fact-hooks.js' {
 *   interface FactPayloads { ServiceVisitRecorded: ServiceVisitRecorded }
 * }
 * ```
 *
 * A domain that reacts to it declares a hook on its module (`facts: { ServiceVisitRecorded:
 * (fact, store) => [...] }`): a pure function returning the transaction items it adds
 * (the store is given for the table's name and for `explainFailure`, which may read).
 * The owning service asks the registry for every contribution and writes them with its
 * own items. Neither domain imports the other.
 */
// Augmented by the domains that own facts; empty here on purpose.
export interface FactPayloads {}

export type FactName = keyof FactPayloads;

/** One transaction item a hook adds, and what it means when its condition fails. */
export interface Contribution {
  item: TransactItem;
  /**
   * Explains a failed condition on this item to the caller: a user error code (e.g.
   * `LIMIT_REACHED`) or `null` for "the target is gone / changed" (the service's own answer).
   * May read (e.g. to tell a missing customer from a full list).
   */
  explainFailure?: () => Promise<string | null>;
}

export type FactHook<N extends FactName> = (fact: FactPayloads[N], store: Store) => Contribution[];

export type FactHooks = { [N in FactName]?: FactHook<N> };

/** DynamoDB's limit on items in one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Every module's hooks, by fact. Built once at start-up from the domain modules. */
export class FactHookRegistry {
  private readonly byFact = new Map<FactName, FactHook<FactName>[]>();

  constructor(
    private readonly store: Store,
    hookSets: readonly (FactHooks | undefined)[],
  ) {
    for (const hooks of hookSets) {
      for (const [name, hook] of Object.entries(hooks ?? {}) as [FactName, FactHook<FactName>][]) {
        this.byFact.set(name, [...(this.byFact.get(name) ?? []), hook]);
      }
    }
  }

  /** The items every reacting domain adds to the transaction that records `fact`. */
  contributions<N extends FactName>(name: N, fact: FactPayloads[N]): Contribution[] {
    return (this.byFact.get(name) ?? []).flatMap((hook) => (hook as FactHook<N>)(fact, this.store));
  }
}
