import DataLoader from 'dataloader';
import type { CustomerRecord } from '../customer/customer.js';
import type { DealerRecord } from '../dealer/dealer.js';
import { PaddockError } from '../shared/errors.js';
import { hasVinShape, isUlid } from '../shared/ids.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import type { Repositories } from '../composition.js';

/**
 * Request-scoped DataLoaders: every `load` in one tick of the event loop becomes one
 * BatchGetItem (≤ 100 keys a call), so a list of 50 customers with their vehicles costs
 * a round trip per level of the query, not one per element. Per request, so one caller
 * never sees another's cached data.
 */
export interface Loaders {
  customer: DataLoader<string, CustomerRecord | null>;
  vehicle: DataLoader<string, VehicleRecord | null>;
  dealer: DataLoader<string, DealerRecord | null>;
  /** Pages of nested connections (see `PageRead`): one wave of concurrent Queries per level of a query. */
  pages: DataLoader<PageRead, unknown, string>;
}

/**
 * One parent's page of a nested connection (`Customer.reminders` of one customer, with its
 * page arguments in `key`). DynamoDB has no Query over many partitions, so a level of a
 * query still needs a Query per parent; batching them makes that level one wave: every
 * parent's Query of one tick is sent at once and all answers arrive together, so what the
 * level loads next (the cars that decide visibility, the items' own references) is one
 * BatchGetItem for the level, not one per Query that happened to answer in its own tick.
 * The same parent and arguments asked twice (aliases, a car reached by two paths) read once.
 */
export interface PageRead {
  key: string;
  read: () => Promise<unknown>;
}

/** DynamoDB's answer to a request it refuses as malformed (a key too long, an empty key part). */
const isRefusedRequest = (error: unknown) => error instanceof Error && error.name === 'ValidationException';

const asError = (error: unknown): Error => (error instanceof Error ? error : new PaddockError(String(error), { cause: error }));

/**
 * A loader of keys of one shape. A key of another shape cannot exist, so it is `null`
 * without reaching DynamoDB. A batch holds many callers' keys, so one key must never
 * fail the others: should DynamoDB still refuse a batch, each key is read on its own
 * and only the refused ones fail. Other faults (throttling, timeouts) fail the batch as
 * they are — re-reading key by key would only multiply the load on a struggling table.
 */
function keyedLoader<V>(wellFormed: (key: string) => boolean, fetch: (keys: readonly string[]) => Promise<Map<string, V>>) {
  const readEachAlone = (keys: readonly string[]) =>
    Promise.all(keys.map((key) => fetch([key]).then((found) => found.get(key) ?? null, asError)));
  return new DataLoader<string, V | null>(
    async (keys) => {
      const valid = keys.filter(wellFormed);
      const values = new Map<string, V | Error | null>();
      if (valid.length > 0) {
        try {
          const found = await fetch(valid);
          for (const key of valid) values.set(key, found.get(key) ?? null);
        } catch (error) {
          const each = valid.length > 1 && isRefusedRequest(error) ? await readEachAlone(valid) : valid.map(() => asError(error));
          valid.forEach((key, i) => values.set(key, each[i]!));
        }
      }
      return keys.map((key) => values.get(key) ?? null);
    },
    { maxBatchSize: 100 },
  );
}

export function createLoaders(repos: Repositories): Loaders {
  return {
    customer: keyedLoader(isUlid, (ids) => repos.customers.getMany(ids)),
    vehicle: keyedLoader(hasVinShape, (vins) => repos.vehicles.getMany(vins)),
    dealer: keyedLoader(isUlid, (ids) => repos.dealers.getMany(ids)),
    // No batch size: the query cost limit already bounds the parents of one level, and a
    // split batch would answer in two waves. A failed page fails only its own parent.
    pages: new DataLoader<PageRead, unknown, string>((reads) => Promise.all(reads.map((r) => r.read().catch(asError))), { cacheKeyFn: (r) => r.key }),
  };
}

/**
 * A nested connection's page for one parent, read in its level's wave with its siblings'
 * (see `PageRead`): list elements' resolvers and the services they call read through this
 * instead of on their own. `args` are what makes the page (first, after, filters);
 * `connection` names the field. Await it, then load what the page refers to: those loads
 * of the whole level then share one tick, hence one BatchGetItem.
 *
 * @example
 * const page = await loadPage(ctx.loaders, 'Customer.reminders', c.id, { first, after, status }, () => ctx.repos.reminders.ofCustomer(c.id, first, after, status));
 */
export function loadPage<P>(loaders: Pick<Loaders, 'pages'>, connection: string, parentId: string, args: Record<string, unknown>, read: () => Promise<P>): Promise<P> {
  return loaders.pages.load({ key: JSON.stringify([connection, parentId, args]), read }) as Promise<P>;
}
