import type { RepositoryFactory } from '../composition.js';
import { ClubScheduleRepository } from './club-schedule-repository.js';
import { LedgerRepository } from './ledger-repository.js';

declare module '../composition.js' {
  interface Repositories {
    /** Memberships, lots, entries and accrual markers: one repository, since every ledger write touches the membership. */
    ledger: LedgerRepository;
    /** The club job's reads and writes in `BySchedule` (warnings, expiry, level reviews). */
    clubSchedule: ClubScheduleRepository;
  }
}

/** The club domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ ledger: new LedgerRepository(store), clubSchedule: new ClubScheduleRepository(store) });
export default repositories;
