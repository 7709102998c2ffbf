import { inPool } from '../shared/in-pool.js';
import type { Logger } from '../shared/logger.js';
import { emitJobCounts } from '../shared/metrics.js';
import { MIN_COHORT_CARS } from './fleet-rates.js';
import { FleetSamples, sameRates } from './fleet-learning.js';
import type { FleetReader } from './fleet-reader.js';
import type { FleetRatesRepository } from './fleet-rates-repository.js';

/**
 * The nightly fleet-rates run: reads every dealer (its country) and every car with a plan
 * (`fleet-reader.ts`: through the indexes, a few attributes each), learns the cohorts'
 * rates (`fleet-learning.ts`) and saves them as a new version — or nothing, when they are
 * what is stored already (a quiet night, or a retried invocation of a run that saved).
 *
 * Feedback: the learned rates reach plans only as the prior of cars with little history
 * of their own, while only cars whose own readings dominate their rate (HISTORY, quality
 * ≥ 0.5) are learned from; those cars' rates hardly depend on the prior, so a cohort's
 * rate does not feed on itself from night to night.
 *
 * Two runs at once (a late retry beside the next night's run) both compute; the one that
 * saves second finds the current item moved and writes nothing (`superseded`).
 */
export const FLEET_RATES_JOB = 'fleet-rates';

/** Dealers whose cars are read at once: one Query stream each. */
const DEFAULT_CONCURRENCY = 16;

export interface FleetRatesJobStats {
  now: string;
  /** `saved` a new version; `unchanged`: the stored rates are what this run learned; `superseded`: another run saved first, or a later night's run has. */
  outcome: 'saved' | 'unchanged' | 'superseded';
  /** The version current after the run (superseded: the one it read; null: no run has saved yet). */
  version: number | null;
  dealers: number;
  vehiclesRead: number;
  /** Cars whose own rate was learned from, and cars whose battery trend was. */
  rateCars: number;
  batteryTrendCars: number;
  /** Cohorts saved (at least `minCars` cars with their own rate), and those of too few cars, left out (their cars use the next wider cohort). */
  cohorts: number;
  smallCohorts: number;
  /** Cohorts with a battery-trend distribution. */
  batteryCohorts: number;
  /** The rates as JSON, in KB, before they are gzipped into the items (see `fleet-rates-records.ts`). */
  sizeKb: number;
  readUnits: number;
  durationMs: number;
}

export interface FleetRatesJobDeps {
  fleetRates: FleetRatesRepository;
  fleetReader: FleetReader;
  logger: Logger;
}

export async function runFleetRatesJob({ fleetRates, fleetReader, logger }: FleetRatesJobDeps, { now, concurrency = DEFAULT_CONCURRENCY }: { now: Date; concurrency?: number }): Promise<FleetRatesJobStats> {
  const started = performance.now();
  // Read before the fleet: a run that saves after another one saved finds it moved, even if both started together.
  const stored = await fleetRates.latest();
  const dealers = await fleetReader.dealerCountries();
  const samples = new FleetSamples(dealers.countries);
  let readUnits = dealers.readUnits;
  let vehiclesRead = 0;
  await inPool(Object.keys(dealers.countries), concurrency, async (dealerId) => {
    const read = await fleetReader.carsOf(dealerId, (cars) => {
      vehiclesRead += cars.length;
      for (const car of cars) samples.add(car);
    });
    readUnits += read.readUnits;
  });

  const { cohorts, leftOut } = samples.cohorts(MIN_COHORT_CARS);
  const learned = { computedAt: now.toISOString(), minCars: MIN_COHORT_CARS, cohorts, dealerCountries: dealers.countries };
  let outcome: FleetRatesJobStats['outcome'] = 'unchanged';
  let version = stored?.version ?? null;
  // A late retry of an earlier night's run never replaces the rates of a later one.
  if (stored && stored.computedAt > learned.computedAt) outcome = 'superseded';
  else if (!sameRates(learned, stored)) {
    const saved = await fleetRates.save(learned, stored?.version ?? null);
    outcome = saved.kind === 'SAVED' ? 'saved' : 'superseded';
    if (saved.kind === 'SAVED') version = saved.rates.version;
  }
  const stats: FleetRatesJobStats = {
    now: learned.computedAt,
    outcome,
    version,
    dealers: Object.keys(dealers.countries).length,
    vehiclesRead,
    rateCars: samples.rateCars,
    batteryTrendCars: samples.trendCars,
    cohorts: Object.keys(cohorts).length,
    smallCohorts: leftOut,
    batteryCohorts: Object.values(cohorts).filter((c) => c.sohTrend).length,
    sizeKb: Math.round(JSON.stringify(learned).length / 102.4) / 10,
    readUnits: Math.round(readUnits * 10) / 10,
    durationMs: Math.round(performance.now() - started),
  };
  if (outcome === 'superseded') logger.warn('fleet rates: another run saved first; this one wrote nothing', { now: stats.now, readVersion: stored?.version ?? null });
  emitJobCounts(logger, FLEET_RATES_JOB, { VehiclesRead: stats.vehiclesRead, Cohorts: stats.cohorts, SmallCohorts: stats.smallCohorts, ReadUnits: stats.readUnits, Saved: outcome === 'saved' ? 1 : 0 }, now);
  return stats;
}
