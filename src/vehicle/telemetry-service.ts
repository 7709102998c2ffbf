import { vehiclePolicy } from '../auth/policies.js';
import { ForbiddenError } from '../shared/errors.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError, type UserErrorCode } from '../shared/user-error.js';
import { checkText } from '../shared/validation.js';
import { batteryProblem, checkTelemetryReading, MAX_TELEMETRY_READINGS, type CheckedReading, type TelemetryReadingInput } from './telemetry-checks.js';
import { writeTelemetry } from './telemetry-writer.js';
import type { VehicleRecord } from './vehicle.js';

/** A reading from before the car was bought is a platform's clock (an epoch, a reset), not the car's history. */
function beforeTheCar(reading: CheckedReading, vehicle: VehicleRecord): UserError | null {
  if (reading.readAt.slice(0, 10) >= vehicle.purchaseDate) return null;
  return userError(`readings.${reading.index}.readAt`, 'OUT_OF_RANGE', `This car was bought on ${vehicle.purchaseDate}; a reading cannot be older.`);
}

export interface RecordTelemetryInput {
  source: string;
  readings: readonly TelemetryReadingInput[];
}

export type TelemetryStatus = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';

/** What happened to one reading of a call, at its position. */
export interface TelemetryOutcome {
  sourceReadingId: string;
  vin: string;
  status: TelemetryStatus;
  code?: UserErrorCode;
  field?: string[];
  message?: string;
}

export interface TelemetryResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  outcomes: TelemetryOutcome[];
  userErrors: UserError[];
}

/**
 * Records a batch of connected-car readings (odometer, battery state of health and
 * charge) from one platform, each at most once per (platform, reading id). Every reading
 * is answered on its own, in input order — ACCEPTED, DUPLICATE (stored before, or earlier
 * in this call) or REJECTED with a code — and accepted readings are stored even when
 * others are not. Per car, the readings are judged against the car's stored ones and each
 * other (never lower than an earlier one, never faster than 300 km/h), then written with
 * the car, all or nothing: its latest odometer, battery health and a plan recomputed once,
 * under the car's version, with other domains' reactions to the new plan
 * (`VehiclePlanChanged`); cars share transactions (`telemetry-writer.ts`). A car written
 * by someone else meanwhile is read again and judged again; a car that cannot be written
 * has all of its remaining readings REJECTED with TEMPORARY_FAILURE, nothing of them
 * written — re-sending them is safe.
 *
 * Who: as `recordOdometerReading` — admins, and dealers with `vehicles:write` for the cars
 * they may write; any other car is NOT_FOUND, whether or not it exists.
 */
export async function recordVehicleTelemetry(ctx: ServiceContext, input: RecordTelemetryInput): Promise<TelemetryResult> {
  if (!vehiclePolicy.canWriteAny(ctx.principal)) throw new ForbiddenError();
  const batchErrors = checkText('source', input.source, { max: 40 });
  if (input.readings.length > MAX_TELEMETRY_READINGS) batchErrors.push(userError('readings', 'TOO_MANY', `At most ${MAX_TELEMETRY_READINGS} readings per call; nothing was recorded.`));
  if (input.readings.length === 0) batchErrors.push(userError('readings', 'REQUIRED', 'Send at least one reading.'));
  if (batchErrors.length) return { accepted: 0, duplicates: 0, rejected: input.readings.length, outcomes: [], userErrors: batchErrors };

  const source = input.source.trim();
  const now = ctx.clock();
  const recordedAt = now.toISOString();
  const outcomes: TelemetryOutcome[] = input.readings.map((r) => ({ sourceReadingId: r.sourceReadingId, vin: r.vin, status: 'REJECTED' }));
  const reject = (index: number, error: UserError) => (outcomes[index] = { ...outcomes[index]!, status: 'REJECTED', code: error.code, field: error.field, message: error.message });
  const settle = (r: CheckedReading, status: 'ACCEPTED' | 'DUPLICATE', message?: string) => (outcomes[r.index] = { sourceReadingId: r.sourceReadingId, vin: r.vin, status, ...(message ? { message } : {}) });

  // 1. Each reading on its own; the same car's reading id seen earlier in the call is that
  // reading again (ids are per car, as stored: platforms often number each car's readings).
  const byVin = new Map<string, CheckedReading[]>();
  const firstIndex = new Map<string, number>();
  const repeats: { index: number; first: number }[] = [];
  input.readings.forEach((raw, index) => {
    const checked = checkTelemetryReading(raw, index, now);
    if ('error' in checked) return reject(index, checked.error);
    const { reading } = checked;
    outcomes[index] = { ...outcomes[index]!, sourceReadingId: reading.sourceReadingId, vin: reading.vin };
    const key = `${reading.vin}\u0000${reading.sourceReadingId}`;
    const first = firstIndex.get(key);
    if (first !== undefined) return void repeats.push({ index, first });
    firstIndex.set(key, index);
    byVin.set(reading.vin, [...(byVin.get(reading.vin) ?? []), reading]);
  });

  // 2. The cars, in one strongly consistent BatchGetItem, and which of them the caller may write.
  const vehicles = byVin.size ? await ctx.repos.telemetry.vehiclesForWrite([...byVin.keys()]) : new Map<string, VehicleRecord>();
  const cars: { vehicle: VehicleRecord; readings: CheckedReading[] }[] = [];
  await Promise.all(
    [...byVin].map(async ([vin, readings]) => {
      const vehicle = vehicles.get(vin);
      const writable = vehicle && (await ctx.access.canSeeVehicle(vehicle)) && (await ctx.access.canWriteVehicle(vehicle));
      if (!vehicle || !writable) return readings.forEach((r) => reject(r.index, notFound(`readings.${r.index}.vin`, 'vehicle')));
      const fitting = readings.filter((r) => {
        const problem = batteryProblem(r, vehicle.powertrain) ?? beforeTheCar(r, vehicle);
        if (problem) reject(r.index, problem);
        return !problem;
      });
      if (fitting.length) cars.push({ vehicle, readings: fitting });
    }),
  );

  // 3. Readings stored before (their markers exist), in one BatchGetItem for the whole call.
  const stored = await ctx.repos.telemetry.storedMarkers(cars.flatMap((c) => c.readings), source);
  for (const car of cars) {
    car.readings = car.readings.filter((r) => {
      const duplicate = stored.has(ctx.repos.telemetry.markerKey(r.vin, source, r.sourceReadingId));
      if (duplicate) settle(r, 'DUPLICATE', 'Stored before; nothing changed.');
      return !duplicate;
    });
  }

  // 4. Per car, the readings judged against its stored ones and written with it, all or nothing (see telemetry-writer.ts).
  await writeTelemetry(
    ctx,
    cars.filter((c) => c.readings.length),
    source,
    recordedAt,
    (r, outcome) => ('error' in outcome ? reject(r.index, outcome.error) : settle(r, outcome.status, outcome.message)),
  );

  // 5. A repeat within the call shares its first occurrence's fate: stored once (DUPLICATE), or
  // refused — never "DUPLICATE" of something that was not stored.
  for (const { index, first } of repeats) {
    const original = outcomes[first]!;
    outcomes[index] =
      original.status === 'REJECTED'
        ? { ...outcomes[index]!, status: 'REJECTED', code: original.code, field: (original.field ?? []).map((part, i, path) => (path[i - 1] === 'readings' ? String(index) : part)), message: `Same reading as readings.${first}, which was refused: ${original.message ?? ''}`.trim() }
        : { ...outcomes[index]!, status: 'DUPLICATE', message: `Same reading as readings.${first}; that one stands.` };
  }

  const count = (status: TelemetryStatus) => outcomes.filter((o) => o.status === status).length;
  return { accepted: count('ACCEPTED'), duplicates: count('DUPLICATE'), rejected: count('REJECTED'), outcomes, userErrors: [] };
}
