import type { RepositoryFactory } from '../composition.js';
import { VehicleRepository } from './vehicle-repository.js';

declare module '../composition.js' {
  interface Repositories {
    vehicles: VehicleRepository;
  }
}

/** The vehicle domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ vehicles: new VehicleRepository(store) });
export default repositories;
