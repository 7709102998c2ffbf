import { Access } from '../../src/auth/access.js';
import { createLoaders } from '../../src/auth/loaders.js';
import { domainFactHooks } from '../../src/__generated__/fact-hooks.js';
import { createFactHooks } from '../../src/composition.js';
import { createLogger } from '../../src/shared/logger.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import type { FactHooks } from '../../src/store/fact-hooks.js';
import type { TestStore } from './store.js';

/**
 * A domain service's context as an admin at `now`, over a test store: every domain's fact
 * hooks plus a test's own (`hooks`), given the same clock, and a silent logger.
 */
export function adminServiceContext(store: TestStore, now: Date, hooks: FactHooks = {}): ServiceContext {
  const principal = { kind: 'admin', subject: 'test-admin' } as const;
  const loaders = createLoaders(store.repos);
  const clock = () => now;
  return { principal, access: new Access(principal, loaders), loaders, repos: store.repos, facts: createFactHooks(store, [...domainFactHooks, hooks], clock), clock, logger: createLogger({}, { level: 'error', write: () => true }) };
}
