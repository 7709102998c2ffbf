import type { RepositoryFactory } from '../composition.js';
import { DealerRepository } from './dealer-repository.js';

declare module '../composition.js' {
  interface Repositories {
    dealers: DealerRepository;
  }
}

/** The dealer domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ dealers: new DealerRepository(store) });
export default repositories;
