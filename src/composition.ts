import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobConfig } from './config.js';
import { domainFactHooks } from './__generated__/fact-hooks.js';
import { domainRepositories } from './__generated__/repositories.js';
import { FleetRatesRepository } from './fleet-rates/fleet-rates-repository.js';
import { withServicePlan } from './service/vehicle-plan.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createLogger, type Logger } from './shared/logger.js';
import { createDocumentClient, type ClientProfile } from './store/dynamo-client.js';
import { FactHookRegistry, type FactHooks } from './store/fact-hooks.js';
import type { Store } from './store/store.js';

/**
 * The composition root: the one place that turns validated configuration into the
 * long-lived parts of a process — the DynamoDB client with the profile that process
 * needs, the store, the repositories, the clock and the logger. The API (through
 * `graphql/runtime.ts`), the job handlers and the local CLIs all build themselves here, so
 * a job and the API never differ in how they reach the table.
 *
 * It imports the ground floor (`store/`, `shared/`), never `graphql/` or `handlers/`: those
 * import it. Each domain's repositories come from its `repositories.ts` through a generated
 * list, so a new domain edits nothing here (unless it needs a rule from a domain above it:
 * see {@link Ports}).
 */
// Augmented by each domain's `repositories.ts` (`declare module '../composition.js'`); empty
// here on purpose, so this file lists no domain.
export interface Repositories {}

/**
 * Rules a domain needs from a domain above it, which it may not import (layers point one
 * way): the needing domain declares the function's type and augments this interface
 * (`declare module '../composition.js'`), the other domain implements it, and
 * {@link PORTS} wires the two — the one place that may name both, checked by the compiler.
 */
export interface Ports {}

/** The implementations of {@link Ports}. */
export const PORTS: Ports = {
  // The vehicle domain stores the plan the service domain computes (`vehicle/vehicle.ts`, `VehiclePlanner`).
  planService: withServicePlan,
  // …with the fleet's learned rates as the prior of cars with little history of their own.
  planContext: (store) => new FleetRatesRepository(store).planContext,
};

/** A domain's repositories over the store: the default export of `src/<domain>/repositories.ts`. */
export type RepositoryFactory = (store: Store, ports: Ports) => Partial<Repositories>;

/** Every domain's repositories over one store (the list is generated: `npm run codegen`). */
export function createRepositories(store: Store, ports: Ports = PORTS): Repositories {
  return Object.assign({}, ...domainRepositories.map((create) => create(store, ports))) as Repositories;
}

/**
 * Every domain's reactions to the facts other domains write (see `store/fact-hooks.ts`),
 * from each `src/<domain>/fact-hooks.ts` (the list is generated: `npm run codegen`), in
 * folder order: a fact's transaction lists its owner's items, then each hook set's. A
 * domain that reacts to a fact adds its `fact-hooks.ts` and edits no other file.
 */
export function createFactHooks(store: Store, hookSets: readonly FactHooks[] = domainFactHooks, clock: Clock = systemClock): FactHookRegistry {
  return new FactHookRegistry(store, hookSets, clock);
}

interface Core {
  store: Store;
  repos: Repositories;
  facts: FactHookRegistry;
  clock: Clock;
  logger: Logger;
}

interface CoreOptions {
  /** `api` fails fast (a caller is waiting); `job` is patient (see `store/dynamo-client.ts`). */
  profile: ClientProfile;
  /** The `service` field on every log line of the process. */
  service: string;
  /** Injected parts (tests, fault injection); each is built from the config only when absent. */
  doc?: DynamoDBDocumentClient;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Built once per cold start, at module level of a handler.
 *
 * @example
 * const core = createCore(readJobConfig(process.env), { profile: 'job', service: 'paddock-reminders-job' });
 * await runRemindersJob({ ...core.repos, logger: core.logger }, { now });
 */
export function createCore(config: JobConfig, { profile, service, doc, clock = systemClock, logger }: CoreOptions): Core {
  const store: Store = { doc: doc ?? createDocumentClient({ endpoint: config.dynamodbEndpoint, region: config.region, profile }), tableName: config.tableName };
  return { store, repos: createRepositories(store), facts: createFactHooks(store, domainFactHooks, clock), clock, logger: logger ?? createLogger({ service }, { level: config.logLevel }) };
}
