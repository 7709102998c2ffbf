import DataLoader from 'dataloader';
import type { CustomerRecord } from '../customer/customer.js';
import type { DealerRecord } from '../dealer/dealer.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import type { Repositories } from './repositories.js';

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

function fromMap<V>(fetch: (keys: readonly string[]) => Promise<Map<string, V>>) {
  return new DataLoader<string, V | null>(
    async (keys) => {
      const found = await fetch(keys);
      return keys.map((key) => found.get(key) ?? null);
    },
    { maxBatchSize: 100 },
  );
}

export function createLoaders(repos: Repositories): Loaders {
  return {
    customer: fromMap((ids) => repos.customers.getMany(ids)),
    vehicle: fromMap((vins) => repos.vehicles.getMany(vins)),
    dealer: fromMap((ids) => repos.dealers.getMany(ids)),
  };
}
