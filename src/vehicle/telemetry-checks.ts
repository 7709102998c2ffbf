import type { Powertrain } from '../catalogue/model-lines.js';
import { userError, type UserError } from '../shared/user-error.js';
import { checkInstantNotInFuture, checkIntRange, checkText } from '../shared/validation.js';
import { checkVin, MAX_ODOMETER_KM } from './vehicle-service.js';

/**
 * The checks a connected-car reading passes before it is stored, all pure: each reading on
 * its own (`checkTelemetryReading`), against its car's powertrain (`batteryProblem`), and
 * against the car's other readings, stored or in the same call (`OdometerTimeline`).
 */

/** Readings one call may carry: a platform's batch of a few minutes, answered within an API Gateway timeout. */
export const MAX_TELEMETRY_READINGS = 500;
/** No road car averages more between two readings: a faster odometer is a unit or clock fault. */
export const MAX_PLAUSIBLE_KMH = 300;
/**
 * Over days the bound is a day's driving, not a top speed: 300 km/h for months would pass
 * a million-km typo. 2,500 km a day is two drivers taking turns for 24 hours on a motorway.
 */
export const MAX_PLAUSIBLE_KM_PER_DAY = 2_500;
/** Odometers report whole kilometres: two readings seconds apart may differ by one without the car flying. */
const ODOMETER_ROUNDING_KM = 1;
const HOUR_MS = 3_600_000;

export interface TelemetryReadingInput {
  sourceReadingId: string;
  vin: string;
  readAt: string;
  odometerKm?: number | null;
  stateOfHealthPct?: number | null;
  stateOfChargePct?: number | null;
}

/** A reading whose fields passed their checks: trimmed id, normalised VIN, readAt as a UTC instant. */
export interface CheckedReading {
  index: number;
  sourceReadingId: string;
  vin: string;
  readAt: string;
  odometerKm?: number;
  stateOfHealthPct?: number;
  stateOfChargePct?: number;
}

const at = (index: number, name: string) => `readings.${index}.${name}`;

function checkPercent(field: string, value: number): UserError[] {
  return Number.isFinite(value) && value >= 0 && value <= 100 ? [] : [userError(field, 'OUT_OF_RANGE', 'A percentage from 0 to 100.')];
}

/** One reading's own fields (pure): the first problem, or the reading as it will be stored. */
export function checkTelemetryReading(input: TelemetryReadingInput, index: number, now: Date): { reading: CheckedReading } | { error: UserError } {
  const { vin, errors } = checkVin(at(index, 'vin'), input.vin);
  errors.push(...checkText(at(index, 'sourceReadingId'), input.sourceReadingId, { max: 100 }));
  const readAt = checkInstantNotInFuture(at(index, 'readAt'), input.readAt, now);
  errors.push(...readAt.errors);
  const { odometerKm, stateOfHealthPct, stateOfChargePct } = input;
  if (odometerKm == null && stateOfHealthPct == null) errors.push(userError(at(index, 'odometerKm'), 'REQUIRED', 'A reading carries odometerKm, stateOfHealthPct or both.'));
  if (odometerKm != null) errors.push(...checkIntRange(at(index, 'odometerKm'), odometerKm, 0, MAX_ODOMETER_KM));
  if (stateOfHealthPct != null) errors.push(...checkPercent(at(index, 'stateOfHealthPct'), stateOfHealthPct));
  if (stateOfChargePct != null) errors.push(...checkPercent(at(index, 'stateOfChargePct'), stateOfChargePct));
  // Percentages kept to 0.01: DynamoDB refuses numbers below 1e-130, and one such value would fail every car of its transaction.
  const pct = (value: number) => Math.round(value * 100) / 100 || 0;
  if (errors.length || !readAt.date) return { error: errors[0]! };
  return {
    reading: {
      index,
      sourceReadingId: input.sourceReadingId.trim(),
      vin,
      readAt: readAt.date.toISOString(),
      ...(odometerKm != null ? { odometerKm } : {}),
      ...(stateOfHealthPct != null ? { stateOfHealthPct: pct(stateOfHealthPct) } : {}),
      ...(stateOfChargePct != null ? { stateOfChargePct: pct(stateOfChargePct) } : {}),
    },
  };
}

/** Battery values on a car without a traction battery are someone's mapping error, not a reading. */
export function batteryProblem(reading: CheckedReading, powertrain: Powertrain): UserError | null {
  if (powertrain !== 'PETROL') return null;
  const field = reading.stateOfHealthPct !== undefined ? 'stateOfHealthPct' : reading.stateOfChargePct !== undefined ? 'stateOfChargePct' : null;
  return field ? userError(at(reading.index, field), 'INVALID', 'This car has no high-voltage battery; send battery values only for hybrids and electric cars.') : null;
}

export interface OdometerPoint {
  km: number;
  readAt: string;
}

/** Average km/h between two readings, less the odometer's rounding; infinite for a distance in no time. */
function averageKmh(a: OdometerPoint, b: OdometerPoint): number {
  const km = Math.max(0, Math.abs(b.km - a.km) - ODOMETER_ROUNDING_KM);
  const hours = Math.abs(Date.parse(b.readAt) - Date.parse(a.readAt)) / HOUR_MS;
  if (km === 0) return 0;
  return hours === 0 ? Number.POSITIVE_INFINITY : km / hours;
}

/**
 * A car's odometer readings in time order — the stored ones the call read and those
 * accepted so far in the call — and the rule a new one must obey: not lower than the
 * reading just before it, not higher than the one just after (the rule of
 * `recordOdometerReading`), and no faster than {@link MAX_PLAUSIBLE_KMH} on average from
 * either. Readings are judged in the order they arrive, as if sent one by one; one older
 * than the car's latest is fine when it fits between its neighbours.
 */
export class OdometerTimeline {
  private readonly points: OdometerPoint[];

  constructor(points: readonly OdometerPoint[]) {
    this.points = [...points].sort((a, b) => a.readAt.localeCompare(b.readAt));
  }

  /** Where a reading at `readAt` goes: after every reading at or before it (as `neighbours` reads them). */
  private position(readAt: string): number {
    let low = 0;
    let high = this.points.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.points[mid]!.readAt <= readAt) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Why `point` does not fit, for the reading at `index`; null when it does. */
  problem(point: OdometerPoint, index: number): UserError | null {
    const i = this.position(point.readAt);
    const before = this.points[i - 1];
    const after = this.points[i];
    const field = at(index, 'odometerKm');
    if (before && before.km > point.km) return userError(field, 'ODOMETER_DECREASE', `An earlier reading (${before.readAt}) shows ${before.km} km; a later reading cannot be lower.`);
    if (after && after.km < point.km) return userError(field, 'ODOMETER_DECREASE', `A later reading (${after.readAt}) shows ${after.km} km; an earlier reading cannot be higher.`);
    for (const [neighbour, which] of [[before, 'the reading before'], [after, 'the reading after']] as const) {
      if (!neighbour) continue;
      const kmh = averageKmh(neighbour, point);
      const days = Math.abs(Date.parse(point.readAt) - Date.parse(neighbour.readAt)) / 86_400_000;
      if (days >= 1 && Math.abs(point.km - neighbour.km) / days > MAX_PLAUSIBLE_KM_PER_DAY) {
        return userError(field, 'IMPLAUSIBLE_SPEED', `From ${which} (${neighbour.readAt}, ${neighbour.km} km) that is ${Math.round(Math.abs(point.km - neighbour.km) / days)} km a day; more than ${MAX_PLAUSIBLE_KM_PER_DAY} km a day is a typo or the wrong car.`);
      }
      if (kmh > MAX_PLAUSIBLE_KMH) {
        const speed = Number.isFinite(kmh) ? `${Math.round(kmh)} km/h` : 'a distance in no time';
        return userError(field, 'IMPLAUSIBLE_SPEED', `From ${which} (${neighbour.readAt}, ${neighbour.km} km) that is ${speed} on average; more than ${MAX_PLAUSIBLE_KMH} km/h is a unit or clock fault.`);
      }
    }
    return null;
  }

  /** Adds a reading (stored, or accepted in this call): later readings are judged against it. */
  add(point: OdometerPoint): void {
    this.points.splice(this.position(point.readAt), 0, { km: point.km, readAt: point.readAt });
  }

  /** The earliest reading held, if any: older new readings need their stored neighbours read. */
  earliest(): OdometerPoint | undefined {
    return this.points[0];
  }
}
