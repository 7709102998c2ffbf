import { defineEntity, field, type EntitySpec } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import type { Key } from '../store/table.js';
import { cohortKey, MIN_COHORT_CARS, type FleetRates } from './fleet-rates.js';

/** The fleet's learned rates: one current item plus an immutable item per version (what a plan was computed with can be looked up). */
const FLEETRATES = 'FLEETRATES';

export const fleetRatesKeys = {
  current: (): Key => ({ PK: FLEETRATES, SK: 'CURRENT' }),
  // Zero-padded so the versions sort in order in the partition (a million nightly runs is 2,700 years).
  version: (version: number): Key => ({ PK: FLEETRATES, SK: joinKey('VERSION', String(version).padStart(6, '0')) }),
};

/** Both items hold the whole rates (one GetItem serves the planner); they differ only in their key. */
const fields: EntitySpec<FleetRates>['fields'] = {
  version: field.number,
  computedAt: field.string,
  minCars: field.number,
  cohorts: field.map<FleetRates['cohorts']>(),
  dealerCountries: field.map<FleetRates['dealerCountries']>(),
};

export function makeFleetRates(overrides: Partial<FleetRates> = {}): FleetRates {
  const macan = cohortKey('MACAN', 'PETROL', 'DE');
  return {
    version: 1,
    computedAt: '2026-12-01T01:00:00.000Z',
    minCars: MIN_COHORT_CARS,
    cohorts: { [macan]: { cohort: macan, cars: 42, kmPerYear: 14_200, logSpread: 0.41 } },
    dealerCountries: { '01JDEALER00000000000000000': 'DE' },
    ...overrides,
  };
}

/** The rates the planner reads: replaced by each run that learned something new, under its version. */
export const currentFleetRatesEntity = defineEntity<FleetRates>({ name: 'FleetRates', example: makeFleetRates, key: fleetRatesKeys.current, fields });

/** One run's rates, never changed once written. */
export const fleetRatesVersionEntity = defineEntity<FleetRates>({ name: 'FleetRatesVersion', example: makeFleetRates, key: (r) => fleetRatesKeys.version(r.version), fields });
