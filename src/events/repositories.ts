import type { RepositoryFactory } from '../composition.js';
import { EventRepository } from './event-repository.js';

declare module '../composition.js' {
  interface Repositories {
    /** Club events and their registrations (seats, waitlists, holds). */
    events: EventRepository;
  }
}

/** The events domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ events: new EventRepository(store) });
export default repositories;
