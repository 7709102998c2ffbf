import { inPool } from '../shared/in-pool.js';
import { newId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { explainFailures, fitsOneTransaction, type Contribution } from '../store/fact-hooks.js';
import { backoffDelayMs, sleep } from '../store/retry.js';
import { batteryHealthOf } from './battery-health.js';
import { OdometerTimeline, type CheckedReading } from './telemetry-checks.js';
import type { SohReading } from './telemetry-records.js';
import { refresh } from './vehicle-service.js';
import type { OdometerReading, VehicleRecord } from './vehicle.js';

/**
 * Writes a call's readings that passed every check so far, car by car, as
 * `recordVehicleTelemetry` promises: each car's readings judged against its stored ones
 * and each other, then written with the car under its version — its latest odometer, its
 * battery health and its plan recomputed once — and with other domains' reactions to the
 * new plan, all or nothing per car. Cars are prepared in parallel; their writes are packed
 * into shared transactions of up to 100 items (a transaction costs the same per item, and
 * a few large ones go much faster than one per car), and a pack that fails because of one
 * car sends the others again. Every reading is answered exactly once through `answer`.
 */

export type Answer = (r: CheckedReading, outcome: { status: 'ACCEPTED' | 'DUPLICATE'; message?: string } | { error: UserError }) => void;

/** Cars prepared at once (each reads its readings): DynamoDB kept busy without flooding the connection pool. */
const PREPARE_CONCURRENCY = 16;
/** Packed transactions in flight at once. */
const WRITE_CONCURRENCY = 4;
/** Attempts per car before its remaining readings are answered TEMPORARY_FAILURE (a car written by others all the while). */
const MAX_CAR_ATTEMPTS = 5;
/**
 * Items of one car's write besides the vehicle and other domains' reactions: up to three
 * per reading (marker, odometer, state of health). A longer backfill is written in several
 * steps, each leaving the car consistent with the readings stored so far.
 */
const READING_ITEMS_PER_STEP = 88;

const itemsOf = (r: CheckedReading) => 1 + (r.odometerKm !== undefined ? 1 : 0) + (r.stateOfHealthPct !== undefined ? 1 : 0);

export const temporaryFailure = (index: number) => userError(`readings.${index}.vin`, 'TEMPORARY_FAILURE', 'This reading could not be stored just now; nothing of it was written. Send it again.');
const DUPLICATE = { status: 'DUPLICATE', message: 'Stored before; nothing changed.' } as const;

/** A car whose readings are still to be written: `vehicle` null means read it again (it changed under us). */
interface CarJob {
  vin: string;
  vehicle: VehicleRecord | null;
  readings: CheckedReading[];
  attempts: number;
}

/** One car's next write: the readings it stores, the car after it, and every item. */
interface Step {
  job: CarJob;
  chunk: CheckedReading[];
  rest: CheckedReading[];
  next: VehicleRecord;
  own: Contribution[];
  contributions: Contribution[];
}

export async function writeTelemetry(ctx: ServiceContext, cars: readonly { vehicle: VehicleRecord; readings: CheckedReading[] }[], source: string, recordedAt: string, answer: Answer): Promise<void> {
  let jobs: CarJob[] = cars.map((c) => ({ vin: c.vehicle.vin, vehicle: c.vehicle, readings: c.readings, attempts: 0 }));
  // Each round writes one step of every car that has readings left: its first (usually only) step, the next step of a backfill, or a retry.
  while (jobs.length) {
    const steps: Step[] = [];
    await inPool(jobs, PREPARE_CONCURRENCY, async (job) => {
      try {
        const step = await prepare(ctx, job, source, recordedAt, answer);
        if (step) steps.push(step);
      } catch (error) {
        ctx.logger.error('telemetry not recorded for a car', { vin: job.vin, error });
        job.readings.forEach((r) => answer(r, { error: temporaryFailure(r.index) }));
      }
    });
    const again: CarJob[] = [];
    await inPool(packed(steps), WRITE_CONCURRENCY, async (pack) => {
      try {
        again.push(...(await writePack(ctx, pack, answer)));
      } catch (error) {
        ctx.logger.error('telemetry not recorded for a pack of cars', { vins: pack.map((s) => s.job.vin), error });
        pack.forEach((s) => [...s.chunk, ...s.rest].forEach((r) => answer(r, { error: temporaryFailure(r.index) })));
      }
    });
    jobs = again;
  }
}

/**
 * A car's next step: (re-)read what a retry needs, judge the readings against the car's
 * stored readings and each other, and build the write of the first chunk of those that fit.
 */
async function prepare(ctx: ServiceContext, job: CarJob, source: string, recordedAt: string, answer: Answer): Promise<Step | null> {
  const { repos } = ctx;
  const { vin } = job;
  if (job.attempts >= MAX_CAR_ATTEMPTS) return (job.readings.forEach((r) => answer(r, { error: temporaryFailure(r.index) })), null);
  let pending = job.readings;
  let vehicle = job.vehicle;
  if (!vehicle) {
    await sleep(backoffDelayMs(job.attempts));
    const [again, stored] = await Promise.all([repos.vehicles.get(vin), repos.telemetry.storedMarkers(pending, source)]);
    // A concurrent call may have stored some of them meanwhile: those are duplicates now.
    const racedIn = pending.filter((r) => stored.has(repos.telemetry.markerKey(vin, source, r.sourceReadingId)));
    racedIn.forEach((r) => answer(r, DUPLICATE));
    pending = pending.filter((r) => !racedIn.includes(r));
    vehicle = again;
    if (!pending.length) return null;
    if (!vehicle) return (pending.forEach((r) => answer(r, { error: notFound(`readings.${r.index}.vin`, 'vehicle') })), null);
  }

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
  if (!fitting.length) return null;

  // Dropping readings never makes a neighbour lower or faster, so the fitting ones may be written a chunk at a time.
  const chunk = firstChunk(fitting);
  const odometer: OdometerReading[] = chunk.flatMap((r) => (r.odometerKm !== undefined ? [{ vin, km: r.odometerKm, readAt: r.readAt, source: `telemetry:${source}`, recordedAt }] : []));
  const soh: SohReading[] = chunk.flatMap((r) => (r.stateOfHealthPct !== undefined ? [{ vin, id: newId(), pct: r.stateOfHealthPct, readAt: r.readAt, source: `telemetry:${source}`, recordedAt }] : []));
  let next: VehicleRecord = { ...vehicle, version: vehicle.version + 1, ...latestOdometer(vehicle, odometer) };
  // The planner reads the battery's health (a fast-ageing battery is checked sooner): set it first.
  const health = soh.length ? batteryHealthOf([...sohHistory, ...soh], (vehicle.batteryHealth?.readings ?? 0) + soh.length) : null;
  if (health) next = { ...next, batteryHealth: health };
  next = await repos.vehicles.planned(next, [...recent, ...odometer]);

  const own: Contribution[] = [
    { item: repos.vehicles.versioned(next, vehicle.version) },
    ...odometer.map((o) => ({ item: repos.odometer.put(o) })),
    ...soh.map((s) => ({ item: repos.telemetry.soh(s) })),
    ...chunk.map((r) => ({ item: repos.telemetry.marker({ vin, source, sourceReadingId: r.sourceReadingId, readAt: r.readAt, odometerKm: r.odometerKm, stateOfHealthPct: r.stateOfHealthPct, stateOfChargePct: r.stateOfChargePct, recordedAt }) })),
  ];
  const planChanged = JSON.stringify(next.servicePlan) !== JSON.stringify(vehicle.servicePlan);
  const reactions = planChanged ? await ctx.facts.contributions('VehiclePlanChanged', { before: vehicle, after: next, at: recordedAt }) : [];
  return { job: { ...job, vehicle, readings: fitting }, chunk, rest: fitting.slice(chunk.length), next, own, contributions: [...own, ...reactions] };
}

/** Steps packed into transactions of up to 100 items, in order. */
function packed(steps: readonly Step[]): Step[][] {
  const packs: Step[][] = [];
  let current: Step[] = [];
  for (const step of steps) {
    if (current.length && !fitsOneTransaction([...current.flatMap((s) => s.contributions), ...step.contributions])) (packs.push(current), (current = []));
    current.push(step);
  }
  if (current.length) packs.push(current);
  return packs;
}

/** Writes a pack; returns the cars with readings left: the next chunk of a backfill, a car that lost a race, or one that came along with it. */
async function writePack(ctx: ServiceContext, pack: readonly Step[], answer: Answer): Promise<CarJob[]> {
  const result = await ctx.facts.write(pack.flatMap((s) => s.contributions));
  const again: CarJob[] = [];
  for (const step of pack) {
    const { job, chunk, rest, next } = step;
    if (result.ok) {
      chunk.forEach((r) => answer(r, { status: 'ACCEPTED' }));
      if (rest.length) again.push({ vin: job.vin, vehicle: refresh(ctx, next), readings: rest, attempts: 0 });
      else refresh(ctx, next);
      continue;
    }
    const failed = result.failed.filter((c) => step.contributions.includes(c));
    // Nothing of this car failed: it only shared the transaction with one that did. Prepared again (its reactions are asked again), not re-read.
    if (!failed.length) {
      again.push({ vin: job.vin, vehicle: job.vehicle, readings: job.readings, attempts: job.attempts });
      continue;
    }
    // Another domain refusing its reaction for good refuses these readings, in its words; anything else is a race: read again.
    const refusal = await explainFailures(failed.filter((c) => !step.own.includes(c)));
    if (refusal) job.readings.forEach((r) => answer(r, { error: userError(`readings.${r.index}.${refusal.field ?? 'vin'}`, refusal.code, refusal.message) }));
    else again.push({ vin: job.vin, vehicle: null, readings: job.readings, attempts: job.attempts + 1 });
  }
  return again;
}

/** The car's latest odometer when a new reading is at or after it (as `recordReading` decides). */
function latestOdometer(vehicle: VehicleRecord, readings: readonly OdometerReading[]): Partial<VehicleRecord> {
  const latest = readings.reduce<OdometerReading | undefined>((a, b) => (!a || b.readAt > a.readAt || (b.readAt === a.readAt && b.km >= a.km) ? b : a), undefined);
  return latest && latest.readAt >= vehicle.odometerReadAt ? { odometerKm: latest.km, odometerReadAt: latest.readAt } : {};
}

/** The readings, in input order, that one step writes. */
function firstChunk(readings: readonly CheckedReading[]): CheckedReading[] {
  let items = 0;
  const chunk: CheckedReading[] = [];
  for (const r of readings) {
    if (chunk.length && items + itemsOf(r) > READING_ITEMS_PER_STEP) break;
    chunk.push(r);
    items += itemsOf(r);
  }
  return chunk;
}
