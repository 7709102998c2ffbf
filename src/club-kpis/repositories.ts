import type { RepositoryFactory } from '../composition.js';
import { ClubKpiRepository } from './club-kpi-repository.js';

declare module '../composition.js' {
  interface Repositories {
    /** The club's daily KPI roll-up: what it reads (memberships, profiles, events) and the roll-up items. */
    clubKpis: ClubKpiRepository;
  }
}

/** The club KPIs' repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so the club run loads no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ clubKpis: new ClubKpiRepository(store) });
export default repositories;
