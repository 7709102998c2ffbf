import { gunzipSync, gzipSync } from 'node:zlib';
import { defineEntity, field, MalformedItemError, type EntitySpec, type Field } from '../store/entity.js';
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

/**
 * What both items hold: the small fields as attributes (the save's condition reads
 * `version`), the cohorts and dealer countries as gzipped JSON. Plain maps would not fit:
 * every model line × powertrain in 130 markets, with battery quantiles, is ~430 KB as
 * DynamoDB counts it, over its 400 KB item limit; gzipped it is ~100 KB (measured).
 */
export interface StoredFleetRates {
  version: number;
  computedAt: string;
  minCars: number;
  /** For a look at the table without unzipping. */
  cohortCount: number;
  /** `{ cohorts, dealerCountries }` as gzipped JSON. */
  body: Uint8Array;
}

const binary: Field<Uint8Array> = (value) => {
  if (value instanceof Uint8Array) return value;
  throw new MalformedItemError('FleetRates', fleetRatesKeys.current(), [`body: expected binary, got ${typeof value}`]);
};

export function toStored(rates: FleetRates): StoredFleetRates {
  const { version, computedAt, minCars, cohorts, dealerCountries } = rates;
  return { version, computedAt, minCars, cohortCount: Object.keys(cohorts).length, body: gzipSync(JSON.stringify({ cohorts, dealerCountries })) };
}

export function fromStored(stored: StoredFleetRates): FleetRates {
  const { cohorts, dealerCountries } = JSON.parse(gunzipSync(stored.body).toString('utf8')) as Pick<FleetRates, 'cohorts' | 'dealerCountries'>;
  return { version: stored.version, computedAt: stored.computedAt, minCars: stored.minCars, cohorts, dealerCountries };
}

const fields: EntitySpec<StoredFleetRates>['fields'] = { version: field.number, computedAt: field.string, minCars: field.number, cohortCount: field.number, body: binary };

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
export const currentFleetRatesEntity = defineEntity<StoredFleetRates>({ name: 'FleetRates', example: () => toStored(makeFleetRates()), key: fleetRatesKeys.current, fields });

/** One run's rates, never changed once written. */
export const fleetRatesVersionEntity = defineEntity<StoredFleetRates>({ name: 'FleetRatesVersion', example: () => toStored(makeFleetRates()), key: (r) => fleetRatesKeys.version(r.version), fields });
