import type { TelemetryReadingInput } from '../../src/vehicle/telemetry-checks.js';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEALER_NODE } from '../../src/dealer/dealer.js';
import { addDays } from '../../src/service/calendar.js';
import { keyOfGlobalId } from '../../src/shared/ids.js';
import { vehicleKeys } from '../../src/vehicle/vehicle.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { ALL_SCOPES, createCustomer, createDealer, issueKey, nextVin } from '../support/fixtures.js';
import { countRequests } from '../support/request-counter.js';

const TELEMETRY = `mutation($input: RecordVehicleTelemetryInput!) { recordVehicleTelemetry(input: $input) {
  accepted duplicates rejected outcomes { sourceReadingId vin status code field message } userErrors { field code message } } }`;

type Reading = TelemetryReadingInput;
interface Outcome {
  sourceReadingId: string;
  vin: string;
  status: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
  code: string | null;
  field: string[] | null;
  message: string | null;
}

let readingSerial = 0;
const rid = () => `r-${++readingSerial}`;
const at = (day: string, hour = 9) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;

/** The brand's API with a dealer (A) that sold and services the cars, another dealer (B), and an owner. */
async function brand(now: Date, prepare?: (api: TestApi, dealerIds: { a: string; b: string }) => Promise<void>) {
  const api = await createTestApi({ clock: () => now });
  const admin = api.bearer('admin');
  const a = await createDealer(api, `DE-TLM-A${readingSerial}`);
  const b = await createDealer(api, `DE-TLM-B${readingSerial}`);
  await prepare?.(api, { a: a.id, b: b.id });
  const dealerA = { 'x-api-key': (await issueKey(api, a.id)).secret };
  const dealerB = { 'x-api-key': (await issueKey(api, b.id)).secret };
  const readOnlyA = { 'x-api-key': (await issueKey(api, a.id, ['VEHICLES_READ'])).secret };
  const ownerId = (await createCustomer(api, admin)).id;

  const register = async ({ powertrain = 'ELECTRIC', modelLine = 'TAYCAN', purchaseDate = '2025-09-01', km = 10 }: { powertrain?: string; modelLine?: string; purchaseDate?: string; km?: number } = {}) => {
    const vin = nextVin();
    const res = await api.call(
      `mutation($input: RegisterVehicleInput!) { registerVehicle(input: $input) { userErrors { field code } } }`,
      {
        input: {
          vin,
          ownerId,
          sellingDealerId: a.id,
          modelLine,
          variant: modelLine,
          powertrain,
          modelYear: Number(purchaseDate.slice(0, 4)),
          purchaseDate,
          purchasePrice: { amount: '120000', currency: 'EUR' },
          odometerKm: km,
          odometerReadAt: at(purchaseDate, 10),
        },
      },
      admin,
    );
    expect(res.data?.registerVehicle.userErrors).toEqual([]);
    return vin;
  };
  const send = async (readings: Reading[], headers: Record<string, string> = admin, source = 'porsche-connect') => {
    const res = await api.call(TELEMETRY, { input: { source, readings } }, headers);
    expect(res.errors).toBeUndefined();
    return res.data!.recordVehicleTelemetry as { accepted: number; duplicates: number; rejected: number; outcomes: Outcome[]; userErrors: { field: string[]; code: string }[] };
  };
  const vehicle = async (vin: string) => {
    const res = await api.call(
      `query($vin: String!) { vehicle(vin: $vin) {
        version odometer { km readAt } odometerHistory(first: 100) { edges { node { km readAt source } } }
        batteryHealth { stateOfHealthPct trendPctPerYear lastReadAt readings cohortPercentile }
        nextService { dueDate dueWindow { earliest likely latest } remindFrom }
        servicePlan { item { code } dueDate dueWindow { earliest likely latest } confidence remindFrom basis }
        mileageRate { source kmPerYear quality logSigma cohort } } }`,
      { vin },
      admin,
    );
    expect(res.errors).toBeUndefined();
    return res.data!.vehicle;
  };
  /** What the car's partition holds, by item type: readings and markers are never written twice. */
  const partition = async (vin: string) => {
    const counts: Record<string, number> = {};
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await api.store.doc.send(new QueryCommand({ TableName: api.store.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': vehicleKeys.partition(vin) }, ExclusiveStartKey: startKey, ConsistentRead: true }));
      for (const item of page.Items ?? []) counts[item.entityType] = (counts[item.entityType] ?? 0) + 1;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return counts;
  };
  return { api, admin, dealerA, dealerB, readOnlyA, register, send, vehicle, partition };
}

describe('GraphQL: recordVehicleTelemetry', () => {
  const now = new Date('2026-06-15T09:00:00Z');
  let b: Awaited<ReturnType<typeof brand>>;

  beforeAll(async () => {
    b = await brand(now);
  });
  afterAll(() => b.api.close());

  it('stores readings of several cars in one call, each answered in input order', async () => {
    // Prepare: two electric cars and a petrol one.
    const [ev1, ev2, petrol] = [await b.register(), await b.register({ modelLine: 'MACAN' }), await b.register({ powertrain: 'PETROL', modelLine: 'NINE_ELEVEN' })];
    const readings: Reading[] = [
      { sourceReadingId: rid(), vin: ev1, readAt: at('2026-01-15'), odometerKm: 5_000, stateOfHealthPct: 98.5, stateOfChargePct: 62 },
      { sourceReadingId: rid(), vin: petrol, readAt: at('2026-03-02'), odometerKm: 3_100 },
      { sourceReadingId: rid(), vin: ev2.toLowerCase(), readAt: at('2026-04-01'), stateOfHealthPct: 99.1 },
      { sourceReadingId: rid(), vin: ev1, readAt: at('2026-05-01'), odometerKm: 7_400, stateOfHealthPct: 98.1 },
      { sourceReadingId: rid(), vin: petrol, readAt: at('2026-06-01'), odometerKm: 4_000 },
      { sourceReadingId: rid(), vin: ev1, readAt: at('2026-06-10'), odometerKm: 8_900 },
    ];

    // Act
    const result = await b.send(readings);

    // Assess: every reading accepted, answered at its position (VINs normalised)
    expect(result).toMatchObject({ accepted: 6, duplicates: 0, rejected: 0, userErrors: [] });
    expect(result.outcomes).toEqual(readings.map((r) => ({ sourceReadingId: r.sourceReadingId, vin: r.vin.toUpperCase(), status: 'ACCEPTED', code: null, field: null, message: null })));
    const car1 = await b.vehicle(ev1);
    expect(car1.odometer).toEqual({ km: 8_900, readAt: '2026-06-10T09:00:00.000Z' });
    expect(car1.odometerHistory.edges.map((e: any) => e.node)).toEqual([
      { km: 8_900, readAt: '2026-06-10T09:00:00.000Z', source: 'telemetry:porsche-connect' },
      { km: 7_400, readAt: '2026-05-01T09:00:00.000Z', source: 'telemetry:porsche-connect' },
      { km: 5_000, readAt: '2026-01-15T09:00:00.000Z', source: 'telemetry:porsche-connect' },
      { km: 10, readAt: '2025-09-01T10:00:00.000Z', source: 'registration' },
    ]);
    // One write per car: the three readings of car 1 moved its version once.
    expect(car1.version).toBe(2);
    expect(car1.batteryHealth).toMatchObject({ stateOfHealthPct: 98.1, lastReadAt: '2026-05-01T09:00:00.000Z', readings: 2 });
    expect(car1.batteryHealth.trendPctPerYear).toBeCloseTo((-0.4 / 106) * 365.25, 1);
    expect((await b.vehicle(ev2)).batteryHealth).toMatchObject({ stateOfHealthPct: 99.1, trendPctPerYear: null, readings: 1, cohortPercentile: null });
    expect((await b.vehicle(ev2)).odometer.km).toBe(10);
    expect(await b.vehicle(petrol)).toMatchObject({ odometer: { km: 4_000 }, batteryHealth: null, version: 2 });
    expect(await b.partition(ev1)).toMatchObject({ OdometerReading: 4, BatteryHealthReading: 2, TelemetryMarker: 3 });
  });

  it('stores a re-sent call once: every reading a duplicate, nothing written', async () => {
    // Prepare
    const [ev, petrol] = [await b.register(), await b.register({ powertrain: 'PETROL', modelLine: 'CAYENNE' })];
    const readings: Reading[] = [
      { sourceReadingId: rid(), vin: ev, readAt: at('2026-02-01'), odometerKm: 2_000, stateOfHealthPct: 99 },
      { sourceReadingId: rid(), vin: petrol, readAt: at('2026-02-01'), odometerKm: 1_500 },
      { sourceReadingId: rid(), vin: ev, readAt: at('2026-03-01'), stateOfHealthPct: 98.8 },
    ];
    expect((await b.send(readings)).accepted).toBe(3);
    const before = { ev: await b.partition(ev), petrol: await b.partition(petrol), version: (await b.vehicle(ev)).version };
    const counter = countRequests(b.api.store.doc);

    // Act
    counter.reset();
    const again = await b.send(readings);
    const tally = counter.tally();

    // Assess: all duplicates; no transaction sent, one BatchGet of cars and one of markers
    expect(again).toMatchObject({ accepted: 0, duplicates: 3, rejected: 0 });
    expect(again.outcomes.map((o) => [o.status, o.code])).toEqual([['DUPLICATE', null], ['DUPLICATE', null], ['DUPLICATE', null]]);
    expect(tally.byOperation.TransactWriteItems).toBeUndefined();
    expect(tally.byOperation.BatchGetItem).toBe(2);
    expect({ ev: await b.partition(ev), petrol: await b.partition(petrol), version: (await b.vehicle(ev)).version }).toEqual(before);
  });

  it('counts a reading id repeated within a call once', async () => {
    const vin = await b.register();
    const id = rid();
    const result = await b.send([
      { sourceReadingId: id, vin, readAt: at('2026-05-01'), odometerKm: 900 },
      { sourceReadingId: id, vin, readAt: at('2026-05-01'), odometerKm: 900 },
    ]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['ACCEPTED', 'DUPLICATE']);
    expect(await b.partition(vin)).toMatchObject({ OdometerReading: 2, TelemetryMarker: 1 });
  });

  it('keeps reading ids per car: two cars numbering their readings alike are both stored', async () => {
    const [first, second] = [await b.register(), await b.register()];
    const id = rid();
    const result = await b.send([
      { sourceReadingId: id, vin: first, readAt: at('2026-05-01'), odometerKm: 900 },
      { sourceReadingId: id, vin: second, readAt: at('2026-05-01'), odometerKm: 1_200 },
    ]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['ACCEPTED', 'ACCEPTED']);
    expect((await b.vehicle(second)).odometer.km).toBe(1_200);
  });

  it('refuses a repeat of a refused reading too: a DUPLICATE always means stored', async () => {
    const vin = await b.register();
    const id = rid();
    const result = await b.send([
      { sourceReadingId: id, vin, readAt: at('2026-05-01'), odometerKm: 5 },
      { sourceReadingId: id, vin, readAt: at('2026-05-01'), odometerKm: 5 },
    ]);
    expect(result.outcomes.map((o) => [o.status, o.code, o.field])).toEqual([
      ['REJECTED', 'ODOMETER_DECREASE', ['input', 'readings', '0', 'odometerKm']],
      ['REJECTED', 'ODOMETER_DECREASE', ['input', 'readings', '1', 'odometerKm']],
    ]);
    expect(await b.partition(vin)).toEqual({ Vehicle: 1, OdometerReading: 1 }); // the registration's reading only
  });

  it('stores a vanishingly small percentage as 0 instead of failing every car written with it', async () => {
    const [other, ev] = [await b.register(), await b.register()];
    const result = await b.send([
      { sourceReadingId: rid(), vin: other, readAt: at('2026-05-01'), odometerKm: 900 },
      { sourceReadingId: rid(), vin: ev, readAt: at('2026-05-01'), odometerKm: 900, stateOfChargePct: 1e-200, stateOfHealthPct: 1e-300 },
    ]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['ACCEPTED', 'ACCEPTED']);
    expect((await b.vehicle(ev)).batteryHealth).toMatchObject({ stateOfHealthPct: 0 });
  });

  it('refuses a reading from before the car was bought (a platform clock at its epoch)', async () => {
    const vin = await b.register({ purchaseDate: '2025-09-01' });
    const result = await b.send([{ sourceReadingId: rid(), vin, readAt: '1970-01-01T00:00:00Z', odometerKm: 0, stateOfHealthPct: 50 }]);
    expect(result.outcomes.map((o) => [o.status, o.code, o.field])).toEqual([['REJECTED', 'OUT_OF_RANGE', ['input', 'readings', '0', 'readAt']]]);
    expect((await b.vehicle(vin)).batteryHealth).toBeNull();
  });

  it('stores two racing copies of a call once', async () => {
    const vins = [await b.register(), await b.register(), await b.register()];
    const readings: Reading[] = vins.flatMap((vin) => [1, 2, 3, 4].map((m) => ({ sourceReadingId: rid(), vin, readAt: at(`2026-0${m}-15`), odometerKm: 1_000 * m, stateOfHealthPct: 99 - m / 10 })));
    const [first, second] = await Promise.all([b.send(readings), b.send(readings)]);
    expect(first.accepted + second.accepted).toBe(readings.length);
    expect(first.duplicates + second.duplicates).toBe(readings.length);
    for (const vin of vins) {
      expect(await b.partition(vin)).toMatchObject({ OdometerReading: 5, BatteryHealthReading: 4, TelemetryMarker: 4 });
      expect((await b.vehicle(vin)).batteryHealth.readings).toBe(4);
    }
  });

  it('accepts a reading older than the latest when it fits between its neighbours', async () => {
    // Prepare: readings in March and May
    const vin = await b.register();
    await b.send([
      { sourceReadingId: rid(), vin, readAt: at('2026-03-01'), odometerKm: 3_000 },
      { sourceReadingId: rid(), vin, readAt: at('2026-05-01'), odometerKm: 6_000 },
    ]);

    // Act: April arrives late, as does a June reading before it in the same call; then one that does not fit.
    const late = await b.send([
      { sourceReadingId: rid(), vin, readAt: at('2026-06-01'), odometerKm: 7_000 },
      { sourceReadingId: rid(), vin, readAt: at('2026-04-01'), odometerKm: 4_500 },
      { sourceReadingId: rid(), vin, readAt: at('2026-04-15'), odometerKm: 6_500 },
    ]);

    // Assess
    expect(late.outcomes.map((o) => [o.status, o.code])).toEqual([['ACCEPTED', null], ['ACCEPTED', null], ['REJECTED', 'ODOMETER_DECREASE']]);
    const car = await b.vehicle(vin);
    expect(car.odometer).toEqual({ km: 7_000, readAt: '2026-06-01T09:00:00.000Z' });
    expect(car.odometerHistory.edges.map((e: any) => e.node.km)).toEqual([7_000, 6_000, 4_500, 3_000, 10]);
  });

  it('rejects each bad reading with its code and field, storing the good ones beside them', async () => {
    // Prepare: an electric car read in March (5,000 km) and May (9,000 km), a petrol car
    const vin = await b.register();
    const petrol = await b.register({ powertrain: 'PETROL', modelLine: 'PANAMERA' });
    await b.send([
      { sourceReadingId: rid(), vin, readAt: at('2026-03-01'), odometerKm: 5_000 },
      { sourceReadingId: rid(), vin, readAt: at('2026-05-01'), odometerKm: 9_000 },
    ]);
    const before = await b.partition(vin);
    const ok = { vin, readAt: at('2026-04-01') };
    const cases: [Reading, string, string][] = [
      [{ ...ok, sourceReadingId: rid(), vin: 'WP0ZZZ99ZTS12345' }, 'INVALID_VIN', 'vin'],
      [{ ...ok, sourceReadingId: '  ', odometerKm: 6_000 }, 'REQUIRED', 'sourceReadingId'],
      [{ ...ok, sourceReadingId: 'x'.repeat(101), odometerKm: 6_000 }, 'TOO_LONG', 'sourceReadingId'],
      [{ ...ok, sourceReadingId: rid(), readAt: '2026-02-30T10:00:00Z', odometerKm: 6_000 }, 'INVALID_DATE', 'readAt'],
      [{ ...ok, sourceReadingId: rid(), readAt: '2026-06-15T09:00:01Z', odometerKm: 9_100 }, 'IN_FUTURE', 'readAt'],
      [{ ...ok, sourceReadingId: rid() }, 'REQUIRED', 'odometerKm'],
      [{ ...ok, sourceReadingId: rid(), odometerKm: -1 }, 'OUT_OF_RANGE', 'odometerKm'],
      [{ ...ok, sourceReadingId: rid(), stateOfHealthPct: 100.5 }, 'OUT_OF_RANGE', 'stateOfHealthPct'],
      [{ ...ok, sourceReadingId: rid(), stateOfHealthPct: 97, stateOfChargePct: -3 }, 'OUT_OF_RANGE', 'stateOfChargePct'],
      [{ ...ok, sourceReadingId: rid(), vin: nextVin(), odometerKm: 6_000 }, 'NOT_FOUND', 'vin'],
      [{ ...ok, sourceReadingId: rid(), vin: petrol, stateOfHealthPct: 97 }, 'INVALID', 'stateOfHealthPct'],
      [{ ...ok, sourceReadingId: rid(), odometerKm: 4_000 }, 'ODOMETER_DECREASE', 'odometerKm'], // below March
      [{ ...ok, sourceReadingId: rid(), odometerKm: 9_500 }, 'ODOMETER_DECREASE', 'odometerKm'], // above May
      // 1,000 km in the two hours after the May reading: 500 km/h.
      [{ ...ok, sourceReadingId: rid(), readAt: at('2026-05-01', 11), odometerKm: 10_000 }, 'IMPLAUSIBLE_SPEED', 'odometerKm'],
      // 3,990 km in the 12 hours before the May reading.
      [{ ...ok, sourceReadingId: rid(), readAt: at('2026-04-30', 21), odometerKm: 5_010 }, 'IMPLAUSIBLE_SPEED', 'odometerKm'],
      // A million-km typo months later: under 300 km/h on average, but 7,000 km a day.
      [{ ...ok, sourceReadingId: rid(), readAt: at('2026-06-14'), odometerKm: 999_999 }, 'IMPLAUSIBLE_SPEED', 'odometerKm'],
    ];
    // In the same call: a reading in June, and one 400 km past it 30 minutes later (800 km/h against a reading of this very call).
    const june = { sourceReadingId: rid(), vin, readAt: at('2026-06-01'), odometerKm: 10_000, stateOfHealthPct: 97.9 };
    const afterJune = { sourceReadingId: rid(), vin, readAt: '2026-06-01T09:30:00.000Z', odometerKm: 10_400 };

    // Act
    const result = await b.send([...cases.map(([r]) => r), june, afterJune]);

    // Assess
    const rejected = result.outcomes.slice(0, cases.length);
    expect(rejected.map((o) => [o.code, o.field?.at(-1)])).toEqual(cases.map(([, code, field]) => [code, field]));
    rejected.forEach((o, i) => {
      expect(o.status).toBe('REJECTED');
      expect(o.field?.slice(0, 3)).toEqual(['input', 'readings', String(i)]);
      expect(o.message).toBeTruthy();
    });
    expect(result.outcomes.slice(cases.length).map((o) => [o.status, o.code])).toEqual([['ACCEPTED', null], ['REJECTED', 'IMPLAUSIBLE_SPEED']]);
    expect(result).toMatchObject({ accepted: 1, duplicates: 0, rejected: cases.length + 1 });
    // Unknown and invisible cars get the one answer, whether or not they exist.
    expect(rejected[9]!.message).toBe('No vehicle with this ID.');
    expect(await b.partition(vin)).toEqual({ ...before, OdometerReading: before.OdometerReading! + 1, TelemetryMarker: before.TelemetryMarker! + 1, BatteryHealthReading: 1 });
    expect(await b.partition(petrol)).toEqual({ Vehicle: 1, OdometerReading: 1 });
  });

  it('refuses more than 500 readings, writing nothing', async () => {
    const vin = await b.register();
    const before = await b.partition(vin);
    const readings = Array.from({ length: 501 }, (_, i) => ({ sourceReadingId: rid(), vin, readAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(), odometerKm: 20 + i }));
    const result = await b.send(readings);
    expect(result).toMatchObject({ accepted: 0, duplicates: 0, rejected: 501, outcomes: [] });
    expect(result.userErrors).toEqual([{ field: ['input', 'readings'], code: 'TOO_MANY', message: expect.stringContaining('500') }]);
    expect((await b.send([{ sourceReadingId: rid(), vin, readAt: at('2026-01-01'), odometerKm: 20 }], b.admin, 'x'.repeat(41))).userErrors).toMatchObject([{ field: ['input', 'source'], code: 'TOO_LONG' }]);
    expect(await b.partition(vin)).toEqual(before);
  });

  it('lets a dealer write only the cars it may write: another dealer’s car is not found, a read-only key is forbidden', async () => {
    // Prepare: dealer A sold the car
    const vin = await b.register();
    const reading = () => ({ sourceReadingId: rid(), vin, readAt: at('2026-05-01'), odometerKm: 3_000 });

    // Act
    const byB = await b.send([reading(), { ...reading(), vin: nextVin() }], b.dealerB);
    const byReadOnly = await b.api.call(TELEMETRY, { input: { source: 'dms', readings: [reading()] } }, b.readOnlyA);
    const byA = await b.send([reading()], b.dealerA);

    // Assess
    expect(byB.outcomes.map((o) => [o.status, o.code, o.message])).toEqual([
      ['REJECTED', 'NOT_FOUND', 'No vehicle with this ID.'],
      ['REJECTED', 'NOT_FOUND', 'No vehicle with this ID.'],
    ]);
    expect(byReadOnly.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(byA.outcomes[0]!.status).toBe('ACCEPTED');
    expect(await b.partition(vin)).toMatchObject({ OdometerReading: 2, TelemetryMarker: 1 });
  });

  it('leaves a car with the plan and odometer that recordOdometerReading would have given it', async () => {
    // Prepare: two identical Macans; one is read at the workshop reading by reading, the other by telemetry in one call.
    const workshop = await b.register({ powertrain: 'PETROL', modelLine: 'MACAN', purchaseDate: '2025-06-20' });
    const connected = await b.register({ powertrain: 'PETROL', modelLine: 'MACAN', purchaseDate: '2025-06-20' });
    const readings = [[4_000, '2025-09-20'], [9_500, '2026-01-20'], [12_000, '2026-03-02'], [15_200, '2026-05-20']] as const;
    for (const [km, day] of readings) {
      const res = await b.api.call(`mutation($input: RecordOdometerReadingInput!) { recordOdometerReading(input: $input) { userErrors { code } } }`, { input: { vin: workshop, km, readAt: at(day) } }, b.admin);
      expect(res.data?.recordOdometerReading.userErrors).toEqual([]);
    }

    // Act
    const result = await b.send(readings.map(([km, day]) => ({ sourceReadingId: rid(), vin: connected, readAt: at(day), odometerKm: km })));

    // Assess
    expect(result.accepted).toBe(4);
    const [a, c] = [await b.vehicle(workshop), await b.vehicle(connected)];
    for (const field of ['odometer', 'nextService', 'servicePlan', 'mileageRate'] as const) expect(c[field], field).toEqual(a[field]);
    expect(c.mileageRate.source).toBe('HISTORY');
    expect([a.version, c.version]).toEqual([5, 2]);
  });

  it('writes a long backfill of one car in several transactions, every reading once', async () => {
    // Prepare: 480 daily readings of two cars (odometer and battery): 720 items per car, more than one transaction holds.
    const vins = [await b.register({ purchaseDate: '2024-12-01' }), await b.register({ purchaseDate: '2024-12-01' })];
    const readings: Reading[] = vins.flatMap((vin) =>
      Array.from({ length: 240 }, (_, i) => ({ sourceReadingId: rid(), vin, readAt: at(addDays('2025-01-01', 2 * i)), odometerKm: 100 + 60 * i, stateOfHealthPct: 99 - i / 200 })),
    );

    // Act
    const result = await b.send(readings);

    // Assess
    expect(result).toMatchObject({ accepted: 480, duplicates: 0, rejected: 0 });
    for (const vin of vins) {
      const car = await b.vehicle(vin);
      expect(car.odometer).toEqual({ km: 100 + 60 * 239, readAt: at(addDays('2025-01-01', 478)) });
      // Percentages are kept to 0.01 (see telemetry-checks.ts).
      expect(car.batteryHealth).toMatchObject({ readings: 240, stateOfHealthPct: Math.round((99 - 239 / 200) * 100) / 100 });
      expect(car.batteryHealth.trendPctPerYear).toBeCloseTo((-1 / 400) * 365.25, 1);
      // 240 readings × 3 items in transactions of at most 88 reading items: 9 versions.
      expect(car.version).toBe(1 + Math.ceil(240 / Math.floor(88 / 3)));
      expect(await b.partition(vin)).toMatchObject({ OdometerReading: 241, BatteryHealthReading: 240, TelemetryMarker: 240 });
    }
  });
});

describe('GraphQL: Vehicle.batteryHealth against the cohort', () => {
  const now = new Date('2026-06-15T09:00:00Z');
  let b: Awaited<ReturnType<typeof brand>>;
  // The Taycan cohort's battery trends (%/yr), p0 … p100: the fastest tenth loses more than 4 %/yr.
  const quantiles = [-8, -6, -4, -3.5, -3, -2.8, -2.6, -2.4, -2.2, -2, -1.8, -1.6, -1.4, -1.2, -1, -0.8, -0.6, -0.4, -0.2, 0, 0.5];

  beforeAll(async () => {
    // The fleet's rates are saved before the API first plans a car (it caches them for ten minutes).
    b = await brand(now, async (api, { a }) => {
      const cohort = 'TAYCAN#ELECTRIC#DE';
      const saved = await api.store.repos.fleetRates.save(
        {
          computedAt: '2026-06-01T01:00:00.000Z',
          minCars: 20,
          cohorts: { [cohort]: { cohort, cars: 60, kmPerYear: 15_000, logSpread: 0.4, sohTrend: { cars: 45, p10: -4, p50: -1.8, p90: -0.2, quantiles } } },
          // Cars live where their servicing dealer is: the dealer's own id, not its global id.
          dealerCountries: { [keyOfGlobalId(a, DEALER_NODE)!]: 'DE' },
        },
        null,
      );
      expect(saved.kind).toBe('SAVED');
    });
  });
  afterAll(() => b.api.close());

  /** SoH readings every 10 days from 2026-01-01 to 2026-06-10 on a line losing `perYear` %. */
  const history = (vin: string, perYear: number): Reading[] =>
    Array.from({ length: 17 }, (_, i) => ({ sourceReadingId: rid(), vin, readAt: at(addDays('2026-01-01', 10 * i)), stateOfHealthPct: Math.round((97 + (perYear * 10 * i) / 365.25) * 100) / 100, odometerKm: 2_000 + 400 * i }));
  const hvCheck = (car: any) => car.servicePlan.find((p: any) => p.item.code === 'HV_BATTERY_CHECK');

  it('brings the high-voltage battery check forward for a battery ageing faster than its cohort’s fastest tenth', async () => {
    // Prepare: two Taycans bought on the same day; one battery loses 12 %/yr, the other 1.2 %/yr.
    const fast = await b.register({ purchaseDate: '2025-09-01' });
    const slow = await b.register({ purchaseDate: '2025-09-01' });
    const untouched = await b.register({ purchaseDate: '2025-09-01' });
    const calendarDue = hvCheck(await b.vehicle(untouched)).dueDate;

    // Act
    const result = await b.send([...history(fast, -12), ...history(slow, -1.2)]);

    // Assess
    expect(result).toMatchObject({ accepted: 34, rejected: 0 });
    const [f, s] = [await b.vehicle(fast), await b.vehicle(slow)];
    expect(f.batteryHealth).toMatchObject({ lastReadAt: '2026-06-10T09:00:00.000Z', readings: 17, cohortPercentile: 0 });
    expect(f.batteryHealth.trendPctPerYear).toBeCloseTo(-12, 0);
    expect(s.batteryHealth.trendPctPerYear).toBeCloseTo(-1.2, 1);
    expect(s.batteryHealth.cohortPercentile).toBeGreaterThan(60);
    expect(s.batteryHealth.cohortPercentile).toBeLessThan(70);
    // Checked within a month of the last reading, instead of at the two-year interval.
    expect(hvCheck(f).dueDate).toBe('2026-07-10');
    expect(calendarDue > '2027-01-01').toBe(true);
    expect(hvCheck(s).dueDate >= calendarDue || hvCheck(s).basis === 'MILEAGE').toBe(true);
    expect(hvCheck(s).dueDate > '2027-01-01').toBe(true);
  });

  it('brings the check forward for a battery below 80 % even without a trend', async () => {
    const vin = await b.register({ purchaseDate: '2025-09-01' });
    await b.send([{ sourceReadingId: rid(), vin, readAt: at('2026-06-01'), stateOfHealthPct: 78.5 }]);
    const car = await b.vehicle(vin);
    expect(car.batteryHealth).toMatchObject({ stateOfHealthPct: 78.5, trendPctPerYear: null, cohortPercentile: null });
    expect(hvCheck(car).dueDate).toBe('2026-07-01');
  });

  it('shows no battery health for a car without readings', async () => {
    expect((await b.vehicle(await b.register())).batteryHealth).toBeNull();
  });
});
