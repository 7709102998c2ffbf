import type { PlanContext } from '../fleet-rates/fleet-rates.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import { planService, type ReadingPoint } from './prediction.js';

/**
 * Recomputes a car's service plan from its readings, last services, battery health and the
 * fleet's learned rates (its cohort is the prior). Every write that changes its inputs (a
 * reading, a visit, a registration, telemetry) stores the result on the vehicle item,
 * together with the index keys derived from it. The vehicle domain calls it as its
 * `VehiclePlanner`, wired by the composition root (`composition.ts`, `PORTS`).
 */
export function withServicePlan(vehicle: VehicleRecord, readings: readonly ReadingPoint[], context: PlanContext): VehicleRecord {
  const plan = planService({
    modelLine: vehicle.modelLine,
    powertrain: vehicle.powertrain,
    purchaseDate: vehicle.purchaseDate,
    readings,
    lastServiced: vehicle.lastServiced,
    fleet: context.fleet,
    country: context.fleet?.dealerCountries[vehicle.servicingDealerId],
    battery: vehicle.batteryHealth,
    registrationOdometerKm: vehicle.registrationOdometerKm,
    previousBatteryCheckDue: vehicle.servicePlan?.items.find((item) => item.code === 'HV_BATTERY_CHECK')?.dueDate,
  });
  return { ...vehicle, servicePlan: { rate: plan.rate, items: plan.items, ...(plan.earlyDue ? { earlyDue: plan.earlyDue } : {}) } };
}
