import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../store/store.js';
import type { FleetRates, PlanContext } from './fleet-rates.js';
import { fleetRatesKeys } from './fleet-rates-records.js';

/** How long a process keeps the fleet's rates before reading them again: they change once a night. */
export const FLEET_RATES_CACHE_MS = 10 * 60_000;

/** One cache per table, shared by every repository over it (the API's and the planner's). */
const caches = new WeakMap<Store, { at: number; rates: FleetRates | null }>();

/** The fleet's learned rates (see `fleet-rates.ts`). */
export class FleetRatesRepository {
  constructor(private readonly store: Store) {}

  /** The current rates, or null before the first run; cached in-process for {@link FLEET_RATES_CACHE_MS}. */
  async current(): Promise<FleetRates | null> {
    const cached = caches.get(this.store);
    if (cached && Date.now() - cached.at < FLEET_RATES_CACHE_MS) return cached.rates;
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: fleetRatesKeys.current() }));
    const rates = Item ? (Item.rates as FleetRates) : null;
    caches.set(this.store, { at: Date.now(), rates });
    return rates;
  }

  /** Forgets the cached rates (after a run saved new ones in this process, or in tests). */
  forget(): void {
    caches.delete(this.store);
  }

  /** What the vehicle domain's planner is given besides the car (wired as the `planContext` port). */
  planContext = async (): Promise<PlanContext> => ({ fleet: await this.current() });
}
