import type { RepositoryFactory } from '../composition.js';
import { CustomerRepository } from './customer-repository.js';

declare module '../composition.js' {
  interface Repositories {
    customers: CustomerRepository;
  }
}

/** The customer domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ customers: new CustomerRepository(store) });
export default repositories;
