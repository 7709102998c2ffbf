import { defineModule } from '../graphql/domain-module.js';
import { vehicleResolvers } from './graphql/resolvers.js';
import { MAX_OWNERSHIPS, VEHICLE_NODE } from './vehicle.js';
import { MAX_TELEMETRY_READINGS } from './telemetry-checks.js';

export default defineModule({
  name: 'vehicle',
  resolvers: vehicleResolvers,
  nodeTypes: [{ key: VEHICLE_NODE, load: (ctx, vin) => ctx.access.vehicle(vin) }],
  listBounds: { 'Vehicle.ownerHistory': MAX_OWNERSHIPS, 'RecordVehicleTelemetryPayload.outcomes': MAX_TELEMETRY_READINGS },
});
