import { createRepositories as fromModules, type Repositories } from '../composition.js';
import type { Store } from '../store/store.js';
import { domainModules } from './__generated__/modules.js';

export type { Repositories };

/** Every domain's repositories over one store (the test support builds its own store). */
export function createRepositories(store: Store): Repositories {
  return fromModules(store, domainModules);
}
