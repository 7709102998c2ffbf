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
  };
}
