import type { Principal } from '../auth/principal.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { Access } from './access.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { Repositories } from './repositories.js';

/** Everything a resolver may touch. Resolvers never reach for globals. */
export interface GraphQLContext {
  principal: Principal;
  /** Authorised reads; the only way resolvers load customers, vehicles and dealers. */
  access: Access;
  loaders: Loaders;
  repos: Repositories;
  clock: Clock;
  logger: Logger;
  requestId: string;
}

export function createContext(args: { principal: Principal; repos: Repositories; clock: Clock; logger: Logger; requestId: string }): GraphQLContext {
  const loaders = createLoaders(args.repos);
  return { ...args, loaders, access: new Access(args.principal, loaders) };
}
