import { Access } from '../auth/access.js';
import { createLoaders } from '../auth/loaders.js';
import type { Principal } from '../auth/principal.js';
import type { Repositories } from '../composition.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { ServiceContext } from '../shared/service-context.js';
import type { FactHookRegistry } from '../store/fact-hooks.js';

/** Everything a resolver may touch: what services need, plus the request's id. Resolvers never reach for globals. */
export interface GraphQLContext extends ServiceContext {
  requestId: string;
}

export function createContext(args: { principal: Principal; repos: Repositories; facts: FactHookRegistry; clock: Clock; logger: Logger; requestId: string }): GraphQLContext {
  const loaders = createLoaders(args.repos);
  return { ...args, loaders, access: new Access(args.principal, loaders) };
}
