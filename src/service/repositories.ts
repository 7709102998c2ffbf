import type { RepositoryFactory } from '../composition.js';
import { ServiceVisitRepository } from './service-visit-repository.js';

declare module '../composition.js' {
  interface Repositories {
    visits: ServiceVisitRepository;
  }
}

/** The service domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ visits: new ServiceVisitRepository(store) });
export default repositories;
