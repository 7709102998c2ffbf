import type { VehicleRecord } from '../vehicle/vehicle.js';
import { planService, type ReadingPoint } from './prediction.js';

/**
 * Recomputes a car's service plan from its readings and last services. Every write that
 * changes either (a reading, a visit, a registration) stores the result on the vehicle
 * item, together with the index keys derived from its next due date. The vehicle domain
 * calls it as its `VehiclePlanner`, wired by the composition root (`composition.ts`, `PORTS`).
 */
export function withServicePlan(vehicle: VehicleRecord, readings: readonly ReadingPoint[]): VehicleRecord {
  const plan = planService({
    modelLine: vehicle.modelLine,
    powertrain: vehicle.powertrain,
    purchaseDate: vehicle.purchaseDate,
    readings,
    lastServiced: vehicle.lastServiced,
  });
  return { ...vehicle, servicePlan: { rate: plan.rate, items: plan.items } };
}
