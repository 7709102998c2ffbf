import type { RepositoryFactory } from '../composition.js';
import { FleetRatesRepository } from './fleet-rates-repository.js';

declare module '../composition.js' {
  interface Repositories {
    fleetRates: FleetRatesRepository;
  }
}

/** The fleet-rates domain's repositories (collected for `composition.ts` by `npm run codegen`). */
const repositories: RepositoryFactory = (store) => ({ fleetRates: new FleetRatesRepository(store) });
export default repositories;
