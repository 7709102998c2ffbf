import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDealer } from '../../src/dealer/dealer.js';
import { currentFleetRatesEntity, fleetRatesKeys, fromStored } from '../../src/fleet-rates/fleet-rates-records.js';
import { runFleetRatesJob, type FleetRatesJobStats } from '../../src/fleet-rates/fleet-rates-job.js';
import { MIN_COHORT_CARS } from '../../src/fleet-rates/fleet-rates.js';
import { createLogger } from '../../src/shared/logger.js';
import { batchPutItems } from '../../src/store/batch.js';
import { makeVehicle, vehicleEntity, type VehicleRecord } from '../../src/vehicle/vehicle.js';
import { makeFleet, writeFleet, type Fleet } from '../support/fleet.js';
import { createTestStore, type TestStore } from '../support/store.js';

const logger = createLogger({}, { level: 'error', write: () => true });
const DE_1 = '01JDEALERDE000000000000001';
const DE_2 = '01JDEALERDE000000000000002';
const FR = '01JDEALERFR000000000000001';
/** The generated fleet's cars, given rates and kinds below: 26 German Macans, 8 French ones, 22 German Taycans. */
const GERMAN_MACANS = 26;
const FRENCH_MACANS = 8;
const TAYCANS = 22;

const medianOf = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The fleet: every car has a stored plan (so it sits under its dealer in ByParent), with a
 * rate of its own except a few that lean on a prior (COHORT, or HISTORY of quality < 0.5),
 * which must not count. One car has no plan at all.
 */
function fleetOf(): Fleet {
  const fleet = makeFleet({ vehicles: GERMAN_MACANS + FRENCH_MACANS + TAYCANS + 4, today: '2026-12-01', dealerIds: [DE_1, DE_2, FR] });
  fleet.vehicles = fleet.vehicles.map((v, i) => {
    const plan = v.servicePlan!;
    if (i < GERMAN_MACANS) return { ...v, modelLine: 'MACAN', powertrain: 'PETROL', servicingDealerId: i % 2 ? DE_1 : DE_2, servicePlan: { ...plan, rate: { ...plan.rate, kmPerYear: 9_000 + i * 250 } } };
    if (i < GERMAN_MACANS + FRENCH_MACANS) return { ...v, modelLine: 'MACAN', powertrain: 'PETROL', servicingDealerId: FR, servicePlan: { ...plan, rate: { ...plan.rate, kmPerYear: 20_000 + i * 100 } } };
    if (i < GERMAN_MACANS + FRENCH_MACANS + TAYCANS) {
      const k = i - GERMAN_MACANS - FRENCH_MACANS;
      return {
        ...v,
        modelLine: 'TAYCAN',
        powertrain: 'ELECTRIC',
        servicingDealerId: DE_1,
        servicePlan: { ...plan, rate: { ...plan.rate, kmPerYear: 14_000 + k * 300 } },
        batteryHealth: { stateOfHealthPct: 96, trendPctPerYear: -0.1 * k, lastReadAt: '2026-11-30T00:00:00.000Z', readings: 12 },
      };
    }
    // Leaning on a prior: no teaching.
    const j = i - GERMAN_MACANS - FRENCH_MACANS - TAYCANS;
    const rate = j % 2 ? { kmPerYear: 50_000, source: 'COHORT' as const, quality: 0 } : { kmPerYear: 50_000, source: 'HISTORY' as const, quality: 0.3 };
    return { ...v, modelLine: 'MACAN', powertrain: 'PETROL', servicingDealerId: DE_1, servicePlan: { ...plan, rate } };
  });
  return fleet;
}

describe('Function: runFleetRatesJob (DynamoDB Local)', { timeout: 120_000 }, () => {
  let store: TestStore;
  let fleet: Fleet;
  let first: FleetRatesJobStats;
  const run = (now: string) => runFleetRatesJob({ fleetRates: store.repos.fleetRates, fleetReader: store.repos.fleetReader, logger }, { now: new Date(now) });
  const versionItems = async () =>
    (await store.doc.send(new QueryCommand({ TableName: store.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': fleetRatesKeys.current().PK } }))).Items!.map((i) => i.SK as string).sort();
  const currentItem = async () => {
    const { Item } = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: fleetRatesKeys.current(), ConsistentRead: true }));
    expect(Item).toMatchObject({ entityType: 'FleetRates', body: expect.any(Uint8Array) });
    return fromStored(currentFleetRatesEntity.fromItem(Item!));
  };

  beforeAll(async () => {
    store = await createTestStore();
    for (const [id, code, country] of [[DE_1, 'DE-STR-01', 'DE'], [DE_2, 'DE-MUC-01', 'DE'], [FR, 'FR-PAR-01', 'FR']] as const) {
      expect(await store.repos.dealers.create(makeDealer({ id, code, country, name: code }))).toBe('CREATED');
    }
    fleet = fleetOf();
    await writeFleet(store, fleet);
    // A car without a plan is not under its dealer: it has nothing to teach.
    await batchPutItems(store.doc, store.tableName, [vehicleEntity.toItem(makeVehicle({ vin: 'WP0ZZZ99ZTS999999', servicingDealerId: DE_1 }))]);
  });
  afterAll(async () => store?.drop());

  it('plans a new car with the table default before any run', async () => {
    const car = await store.repos.vehicles.planned(makeVehicle({ vin: 'WP0ZZZ99ZTS900001', modelLine: 'MACAN', powertrain: 'PETROL', servicingDealerId: DE_1 }), [{ km: 12, readAt: '2026-12-01T10:00:00.000Z' }]);
    expect(car.servicePlan!.rate).toMatchObject({ source: 'FLEET_DEFAULT', kmPerYear: 15_000 });
  });

  it('learns the cohorts from the cars with their own rate, and saves them as version 1 and the current item', async () => {
    // Act
    first = await run('2026-12-01T01:00:00.000Z');

    // Assess: the run
    const cars = fleet.vehicles.length + 1;
    expect(first).toMatchObject({ outcome: 'saved', version: 1, dealers: 3, vehiclesRead: cars - 1, rateCars: GERMAN_MACANS + FRENCH_MACANS + TAYCANS, batteryTrendCars: TAYCANS });
    expect(first).toMatchObject({ cohorts: 4, smallCohorts: 1, batteryCohorts: 2 }); // MACAN#PETROL#{DE,*}, TAYCAN#ELECTRIC#{DE,*}; France's 8 Macans are too few
    expect(first.readUnits).toBeGreaterThan(0);

    // Assess: the stored item, against the fleet as written (not the job's own arithmetic)
    const rate = (v: VehicleRecord) => v.servicePlan!.rate.kmPerYear;
    const teaching = fleet.vehicles.filter((v) => v.servicePlan!.rate.source === 'HISTORY' && v.servicePlan!.rate.quality >= 0.5);
    const current = await currentItem();
    expect(current).toMatchObject({ version: 1, computedAt: '2026-12-01T01:00:00.000Z', minCars: MIN_COHORT_CARS, dealerCountries: { [DE_1]: 'DE', [DE_2]: 'DE', [FR]: 'FR' } });
    const macans = (country: string) => teaching.filter((v) => v.modelLine === 'MACAN' && (country === '*' || (country === 'FR') === (v.servicingDealerId === FR)));
    for (const country of ['DE', '*']) {
      expect(current.cohorts[`MACAN#PETROL#${country}`]).toMatchObject({ cars: macans(country).length, kmPerYear: Math.round(medianOf(macans(country).map(rate))) });
    }
    expect(current.cohorts['MACAN#PETROL#DE']!.cars).toBe(GERMAN_MACANS);
    expect(current.cohorts['MACAN#PETROL#*']!.cars).toBe(GERMAN_MACANS + FRENCH_MACANS);
    expect(current.cohorts['MACAN#PETROL#FR']).toBeUndefined();
    expect(current.cohorts['TAYCAN#ELECTRIC#DE']!.sohTrend).toMatchObject({ cars: TAYCANS, p50: -1.05 });
    expect(current.cohorts['TAYCAN#ELECTRIC#DE']!.sohTrend!.quantiles).toHaveLength(21);
    expect(await versionItems()).toEqual(['CURRENT', 'VERSION#000001']);
  });

  it('gives a newly registered car with one reading its cohort as the prior: its country’s, else all countries’', async () => {
    // Prepare: the job saved in this process, which forgot the cached (empty) rates; forget again for certainty about what is read
    store.repos.fleetRates.forget();
    const current = await currentItem();
    const reading = [{ km: 12, readAt: '2026-12-01T10:00:00.000Z' }];

    // Act
    const german = await store.repos.vehicles.planned(makeVehicle({ vin: 'WP0ZZZ99ZTS900001', modelLine: 'MACAN', powertrain: 'PETROL', servicingDealerId: DE_2 }), reading);
    const french = await store.repos.vehicles.planned(makeVehicle({ vin: 'WP0ZZZ99ZTS900002', modelLine: 'MACAN', powertrain: 'PETROL', servicingDealerId: FR }), reading);

    // Assess
    expect(german.servicePlan!.rate).toMatchObject({ source: 'COHORT', cohort: 'MACAN#PETROL#DE', kmPerYear: current.cohorts['MACAN#PETROL#DE']!.kmPerYear, logSigma: current.cohorts['MACAN#PETROL#DE']!.logSpread });
    expect(french.servicePlan!.rate).toMatchObject({ source: 'COHORT', cohort: 'MACAN#PETROL#*', kmPerYear: current.cohorts['MACAN#PETROL#*']!.kmPerYear });
  });

  it('writes nothing when a later run learns the same', async () => {
    // Act
    const again = await run('2026-12-02T01:00:00.000Z');

    // Assess
    expect(again).toMatchObject({ outcome: 'unchanged', version: 1, vehiclesRead: first.vehiclesRead });
    expect(await versionItems()).toEqual(['CURRENT', 'VERSION#000001']);
    expect((await currentItem()).computedAt).toBe('2026-12-01T01:00:00.000Z');
  });

  it('saves version 2 when the fleet changed, and version 1 stays readable as it was', async () => {
    // Prepare: three German Macans now drive 40,000 km a year
    const v1 = await store.repos.fleetRates.version(1);
    const changed = fleet.vehicles.slice(0, 3).map((v) => ({ ...v, servicePlan: { ...v.servicePlan!, rate: { ...v.servicePlan!.rate, kmPerYear: 40_000 } } }));
    await batchPutItems(store.doc, store.tableName, changed.map(vehicleEntity.toItem));

    // Act
    const stats = await run('2026-12-03T01:00:00.000Z');

    // Assess
    expect(stats).toMatchObject({ outcome: 'saved', version: 2 });
    expect(await versionItems()).toEqual(['CURRENT', 'VERSION#000001', 'VERSION#000002']);
    const v2 = await store.repos.fleetRates.version(2);
    expect(v2!.cohorts['MACAN#PETROL#DE']!.kmPerYear).toBeGreaterThan(v1!.cohorts['MACAN#PETROL#DE']!.kmPerYear);
    expect(await store.repos.fleetRates.version(1)).toEqual(v1);
    expect(v1).toMatchObject({ version: 1, computedAt: '2026-12-01T01:00:00.000Z' });
    expect(await store.repos.fleetRates.latest()).toEqual(v2);
    expect(await store.repos.fleetRates.version(3)).toBeNull();
  });

  it('lets one of two racing runs save; the other writes nothing', async () => {
    // Prepare: a change both runs will see (the fastest German Macan now the slowest: the medians move)
    const v = fleet.vehicles[GERMAN_MACANS - 1]!;
    await batchPutItems(store.doc, store.tableName, [vehicleEntity.toItem({ ...v, servicePlan: { ...v.servicePlan!, rate: { ...v.servicePlan!.rate, kmPerYear: 5_000 } } })]);

    // Act: both read version 2 before either saves
    const outcomes = await Promise.all([run('2026-12-04T01:00:00.000Z'), run('2026-12-04T01:00:00.000Z')]);

    // Assess
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['saved', 'superseded']);
    expect(await versionItems()).toEqual(['CURRENT', 'VERSION#000001', 'VERSION#000002', 'VERSION#000003']);
    expect((await currentItem()).version).toBe(3);
  });

  it('lets a late retry of an earlier night’s run replace nothing', async () => {
    // Prepare: the fleet changed again, but the run is one scheduled before the current rates were computed
    const v = fleet.vehicles[0]!;
    await batchPutItems(store.doc, store.tableName, [vehicleEntity.toItem({ ...v, servicePlan: { ...v.servicePlan!, rate: { ...v.servicePlan!.rate, kmPerYear: 4_000 } } })]);

    // Act
    const late = await run('2026-12-03T01:00:00.000Z');

    // Assess
    expect(late).toMatchObject({ outcome: 'superseded', version: 3 });
    expect(await versionItems()).toHaveLength(4);
  });

  it('refuses a save against a version that is no longer current (repository)', async () => {
    const rates = (await store.repos.fleetRates.latest())!;
    expect(await store.repos.fleetRates.save({ ...rates, computedAt: '2026-12-05T01:00:00.000Z' }, 2)).toEqual({ kind: 'SUPERSEDED' });
    expect(await store.repos.fleetRates.save({ ...rates, computedAt: '2026-12-05T01:00:00.000Z' }, null)).toEqual({ kind: 'SUPERSEDED' });
    expect(await versionItems()).toHaveLength(4);
  });
});
