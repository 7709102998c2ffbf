import type { RepositoryFactory } from '../composition.js';
import { OdometerRepository } from './odometer-repository.js';
import { TelemetryRepository } from './telemetry-repository.js';
import { VehicleRepository } from './vehicle-repository.js';
import type { Store } from '../store/store.js';
import type { PlanContextLoader, VehiclePlanner } from './vehicle.js';

declare module '../composition.js' {
  interface Repositories {
    vehicles: VehicleRepository;
    odometer: OdometerRepository;
    telemetry: TelemetryRepository;
  }
  interface Ports {
    /** The service plan stored on every car, recomputed on registration and readings. */
    planService: VehiclePlanner;
    /** What the planner needs besides the car: the fleet's learned rates (see `fleet-rates/`). */
    planContext: (store: Store) => PlanContextLoader;
  }
}

/** The vehicle domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store, { planService, planContext }) => {
  // Readings are written only in their vehicle's transaction, so the vehicle repository writes through this one.
  const odometer = new OdometerRepository(store);
  return { vehicles: new VehicleRepository(store, odometer, planService, planContext(store)), odometer, telemetry: new TelemetryRepository(store) };
};
export default repositories;
