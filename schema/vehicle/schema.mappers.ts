// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { OdometerReading, Ownership, VehicleRecord } from '../../src/vehicle/vehicle.js';

export type VehicleMapper = VehicleRecord;
export type OdometerReadingMapper = OdometerReading;
export type OwnershipMapper = Ownership;
