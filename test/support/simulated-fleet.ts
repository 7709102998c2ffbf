import { prng } from '../../src/shared/prng.js';
import { DEFAULT_KM_PER_YEAR } from '../../src/fleet-rates/fleet-rates.js';
import type { ModelLine, Powertrain } from '../../src/catalogue/model-lines.js';
import { addDays, addMonths, daysBetween } from '../../src/service/calendar.js';
import { scheduleFor, type MaintenanceItem } from '../../src/service/maintenance-catalogue.js';
import type { ReadingPoint } from '../../src/service/prediction.js';

/**
 * A simulated fleet whose TRUE mileage is known day by day: the ground truth the reminder
 * evaluator (`reminder-evaluation.ts`) judges the planner against. Pure and deterministic
 * (one seeded generator): the same options give the same fleet, byte for byte.
 *
 * Each car drives a true daily odometer from its registration to two years after the
 * evaluation start:
 * - a base annual rate drawn per car, log-normal around its model line's median (σ_ln 0.45);
 * - seasons: most cars mild (±0–10 %), some strong summer cars (±40 %), a few winter cars;
 * - habits that drift: a random walk in the log rate, 0.15–0.25 per √year (per car);
 * - week-to-week noise, and day-to-day noise on top;
 * - a few long trips a year (1,000–3,000 km over 2–6 days, in the car's season), at most
 *   40 % of its annual rate;
 * - idle weeks (holidays: the car stands).
 *
 * Readings arrive by schedule: `workshop` (every 3–9 months, irregular, and at every
 * service visit), `registration` (a recently registered car with its registration reading
 * only), `telemetry-weekly` / `telemetry-daily` (a connected car), `low-mileage` (a garage
 * queen: few km, readings at visits and once a year or so — due by calendar first).
 * The service history is simulated too: from registration, each time an item of the
 * catalogue truly falls due the owner visits (on time, a little early, or late), and the
 * workshop does every item due within the next two months at the same visit.
 */
export type ReadingSchedule = 'workshop' | 'registration' | 'telemetry-weekly' | 'telemetry-daily' | 'low-mileage';

export interface SimulatedReading extends ReadingPoint {
  /** Day index (from the fleet's origin) the reading was taken; it is known from the next day. */
  day: number;
}

export interface DrivingProfile {
  /** The long-run annual rate the car was drawn with (trips included), before drift. */
  baseKmPerYear: number;
  /** Relative amplitude of the seasonal cycle (0.4 = ±40 %). */
  seasonAmplitude: number;
  /** Day of the year (0–364) the car drives most. */
  seasonPeakDayOfYear: number;
  driftPerSqrtYear: number;
  tripsPerYear: number;
}

export interface SimulatedCar {
  id: number;
  modelLine: ModelLine;
  powertrain: Powertrain;
  schedule: ReadingSchedule;
  /** Registration day index; the odometer is 0 before it. */
  purchaseDay: number;
  /** True odometer at the end of each day since the fleet's origin. */
  odometer: Float64Array;
  /** Every reading the car will ever produce (before and after the evaluation start), by day. */
  readings: SimulatedReading[];
  /** Each item's last service before the evaluation start (absent: never done). */
  lastServiced: Record<string, { day: number; km: number }>;
  /** Service visits before the evaluation start (day indices). */
  visits: number[];
  profile: DrivingProfile;
}

export interface SimulatedFleet {
  /** Day index 0. */
  origin: string;
  /** Day index the evaluation starts at: the service history stops before it. */
  evaluationDay: number;
  /** Days simulated (the odometers' length). */
  days: number;
  cars: SimulatedCar[];
}

export interface FleetOptions {
  cars: number;
  seed?: number;
  /** `YYYY-MM-DD`; the fleet's origin is three years and three months before. */
  evaluationStart?: string;
  /** Share of cars per reading schedule (normalised). */
  mix?: Partial<Record<ReadingSchedule, number>>;
  /** Share of strong summer cars (±40 %). */
  summerCarShare?: number;
  /** Every car at least this old at the evaluation start (registration cars excepted). */
  minAgeDays?: number;
}

/** Median annual km per model line: what a cohort is drawn around (the brand's table). */
export const LINE_MEDIAN_KM_PER_YEAR: Record<ModelLine, number> = DEFAULT_KM_PER_YEAR;
/** σ of ln(rate) between cars of a line. */
export const BETWEEN_CARS_LOG_SIGMA = 0.45;

const LINE_WEIGHTS: [ModelLine, number][] = [
  ['NINE_ELEVEN', 0.2],
  ['SEVEN_EIGHTEEN', 0.1],
  ['TAYCAN', 0.15],
  ['PANAMERA', 0.1],
  ['MACAN', 0.25],
  ['CAYENNE', 0.2],
];
/** Share of each line's cars per powertrain (the rest petrol). */
const POWERTRAIN_SHARES: Record<ModelLine, Partial<Record<Powertrain, number>>> = {
  NINE_ELEVEN: {},
  SEVEN_EIGHTEEN: {},
  TAYCAN: { ELECTRIC: 1 },
  PANAMERA: { HYBRID: 0.4 },
  MACAN: { ELECTRIC: 0.25 },
  CAYENNE: { HYBRID: 0.3 },
};
const DEFAULT_MIX: Record<ReadingSchedule, number> = { workshop: 0.4, registration: 0.2, 'telemetry-weekly': 0.2, 'telemetry-daily': 0.08, 'low-mileage': 0.12 };

/** Simulated days after the evaluation start: room for the judged window and for calibrating long projections. */
const DAYS_AFTER_EVALUATION = 730;
const ORIGIN_MONTHS_BEFORE = 39;

/** The project's seeded generator (`shared/prng.ts`), with the draws a simulation needs besides. */
export function seeded(seed: number) {
  const { next, int } = prng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const pick = <T>(weighted: readonly (readonly [T, number])[]): T => {
    const total = weighted.reduce((sum, [, w]) => sum + w, 0);
    let x = next() * total;
    for (const [value, w] of weighted) if ((x -= w) < 0) return value;
    return weighted.at(-1)![0];
  };
  const poisson = (mean: number) => {
    let k = 0;
    for (let p = Math.exp(-mean), s = p, u = next(); u > s; k++) s += p *= mean / (k + 1);
    return k;
  };
  return { next, gauss, int, pick, poisson };
}
export type Random = ReturnType<typeof seeded>;

export const dayOf = (fleet: Pick<SimulatedFleet, 'origin'>, index: number) => addDays(fleet.origin, index);
export const indexOf = (fleet: Pick<SimulatedFleet, 'origin'>, day: string) => daysBetween(fleet.origin, day);

function drawProfile(rand: Random, modelLine: ModelLine, schedule: ReadingSchedule, summerCarShare: number): DrivingProfile {
  const lowMileage = schedule === 'low-mileage';
  // Garage queens: a quarter of the line's median, less spread between them.
  const baseKmPerYear = lowMileage ? LINE_MEDIAN_KM_PER_YEAR[modelLine] * 0.25 * Math.exp(0.35 * rand.gauss()) : LINE_MEDIAN_KM_PER_YEAR[modelLine] * Math.exp(BETWEEN_CARS_LOG_SIGMA * rand.gauss());
  const kind = rand.next();
  const summer = kind < summerCarShare;
  const winter = !summer && kind < summerCarShare + 0.03;
  return {
    baseKmPerYear,
    seasonAmplitude: summer ? 0.4 : winter ? 0.25 : 0.1 * rand.next(),
    // Summer cars peak in July, winter (ski) cars in January, mild ones anywhere in late spring–summer.
    seasonPeakDayOfYear: winter ? 15 : summer ? 196 + rand.int(-15, 15) : rand.int(120, 240),
    driftPerSqrtYear: 0.15 + 0.1 * rand.next(),
    // Trips are part of the annual rate; low-mileage cars rarely take one.
    tripsPerYear: lowMileage ? 0.2 * rand.next() : 0.5 + 2.5 * rand.next(),
  };
}

/** The true odometer: km at the end of each day, 0 before registration. */
function drive(rand: Random, profile: DrivingProfile, origin: string, purchaseDay: number, days: number): Float64Array {
  const odometer = new Float64Array(days);
  const meanTripKm = 2_000;
  // Everyday driving is what the trips leave of the annual rate (at least 60 % of it).
  const tripsPerYear = Math.min(profile.tripsPerYear, (0.4 * profile.baseKmPerYear) / meanTripKm);
  const everydayPerDay = (profile.baseKmPerYear - tripsPerYear * meanTripKm) / 365;
  const originDayOfYear = daysBetween(`${origin.slice(0, 4)}-01-01`, origin);
  let logDrift = 0;
  let weekFactor = 1;
  let tripDaysLeft = 0;
  let tripKmPerDay = 0;
  let idleDaysLeft = 0;
  const idleSpellsPerYear = 1 + 2 * rand.next();
  odometer[purchaseDay] = rand.int(5, 60); // delivery km
  for (let d = purchaseDay + 1; d < days; d++) {
    if ((d - purchaseDay) % 7 === 1) {
      logDrift += profile.driftPerSqrtYear * Math.sqrt(7 / 365) * rand.gauss();
      // Week-to-week noise (busy weeks, quiet weeks), mean 1.
      weekFactor = Math.exp(0.35 * rand.gauss() - 0.35 ** 2 / 2);
    }
    const dayOfYear = (originDayOfYear + d) % 365;
    const season = 1 + profile.seasonAmplitude * Math.cos((2 * Math.PI * (dayOfYear - profile.seasonPeakDayOfYear)) / 365);
    if (idleDaysLeft === 0 && tripDaysLeft === 0 && rand.next() < idleSpellsPerYear / 365) idleDaysLeft = rand.int(7, 21);
    // Trips follow the car's seasons (a summer car tours in summer).
    if (tripDaysLeft === 0 && idleDaysLeft === 0 && rand.next() < (tripsPerYear * season) / 365) {
      tripDaysLeft = rand.int(2, 6);
      tripKmPerDay = (1_000 + 2_000 * rand.next()) / tripDaysLeft;
    }
    let km = 0;
    if (idleDaysLeft > 0) idleDaysLeft--;
    else if (tripDaysLeft > 0) {
      km = tripKmPerDay;
      tripDaysLeft--;
    } else km = everydayPerDay * season * Math.exp(logDrift) * weekFactor * Math.max(0, 1 + 0.6 * rand.gauss());
    odometer[d] = odometer[d - 1]! + km;
  }
  return odometer;
}

/**
 * The true due day (index) of an item after a service at `last`: the earlier of the
 * calendar date and the day the true odometer reaches the interval. Null when neither
 * falls within the simulated days (the truth is unknown).
 */
export function trueDueDay(fleet: Pick<SimulatedFleet, 'origin' | 'days'>, car: Pick<SimulatedCar, 'odometer'>, item: MaintenanceItem, last: { day: number; km: number }): { day: number; byCalendar: boolean } | null {
  const calendar = indexOf(fleet, addMonths(dayOf(fleet, last.day), item.intervalMonths));
  let distance: number | null = null;
  if (item.intervalKm !== undefined) {
    const dueKm = last.km + item.intervalKm;
    for (let d = last.day; d < fleet.days && d < calendar; d++) {
      if (car.odometer[d]! >= dueKm) {
        distance = d;
        break;
      }
    }
  }
  if (distance !== null) return { day: distance, byCalendar: false };
  return calendar < fleet.days ? { day: calendar, byCalendar: true } : null;
}

/** The km a reading of day `d` shows. */
const readingOf = (fleet: Pick<SimulatedFleet, 'origin'>, odometer: Float64Array, day: number): SimulatedReading => ({ day, km: Math.round(odometer[day]!), readAt: `${dayOf(fleet, day)}T18:00:00.000Z` });

/** A workshop visit's delay against the true due day: most come a little early, some late, a few very late. */
function visitDelay(rand: Random): number {
  const x = rand.next();
  if (x < 0.65) return rand.int(-21, 0);
  if (x < 0.95) return rand.int(1, 45);
  return rand.int(46, 120);
}

/** The service history before the evaluation start, visit by visit (see the module comment). */
function serviceHistory(rand: Random, fleet: Pick<SimulatedFleet, 'origin' | 'days' | 'evaluationDay'>, car: Pick<SimulatedCar, 'odometer' | 'modelLine' | 'powertrain' | 'purchaseDay'>) {
  const items = scheduleFor(car.modelLine, car.powertrain);
  const registration = { day: car.purchaseDay, km: Math.round(car.odometer[car.purchaseDay]!) };
  const current = new Map(items.map((item) => [item.code, registration]));
  const lastServiced: Record<string, { day: number; km: number }> = {};
  const visits: number[] = [];
  let previousVisit = car.purchaseDay;
  for (;;) {
    const dues = items.map((item) => ({ item, due: trueDueDay(fleet, car, item, current.get(item.code)!) }));
    const first = Math.min(...dues.map((d) => d.due?.day ?? Infinity));
    if (!Number.isFinite(first)) break;
    const visit = Math.max(previousVisit + 30, first + visitDelay(rand));
    if (visit >= fleet.evaluationDay) break;
    const done = { day: visit, km: Math.round(car.odometer[visit]!) };
    // The workshop does everything due within two months at the same visit.
    for (const { item, due } of dues) {
      if (due && due.day <= visit + 60) {
        current.set(item.code, done);
        lastServiced[item.code] = done;
      }
    }
    visits.push(visit);
    previousVisit = visit;
  }
  return { lastServiced, visits };
}

function readingDays(rand: Random, schedule: ReadingSchedule, purchaseDay: number, days: number, visits: readonly number[]): number[] {
  const out = new Set<number>([purchaseDay, ...visits]);
  const every = (lo: number, hi: number) => {
    for (let d = purchaseDay + rand.int(lo, hi); d < days; d += rand.int(lo, hi)) out.add(d);
  };
  if (schedule === 'workshop') every(90, 270);
  if (schedule === 'low-mileage') every(300, 450);
  if (schedule === 'telemetry-weekly') every(7, 7);
  if (schedule === 'telemetry-daily') every(1, 1);
  return [...out].sort((a, b) => a - b);
}

export function simulateFleet(options: FleetOptions): SimulatedFleet {
  const { seed = 16, evaluationStart = '2026-04-01', summerCarShare = 0.15, minAgeDays = 400 } = options;
  const mix = Object.entries({ ...DEFAULT_MIX, ...options.mix }).filter(([, w]) => w > 0) as [ReadingSchedule, number][];
  const rand = seeded(seed);
  const origin = addMonths(evaluationStart, -ORIGIN_MONTHS_BEFORE);
  const evaluationDay = daysBetween(origin, evaluationStart);
  const days = evaluationDay + DAYS_AFTER_EVALUATION;
  const fleet: SimulatedFleet = { origin, evaluationDay, days, cars: [] };
  for (let id = 0; id < options.cars; id++) {
    const modelLine = rand.pick(LINE_WEIGHTS);
    const shares = Object.entries(POWERTRAIN_SHARES[modelLine]) as [Powertrain, number][];
    const powertrain = rand.pick([...shares, ['PETROL', Math.max(0, 1 - shares.reduce((s, [, w]) => s + w, 0))] as const]);
    const schedule = rand.pick(mix);
    // Registration-only cars are new (2–12 months old); the others 400 days to 3 years.
    const purchaseDay = schedule === 'registration' ? evaluationDay - rand.int(60, 360) : rand.int(0, Math.max(0, evaluationDay - minAgeDays));
    const profile = drawProfile(rand, modelLine, schedule, summerCarShare);
    const odometer = drive(rand, profile, origin, purchaseDay, days);
    const { lastServiced, visits } = serviceHistory(rand, fleet, { odometer, modelLine, powertrain, purchaseDay });
    // After the evaluation start a registration car is read only at its (unsimulated) visit: never.
    const readings = readingDays(rand, schedule, purchaseDay, schedule === 'registration' ? evaluationDay : days, visits).map((d) => readingOf(fleet, odometer, d));
    fleet.cars.push({ id, modelLine, powertrain, schedule, purchaseDay, odometer, readings, lastServiced, visits, profile });
  }
  return fleet;
}

/** A reading of the car's true odometer on `day` (an owner answering a request). */
export const trueReading = (fleet: Pick<SimulatedFleet, 'origin'>, car: Pick<SimulatedCar, 'odometer'>, day: number): SimulatedReading => readingOf(fleet, car.odometer, day);
