import type { RepositoryFactory } from '../composition.js';
import { FleetReader } from './fleet-reader.js';
import { FleetRatesRepository } from './fleet-rates-repository.js';

declare module '../composition.js' {
  interface Repositories {
    fleetRates: FleetRatesRepository;
    /** The nightly run's read of the whole fleet (dealers' countries, cars' rates). */
    fleetReader: FleetReader;
  }
}

/** The fleet-rates domain's repositories (collected for `composition.ts` by `npm run codegen`). */
const repositories: RepositoryFactory = (store) => ({ fleetRates: new FleetRatesRepository(store), fleetReader: new FleetReader(store) });
export default repositories;
