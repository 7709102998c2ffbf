import { defineModule } from '../graphql/domain-module.js';
import { vehicleResolvers } from './graphql/resolvers.js';
import { VehicleRepository } from './vehicle-repository.js';
import { VEHICLE_NODE } from './vehicle.js';

declare module '../composition.js' {
  interface Repositories {
    vehicles: VehicleRepository;
  }
}

export default defineModule({
  name: 'vehicle',
  resolvers: vehicleResolvers,
  repositories: (store) => ({ vehicles: new VehicleRepository(store) }),
  nodeTypes: [{ key: VEHICLE_NODE, load: (ctx, vin) => ctx.access.vehicle(vin) }],
});
