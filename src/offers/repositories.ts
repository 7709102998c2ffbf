import type { RepositoryFactory } from '../composition.js';
import { OfferRepository } from './offer-repository.js';

declare module '../composition.js' {
  interface Repositories {
    /** The offer catalogue, decisions, offer books, response receipts and follow-up lists. */
    offers: OfferRepository;
  }
}

/** The offers domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ offers: new OfferRepository(store) });
export default repositories;
