/**
 * `npm run bench -- --only telemetry`: connected-car readings through the real Lambda
 * handler (`recordVehicleTelemetry`, an admin token), one process against DynamoDB Local.
 * Readings per second, requests and write units per reading (computed from the items'
 * sizes, see `writeUnits` in interactions.ts), for the shapes a platform sends:
 * - 100 cars × 50 readings (odometer; the electric half also state of health and charge),
 *   every 6 hours, in calls of 500 (5 readings a car a call), one call after another;
 * - 500 cars × 1 reading a call: a car write per reading, the per-car cost at its worst;
 * - the first shape sent again: every reading a duplicate.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRepositories } from '../../src/composition.js';
import { readConfig } from '../../src/config.js';
import { createGraphqlHandler } from '../../src/graphql/lambda-handler.js';
import { createRuntime } from '../../src/graphql/runtime.js';
import { startDynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { generateSigningKey, localAuthEnv, signLocalToken } from '../../src/local/jwt-signer.js';
import { ensureTable } from '../../src/local/table-admin.js';
import { createLogger } from '../../src/shared/logger.js';
import { batchPutItems } from '../../src/store/batch.js';
import { createDocumentClient } from '../../src/store/dynamo-client.js';
import { inPool } from '../../src/shared/in-pool.js';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { makeVehicle, odometerToItem, vehicleEntity, type VehicleRecord } from '../../src/vehicle/vehicle.js';
import { apiGatewayEvent, lambdaContext } from '../support/api.js';
import { countRequests } from '../support/request-counter.js';
import { writeUnits } from './interactions.js';

type Print = (line?: string) => void;

const MUTATION = `mutation($input: RecordVehicleTelemetryInput!) { recordVehicleTelemetry(input: $input) { accepted duplicates rejected userErrors { code message } outcomes { status code message } } }`;
const START = Date.UTC(2026, 0, 1, 6);
const HOURS_6 = 6 * 3_600_000;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Reading {
  sourceReadingId: string;
  vin: string;
  readAt: string;
  odometerKm: number;
  stateOfHealthPct?: number;
  stateOfChargePct?: number;
}

/** Cars registered a year before the readings: half electric Taycans, half petrol 911s, each with its first reading and plan. */
async function registerCars(repos: ReturnType<typeof createRepositories>, store: { doc: ReturnType<typeof createDocumentClient>; tableName: string }, count: number, serial: number): Promise<VehicleRecord[]> {
  const cars = Array.from({ length: count }, (_, i) =>
    makeVehicle({
      vin: `WP0ZZZ99ZTS${serial + i}`,
      ...(i % 2 ? { modelLine: 'NINE_ELEVEN', powertrain: 'PETROL', variant: '911 Carrera' } : { modelLine: 'TAYCAN', powertrain: 'ELECTRIC', variant: 'Taycan 4S' }),
      purchaseDate: '2025-01-01',
      ownerSince: '2025-01-01',
      odometerKm: 10,
      odometerReadAt: '2025-01-01T10:00:00.000Z',
      registeredAt: '2025-01-01T10:00:00.000Z',
    }),
  );
  const firstReading = (v: VehicleRecord) => ({ vin: v.vin, km: 10, readAt: v.odometerReadAt, source: 'registration', recordedAt: v.registeredAt });
  const planned = await Promise.all(cars.map((v) => repos.vehicles.planned(v, [firstReading(v)])));
  await batchPutItems(store.doc, store.tableName, [...planned.map(vehicleEntity.toItem), ...planned.map((v, i) => odometerToItem(firstReading(v), `01JBENCHREADING${String(i).padStart(11, '0')}`))]);
  return planned;
}

/** `perCar` readings of each car, every 6 hours (about 40 km each), interleaved in time as a platform sends them. */
function readingsOf(cars: readonly VehicleRecord[], perCar: number, prefix: string): Reading[] {
  const readings: Reading[] = [];
  for (let k = 0; k < perCar; k++) {
    cars.forEach((car, c) => {
      const electric = car.powertrain === 'ELECTRIC';
      readings.push({
        sourceReadingId: `${prefix}-${c}-${k}`,
        vin: car.vin,
        readAt: new Date(START + k * HOURS_6 + c * 1_000).toISOString(),
        odometerKm: 15_000 + 40 * k + (c % 7) * 3 * k,
        ...(electric ? { stateOfHealthPct: Math.round((96 - k / 400) * 100) / 100, stateOfChargePct: 20 + ((k * 13) % 70) } : {}),
      });
    });
  }
  return readings;
}

export async function telemetryBench(print: Print) {
  print('11. Connected-car telemetry (recordVehicleTelemetry through the Lambda handler, one process)');
  const engine = await startDynamoDbLocal();
  try {
    const doc = createDocumentClient({ endpoint: engine.endpoint, region: 'eu-central-1' });
    const tableName = 'paddock-bench-telemetry';
    await ensureTable(doc as never, tableName);
    const store = { doc, tableName };
    const repos = createRepositories(store);
    const key = generateSigningKey();
    const config = readConfig({ TABLE_NAME: tableName, DYNAMODB_ENDPOINT: engine.endpoint, ...localAuthEnv(key) });
    const handler = createGraphqlHandler(createRuntime(config, { doc, logger: createLogger({}, { level: 'error', write: () => true }) }));
    const admin = { authorization: `Bearer ${signLocalToken(key, { role: 'admin' })}` };
    const counter = countRequests(doc);
    const reader = new DynamoDBClient({ endpoint: engine.endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const units = writeUnits(doc, reader, tableName);

    const send = async (readings: Reading[]) => {
      const res = (await handler(apiGatewayEvent({ body: JSON.stringify({ query: MUTATION, variables: { input: { source: 'porsche-connect', readings } } }), headers: admin }), lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
      const body = JSON.parse(res.body!);
      if (body.errors || body.data.recordVehicleTelemetry.userErrors.length) throw new Error(JSON.stringify(body.errors ?? body.data.recordVehicleTelemetry.userErrors));
      return body.data.recordVehicleTelemetry as { accepted: number; duplicates: number; rejected: number; outcomes: { status: string; code: string | null; message: string | null }[] };
    };
    const run = async (label: string, readings: Reading[], callSize: number) => {
      counter.reset();
      units.reset();
      const times: number[] = [];
      const totals = { accepted: 0, duplicates: 0, rejected: 0 };
      const firstRejection: string[] = [];
      const started = performance.now();
      for (let i = 0; i < readings.length; i += callSize) {
        const t0 = performance.now();
        const result = await send(readings.slice(i, i + callSize));
        times.push(performance.now() - t0);
        totals.accepted += result.accepted;
        totals.duplicates += result.duplicates;
        totals.rejected += result.rejected;
        const rejected = result.outcomes.find((o) => o.status === 'REJECTED');
        if (rejected && !firstRejection.length) firstRejection.push(`${rejected.code}: ${rejected.message}`);
      }
      const seconds = (performance.now() - started) / 1000;
      const t = counter.tally();
      const calls = Math.ceil(readings.length / callSize);
      const ops = Object.entries(t.byOperation).map(([op, n]) => `${op} ${(n / calls).toFixed(n % calls ? 1 : 0)}`).join(', ');
      print(`   ${label}`);
      print(`     ${readings.length} readings in ${seconds.toFixed(1)} s → ${(readings.length / seconds).toFixed(0)} readings/s; median ${median(times).toFixed(0)} ms per call of ${callSize}`);
      print(`     ${totals.accepted} accepted, ${totals.duplicates} duplicates, ${totals.rejected} rejected${firstRejection.length ? ` (first: ${firstRejection[0]})` : ''}`);
      print(`     ${(t.requests / readings.length).toFixed(2)} requests/reading (per call: ${ops}); ${(units.get() / readings.length).toFixed(2)} WRU/reading`);
    };

    // The engine's own ceiling on this machine: transactions of 90 small Puts, 4 in flight (what the packed writes look like).
    const calibrationStarted = performance.now();
    await inPool(Array.from({ length: 20 }, (_, i) => i), 4, async (i) => {
      await doc.send(new TransactWriteCommand({ TransactItems: Array.from({ length: 90 }, (_, j) => ({ Put: { TableName: tableName, Item: { PK: `BENCH#${i}`, SK: `ITEM#${j}`, data: 'x'.repeat(200) }, ConditionExpression: 'attribute_not_exists(PK)' } })) }));
    });
    const ceiling = (20 * 90) / ((performance.now() - calibrationStarted) / 1000);
    print(`   DynamoDB Local's ceiling here: ${ceiling.toFixed(0)} items/s in transactions of 90 Puts (4 in flight); a reading writes 2–3 items plus its car's`);
    print('   write units computed from item sizes (2/KiB a transactional write, 1/KiB an index entry); DynamoDB Local does not add up a transaction\'s items');
    const fleet = await registerCars(repos, store, 100, 200_000);
    const batched = readingsOf(fleet, 50, 'a');
    await run('100 cars × 50 readings, calls of 500 (5 readings a car a call), one call at a time', batched, 500);
    const single = await registerCars(repos, store, 500, 300_000);
    await run('500 cars × 1 reading, calls of 500 (a car write per reading: the per-car reads and items at their worst)', readingsOf(single, 2, 'b'), 500);
    await run('the first run sent again (every reading a duplicate)', batched, 500);
  } finally {
    await engine.stop();
  }
}
