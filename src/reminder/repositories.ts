import type { RepositoryFactory } from '../composition.js';
import { ReminderRepository } from './reminder-repository.js';

declare module '../composition.js' {
  interface Repositories {
    reminders: ReminderRepository;
  }
}

/** The reminder domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ reminders: new ReminderRepository(store) });
export default repositories;
