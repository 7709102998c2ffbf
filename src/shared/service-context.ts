import type { Access } from '../auth/access.js';
import type { Loaders } from '../auth/loaders.js';
import type { Principal } from '../auth/principal.js';
import type { Repositories } from '../composition.js';
import type { FactHookRegistry } from '../store/fact-hooks.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/**
 * What a domain service needs from a request: the caller, authorised reads, request-scoped
 * loaders, repositories, time and a logger. The GraphQL context extends it (and any other
 * entry point could build one), so services never depend on the layer that calls them.
 * The imports above are types only and vanish at run time: the ground floor loads no domain.
 */
export interface ServiceContext {
  principal: Principal;
  /** Authorised reads; the only way a caller's customers, vehicles and dealers are loaded. */
  access: Access;
  loaders: Loaders;
  repos: Repositories;
  /** Other domains' contributions to the facts a service writes (built once, in `composition.ts`). */
  facts: FactHookRegistry;
  clock: Clock;
  logger: Logger;
}
