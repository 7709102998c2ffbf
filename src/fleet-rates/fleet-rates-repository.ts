import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../store/store.js';
import { transactWrite } from '../store/transactions.js';
import type { FleetRates, PlanContext } from './fleet-rates.js';
import { currentFleetRatesEntity, fleetRatesKeys, fleetRatesVersionEntity, fromStored, toStored } from './fleet-rates-records.js';

/** How long a process keeps the fleet's rates before reading them again: they change once a night. */
export const FLEET_RATES_CACHE_MS = 10 * 60_000;

/** One cache per table, shared by every repository over it (the API's and the planner's). */
const caches = new WeakMap<Store, { at: number; rates: FleetRates | null }>();

export type SaveOutcome =
  | { kind: 'SAVED'; rates: FleetRates }
  /** Another run saved a version after `expectedVersion` was read: nothing of this one was written. */
  | { kind: 'SUPERSEDED' };

/** The fleet's learned rates (see `fleet-rates.ts`). */
export class FleetRatesRepository {
  constructor(private readonly store: Store) {}

  /** The current rates, or null before the first run; cached in-process for {@link FLEET_RATES_CACHE_MS}. */
  async current(): Promise<FleetRates | null> {
    const cached = caches.get(this.store);
    if (cached && Date.now() - cached.at < FLEET_RATES_CACHE_MS) return cached.rates;
    const rates = await this.latest(false);
    caches.set(this.store, { at: Date.now(), rates });
    return rates;
  }

  /** The current rates as stored right now (strongly consistent, never cached): what a run compares with and versions after. */
  async latest(consistent = true): Promise<FleetRates | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: fleetRatesKeys.current(), ConsistentRead: consistent }));
    return Item ? fromStored(currentFleetRatesEntity.fromItem(Item)) : null;
  }

  /** The rates of one run, kept for good: what a plan of that night was computed with. */
  async version(version: number): Promise<FleetRates | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: fleetRatesKeys.version(version) }));
    return Item ? fromStored(fleetRatesVersionEntity.fromItem(Item)) : null;
  }

  /**
   * Saves `rates` as the version after `expectedVersion` (null: the first) in one
   * transaction: the immutable version item (only if new) and the current item (only if
   * still at `expectedVersion`). Two runs that read the same current item race on both
   * conditions; the loser writes nothing and is told so.
   */
  async save(rates: Omit<FleetRates, 'version'>, expectedVersion: number | null): Promise<SaveOutcome> {
    const saved: FleetRates = { ...rates, version: (expectedVersion ?? 0) + 1 };
    const stored = toStored(saved);
    const { tableName } = this.store;
    const result = await transactWrite(this.store.doc, [
      { Put: { TableName: tableName, Item: fleetRatesVersionEntity.toItem(stored), ConditionExpression: 'attribute_not_exists(PK)' } },
      {
        Put: {
          TableName: tableName,
          Item: currentFleetRatesEntity.toItem(stored),
          ...(expectedVersion === null
            ? { ConditionExpression: 'attribute_not_exists(PK)' }
            : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
        },
      },
    ]);
    if (!result.ok) return { kind: 'SUPERSEDED' };
    // This process plans with the new rates at once; others pick them up within the cache period.
    this.forget();
    return { kind: 'SAVED', rates: saved };
  }

  /** Forgets the cached rates (after a run saved new ones in this process, or in tests). */
  forget(): void {
    caches.delete(this.store);
  }

  /** What the vehicle domain's planner is given besides the car (wired as the `planContext` port). */
  planContext = async (): Promise<PlanContext> => ({ fleet: await this.current() });
}
