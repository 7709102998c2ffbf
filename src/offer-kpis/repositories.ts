import type { RepositoryFactory } from '../composition.js';
import { OfferKpiRepository } from './offer-kpi-repository.js';

declare module '../composition.js' {
  interface Repositories {
    /** The offers' statistics items, read for the KPI report. */
    offerKpis: OfferKpiRepository;
  }
}

/** The offer KPIs' repositories (collected for `composition.ts` by `npm run codegen`). */
const repositories: RepositoryFactory = (store) => ({ offerKpis: new OfferKpiRepository(store) });
export default repositories;
