import type { RepositoryFactory } from '../composition.js';
import { FactRepository } from './fact-repository.js';
import { ValueRepository } from './value-repository.js';

declare module '../composition.js' {
  interface Repositories {
    facts: FactRepository;
    values: ValueRepository;
  }
}

/** The value domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ facts: new FactRepository(store), values: new ValueRepository(store) });
export default repositories;
