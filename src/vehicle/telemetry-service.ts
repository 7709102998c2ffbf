import { vehiclePolicy } from '../auth/policies.js';
import { ForbiddenError } from '../shared/errors.js';
import { inPool } from '../shared/in-pool.js';
import { newId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError, type UserErrorCode } from '../shared/user-error.js';
import { checkText } from '../shared/validation.js';
import { explainFailures, type Contribution } from '../store/fact-hooks.js';
import { backoffDelayMs, sleep } from '../store/retry.js';
import { batteryHealthOf, type SohPoint } from './battery-health.js';
import { batteryProblem, checkTelemetryReading, MAX_TELEMETRY_READINGS, OdometerTimeline, type CheckedReading, type TelemetryReadingInput } from './telemetry-checks.js';
import type { SohReading } from './telemetry-records.js';
import { refresh } from './vehicle-service.js';
import type { OdometerReading, VehicleRecord } from './vehicle.js';

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

/** Cars written at once: enough to keep DynamoDB busy, few enough that one call does not flood a connection pool. */
const CAR_CONCURRENCY = 16;
/** Attempts per car before its remaining readings are answered TEMPORARY_FAILURE (a car written by others all the while). */
const MAX_CAR_ATTEMPTS = 5;
/**
 * Items of one car's transaction besides the vehicle and other domains' reactions: up to
 * three per reading (marker, odometer, state of health). DynamoDB takes 100 a transaction;
 * the rest is room for the vehicle and the reactions to its new plan.
 */
const READING_ITEMS_PER_TRANSACTION = 88;

const itemsOf = (r: CheckedReading) => 1 + (r.odometerKm !== undefined ? 1 : 0) + (r.stateOfHealthPct !== undefined ? 1 : 0);

/**
 * Records a batch of connected-car readings (odometer, battery state of health and
 * charge) from one platform, each at most once per (platform, reading id). Every reading
 * is answered on its own, in input order — ACCEPTED, DUPLICATE (stored before, or earlier
 * in this call) or REJECTED with a code — and accepted readings are stored even when
 * others are not. Per car, the readings are judged against the car's stored ones and each
 * other (never lower than an earlier one, never faster than 300 km/h), then written in one
 * transaction with the car: its latest odometer, battery health and a plan recomputed
 * once, under the car's version, with other domains' reactions to the new plan
 * (`VehiclePlanChanged`). A car written by someone else meanwhile is read again and judged
 * again; a car that cannot be written has all of its remaining readings REJECTED with
 * TEMPORARY_FAILURE, nothing of them written — re-sending them is safe.
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

  // 1. Each reading on its own; a reading id seen earlier in the call is that reading again.
  const byVin = new Map<string, CheckedReading[]>();
  const seen = new Set<string>();
  input.readings.forEach((raw, index) => {
    const checked = checkTelemetryReading(raw, index, now);
    if ('error' in checked) return reject(index, checked.error);
    const { reading } = checked;
    outcomes[index] = { ...outcomes[index]!, sourceReadingId: reading.sourceReadingId, vin: reading.vin };
    if (seen.has(reading.sourceReadingId)) return settle(reading, 'DUPLICATE', 'Sent earlier in this call; that one stands.');
    seen.add(reading.sourceReadingId);
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
        const problem = batteryProblem(r, vehicle.powertrain);
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

  // 4. Per car, one transaction (or a few for a long backfill), cars in parallel.
  await inPool(
    cars.filter((c) => c.readings.length),
    CAR_CONCURRENCY,
    async ({ vehicle, readings }) => {
      const answered = new Set<number>();
      const answer = (r: CheckedReading, outcome: { status: 'ACCEPTED' | 'DUPLICATE'; message?: string } | { error: UserError }) => {
        answered.add(r.index);
        if ('error' in outcome) reject(r.index, outcome.error);
        else settle(r, outcome.status, outcome.message);
      };
      try {
        await writeCar(ctx, { vehicle, readings, source, recordedAt }, answer);
      } catch (error) {
        ctx.logger.error('telemetry not recorded for a car', { vin: vehicle.vin, error });
        for (const r of readings) if (!answered.has(r.index)) reject(r.index, temporaryFailure(r.index));
      }
    },
  );

  const count = (status: TelemetryStatus) => outcomes.filter((o) => o.status === status).length;
  return { accepted: count('ACCEPTED'), duplicates: count('DUPLICATE'), rejected: count('REJECTED'), outcomes, userErrors: [] };
}

const temporaryFailure = (index: number) => userError(`readings.${index}.vin`, 'TEMPORARY_FAILURE', 'This reading could not be stored just now; nothing of it was written. Send it again.');

type Answer = (r: CheckedReading, outcome: { status: 'ACCEPTED' | 'DUPLICATE'; message?: string } | { error: UserError }) => void;

interface CarWrite {
  vehicle: VehicleRecord;
  readings: CheckedReading[];
  source: string;
  recordedAt: string;
}

/**
 * One car's readings: judged against its stored readings and each other, then written with
 * the car under its version. A lost race (the car, or a marker a concurrent re-send wrote)
 * reads the car again and judges what is left again; every reading is answered exactly once.
 */
async function writeCar(ctx: ServiceContext, { vehicle: first, readings, source, recordedAt }: CarWrite, answer: Answer): Promise<void> {
  const { repos } = ctx;
  const vin = first.vin;
  let vehicle: VehicleRecord | null = first;
  let pending = readings;
  for (let attempt = 0; pending.length; attempt++) {
    if (attempt >= MAX_CAR_ATTEMPTS) return pending.forEach((r) => answer(r, { error: temporaryFailure(r.index) }));
    if (attempt > 0) {
      await sleep(backoffDelayMs(attempt));
      const [again, stored] = await Promise.all([repos.vehicles.get(vin), repos.telemetry.storedMarkers(pending, source)]);
      vehicle = again;
      // A concurrent call may have stored some of them meanwhile: those are duplicates now.
      const racedIn = pending.filter((r) => stored.has(repos.telemetry.markerKey(vin, source, r.sourceReadingId)));
      racedIn.forEach((r) => answer(r, { status: 'DUPLICATE', message: 'Stored before; nothing changed.' }));
      pending = pending.filter((r) => !racedIn.includes(r));
      if (!pending.length) return;
    }
    if (!vehicle) return pending.forEach((r) => answer(r, { error: notFound(`readings.${r.index}.vin`, 'vehicle') }));

    // What the new readings must fit: the newest stored readings, and the neighbours of any older new one.
    const [recent, sohHistory] = await Promise.all([repos.odometer.recent(vin), pending.some((r) => r.stateOfHealthPct !== undefined) ? repos.telemetry.sohHistory(vin) : Promise.resolve([])]);
    const timeline = new OdometerTimeline(recent);
    const oldest = timeline.earliest()?.readAt;
    const older = pending.filter((r) => r.odometerKm !== undefined && oldest !== undefined && r.readAt < oldest);
    for (const { before, after } of await Promise.all(older.map((r) => repos.odometer.neighbours(vin, r.readAt)))) {
      for (const n of [before, after]) if (n && !recent.some((x) => x.readAt === n.readAt && x.km === n.km)) timeline.add(n);
    }
    const fitting: CheckedReading[] = [];
    for (const r of pending) {
      const problem = r.odometerKm !== undefined ? timeline.problem({ km: r.odometerKm, readAt: r.readAt }, r.index) : null;
      if (problem) answer(r, { error: problem });
      else (fitting.push(r), r.odometerKm !== undefined && timeline.add({ km: r.odometerKm, readAt: r.readAt }));
    }

    // Any subset of fitting readings fits too (dropping a reading never makes a neighbour lower or faster), so chunks may be written one by one.
    const written = await writeChunks(ctx, { vehicle, readings: fitting, source, recordedAt, recent, sohHistory }, answer);
    if (written.kind === 'DONE') return;
    pending = written.left;
    vehicle = null;
  }
}

interface ChunkWrite extends CarWrite {
  recent: OdometerReading[];
  sohHistory: SohReading[];
}

/** Writes a car's fitting readings, a transaction per chunk; what a lost race left unwritten is returned for another attempt. */
async function writeChunks(ctx: ServiceContext, { vehicle, readings, source, recordedAt, recent, sohHistory }: ChunkWrite, answer: Answer): Promise<{ kind: 'DONE' } | { kind: 'CONFLICT'; left: CheckedReading[] }> {
  const { repos } = ctx;
  let current = vehicle;
  const odometerSoFar: OdometerReading[] = [...recent];
  const sohSoFar: SohPoint[] = sohHistory.map((s) => ({ pct: s.pct, readAt: s.readAt }));
  for (const [n, chunk] of chunksOf(readings).entries()) {
    const odometer: OdometerReading[] = chunk.flatMap((r) => (r.odometerKm !== undefined ? [{ vin: r.vin, km: r.odometerKm, readAt: r.readAt, source: `telemetry:${source}`, recordedAt }] : []));
    const soh: SohReading[] = chunk.flatMap((r) => (r.stateOfHealthPct !== undefined ? [{ vin: r.vin, id: newId(), pct: r.stateOfHealthPct, readAt: r.readAt, source: `telemetry:${source}`, recordedAt }] : []));

    let next: VehicleRecord = { ...current, version: current.version + 1, ...latestOdometer(current, odometer) };
    // The planner reads the battery's health (a fast-ageing battery is checked sooner): set it first.
    if (soh.length) {
      const health = batteryHealthOf([...sohSoFar, ...soh.map((s) => ({ pct: s.pct, readAt: s.readAt }))], (current.batteryHealth?.readings ?? 0) + soh.length);
      if (health) next = { ...next, batteryHealth: health };
    }
    next = await repos.vehicles.planned(next, [...odometerSoFar, ...odometer]);
    const planChanged = JSON.stringify(next.servicePlan) !== JSON.stringify(current.servicePlan);

    const own: Contribution[] = [
      { item: repos.vehicles.versioned(next, current.version) },
      ...odometer.map((o) => ({ item: repos.odometer.put(o) })),
      ...soh.map((s) => ({ item: repos.telemetry.soh(s) })),
      ...chunk.map((r) => ({ item: repos.telemetry.marker({ vin: r.vin, source, sourceReadingId: r.sourceReadingId, readAt: r.readAt, odometerKm: r.odometerKm, stateOfHealthPct: r.stateOfHealthPct, stateOfChargePct: r.stateOfChargePct, recordedAt }) })),
    ];
    const reactions = planChanged ? await ctx.facts.contributions('VehiclePlanChanged', { before: current, after: next, at: recordedAt }) : [];
    const result = await ctx.facts.write([...own, ...reactions]);
    if (!result.ok) {
      const left = chunksOf(readings).slice(n).flat();
      // Another domain refusing its reaction for good refuses these readings (in its words); anything else is a race: read again.
      const refusal = await explainFailures(result.failed.filter((c) => !own.includes(c)));
      if (!refusal) return { kind: 'CONFLICT', left };
      left.forEach((r) => answer(r, { error: userError(`readings.${r.index}.${refusal.field ?? 'vin'}`, refusal.code, refusal.message) }));
      return { kind: 'DONE' };
    }
    chunk.forEach((r) => answer(r, { status: 'ACCEPTED' }));
    odometerSoFar.push(...odometer);
    sohSoFar.push(...soh.map((s) => ({ pct: s.pct, readAt: s.readAt })));
    current = refresh(ctx, next);
  }
  return { kind: 'DONE' };
}

/** The car's latest odometer when a new reading is at or after it (as `recordReading` decides). */
function latestOdometer(vehicle: VehicleRecord, readings: readonly OdometerReading[]): Partial<VehicleRecord> {
  const latest = readings.reduce<OdometerReading | undefined>((a, b) => (!a || b.readAt > a.readAt || (b.readAt === a.readAt && b.km >= a.km) ? b : a), undefined);
  return latest && latest.readAt >= vehicle.odometerReadAt ? { odometerKm: latest.km, odometerReadAt: latest.readAt } : {};
}

/** Readings in input order, cut where a transaction would hold too many items. */
function chunksOf(readings: readonly CheckedReading[]): CheckedReading[][] {
  const chunks: CheckedReading[][] = [];
  let items = Number.POSITIVE_INFINITY;
  for (const r of readings) {
    if (items + itemsOf(r) > READING_ITEMS_PER_TRANSACTION) (chunks.push([]), (items = 0));
    chunks.at(-1)!.push(r);
    items += itemsOf(r);
  }
  return chunks;
}
