import type { ModelLine } from '../../src/catalogue/model-lines.js';
import { learnFleetRates } from '../../src/fleet-rates/fleet-learning.js';
import { DEFAULT_KM_PER_YEAR, type FleetRates } from '../../src/fleet-rates/fleet-rates.js';
import { addDays, addMonths, daysBetween } from '../../src/service/calendar.js';
import { scheduleFor } from '../../src/service/maintenance-catalogue.js';
import { dueWindowOf, itemsDueBy, planService, type ReadingPoint, type ServicePlan } from '../../src/service/prediction.js';

/**
 * A simulated fleet whose true mileage is known, to judge reminder timing (pure: no table).
 *
 * Each car drives a true daily odometer over four years: a base rate per model line
 * (log-normal, σ 0.45), its own seasons (one car in five a summer car, ±40 %; the others
 * ±0–10 %), habits that drift (a random walk of 0.2 per √year in the log rate), day-to-day
 * noise, up to two long trips a year (300–1,500 km over 2–5 days) and two idle weeks. Readings arrive
 * by kind: `workshop` cars every 3–9 months, `registration` cars only at registration and
 * at their services, `telemetry` cars weekly. Every car's oil service was last done at a
 * visit (which records a reading); its true due date is the earlier of the calendar and
 * the day the true odometer passes the interval.
 *
 * The evaluator replays the reminders job day by day with the real planner: the day R the
 * car's reminder goes out (the first day an item's anchor is within 14 days) against the
 * true due date D. Within target: D − R ∈ [11, 17]; late: R > D. Optionally the owner
 * answers the job's reading request (wide window, reading older than 14 days, anchor within
 * 28 days, once) with probability `answerRate`, within five days.
 */
export type ReadingKind = 'workshop' | 'registration' | 'telemetry';
export type Category = 'calendar' | 'distance-own-readings' | 'distance-cohort' | 'telemetry';

export interface SimulatedCar {
  id: number;
  modelLine: ModelLine;
  kind: ReadingKind;
  /** True odometer at the end of each day since `start`. */
  odometer: Float64Array;
  readings: ReadingPoint[];
  /** Day index of the last oil service and the km it was done at. */
  lastService: { day: number; km: number };
  /** True due day of the oil service (index). */
  trueDue: number;
  /** Whether the calendar, not the distance, made it due first. */
  byCalendar: boolean;
  seasonalAmplitude: number;
}

export interface FleetOptions {
  cars: number;
  seed?: number;
  /** Share of cars per reading kind. */
  mix?: Record<ReadingKind, number>;
}

export const SIMULATION_START = '2023-01-01';
/** The evaluation starts three years in: every car has history by then. */
export const EVALUATION_DAY = 3 * 365;
const DAYS = 4 * 365 + 200;
const OIL = { months: 12, km: 15_000 };

const PETROL_LINES: ModelLine[] = ['NINE_ELEVEN', 'SEVEN_EIGHTEEN', 'PANAMERA', 'MACAN', 'CAYENNE'];

export function random(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    // xorshift32: fast, seeded, good enough for a simulation
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  return { next, gauss, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
}

const dayOf = (index: number) => addDays(SIMULATION_START, index);
const readingAt = (car: { odometer: Float64Array }, index: number, hour = 10): ReadingPoint => ({ km: Math.round(car.odometer[index]!), readAt: `${dayOf(index)}T${String(hour).padStart(2, '0')}:00:00.000Z` });

function trajectory(rand: ReturnType<typeof random>, modelLine: ModelLine): { odometer: Float64Array; amplitude: number } {
  const base = DEFAULT_KM_PER_YEAR[modelLine] * Math.exp(0.45 * rand.gauss());
  const amplitude = rand.next() < 0.2 ? 0.4 : 0.1 * rand.next();
  const tripsPerYear = rand.next() * 2;
  const idleStart = rand.int(0, 364);
  const odometer = new Float64Array(DAYS);
  let logDrift = 0;
  let tripDaysLeft = 0;
  let tripKmPerDay = 0;
  for (let d = 1; d < DAYS; d++) {
    if (d % 7 === 0) logDrift += 0.2 * Math.sqrt(7 / 365) * rand.gauss();
    const month = new Date(Date.parse(`${SIMULATION_START}T00:00:00Z`) + d * 86_400_000).getUTCMonth();
    const season = 1 + amplitude * Math.cos(((month - 6) / 12) * 2 * Math.PI);
    const idle = (d - idleStart + 365 * 10) % 365 < 14;
    let km = idle ? 0 : (base / 365) * season * Math.exp(logDrift) * Math.max(0, 1 + 0.6 * rand.gauss());
    // A long trip: 300–1,500 km over 2–5 days (a weekend in the Alps, a drive to the coast).
    if (tripDaysLeft === 0 && rand.next() < tripsPerYear / 365) {
      tripDaysLeft = rand.int(2, 5);
      tripKmPerDay = (300 + 1_200 * rand.next()) / tripDaysLeft;
    }
    if (tripDaysLeft > 0) {
      km += tripKmPerDay;
      tripDaysLeft--;
    }
    odometer[d] = odometer[d - 1]! + km;
  }
  return { odometer, amplitude };
}

export function simulateFleet({ cars, seed = 16, mix = { workshop: 0.5, registration: 0.2, telemetry: 0.3 } }: FleetOptions): SimulatedCar[] {
  const rand = random(seed);
  const fleet: SimulatedCar[] = [];
  for (let id = 0; id < cars; id++) {
    const modelLine = PETROL_LINES[id % PETROL_LINES.length]!;
    const pick = rand.next();
    const kind: ReadingKind = pick < mix.workshop ? 'workshop' : pick < mix.workshop + mix.registration ? 'registration' : 'telemetry';
    const { odometer, amplitude } = trajectory(rand, modelLine);
    // The last oil service: 4–13 months before the evaluation starts.
    const serviceDay = EVALUATION_DAY - rand.int(120, 395);
    const lastService = { day: serviceDay, km: Math.round(odometer[serviceDay]!) };
    const calendarDue = daysBetween(SIMULATION_START, addMonths(dayOf(serviceDay), OIL.months));
    const distanceDue = odometer.findIndex((km) => km >= lastService.km + OIL.km);
    const trueDue = distanceDue === -1 ? calendarDue : Math.min(calendarDue, distanceDue);
    const car = { odometer };
    const readings: ReadingPoint[] = [readingAt(car, 0)];
    if (kind === 'workshop') for (let d = rand.int(90, 270); d < DAYS; d += rand.int(90, 270)) readings.push(readingAt(car, d));
    if (kind === 'telemetry') for (let d = 7; d < DAYS; d += 7) readings.push(readingAt(car, d, 6));
    readings.push(readingAt(car, serviceDay, 12)); // the visit records the odometer
    readings.sort((a, b) => a.readAt.localeCompare(b.readAt));
    fleet.push({ id, modelLine, kind, odometer, readings, lastService, trueDue, byCalendar: trueDue === calendarDue, seasonalAmplitude: amplitude });
  }
  return fleet;
}

/** The fleet's learned rates as the nightly job would compute them (from each car's own plan at `day`). */
export function learnedRates(fleet: readonly SimulatedCar[], day: number): FleetRates {
  const cars = fleet.map((car) => {
    const plan = planService({ modelLine: car.modelLine, powertrain: 'PETROL', purchaseDate: SIMULATION_START, readings: known(car, day), lastServiced: {} });
    return { modelLine: car.modelLine, powertrain: 'PETROL' as const, servicingDealerId: 'D1', rate: plan.rate };
  });
  return { version: 1, ...learnFleetRates(cars, { D1: 'DE' }, '2026-01-01T00:00:00.000Z', 20) };
}

const known = (car: SimulatedCar, day: number) => car.readings.filter((r) => r.readAt.slice(0, 10) <= dayOf(day));

export function categoryOf(car: SimulatedCar): Category {
  if (car.byCalendar) return 'calendar';
  if (car.kind === 'telemetry') return 'telemetry';
  return car.kind === 'workshop' ? 'distance-own-readings' : 'distance-cohort';
}

export interface Judgement {
  car: SimulatedCar;
  category: Category;
  /** Day index the reminder went out; null: never before D + 30. */
  remindedOn: number | null;
  /** D − R in days. */
  leadDays: number | null;
  outcome: 'within' | 'early' | 'short' | 'late' | 'never';
  /** At the evaluation day: the oil item's stated confidence and whether the true date fell in its window. */
  window: { confidence: number; covered: boolean };
  readingRequested: boolean;
}

function plan(car: SimulatedCar, day: number, fleet: FleetRates | null): ServicePlan {
  // The other items were done when the evaluation starts: the oil service is the one judged.
  const oil = { date: dayOf(car.lastService.day), km: car.lastService.km };
  const others = { date: dayOf(EVALUATION_DAY), km: Math.round(car.odometer[EVALUATION_DAY]!) };
  const lastServiced = Object.fromEntries(scheduleFor(car.modelLine, 'PETROL').map((item) => [item.code, item.code === 'OIL_SERVICE' ? oil : others]));
  return planService({ modelLine: car.modelLine, powertrain: 'PETROL', purchaseDate: SIMULATION_START, readings: known(car, day), lastServiced, fleet, country: 'DE' });
}

/**
 * Replays one car from the evaluation day. The plan changes only when a reading arrives,
 * so between readings the reminder day is simply max(today, anchor − 14).
 */
export function judge(car: SimulatedCar, fleet: FleetRates | null, { answerRate = 0, rand = random(car.id + 1) } = {}): Judgement {
  const oilOf = (p: ServicePlan) => p.items.find((i) => i.code === 'OIL_SERVICE')!;
  const atStart = oilOf(plan(car, EVALUATION_DAY, fleet));
  const window = dueWindowOf(atStart);
  const truth = dayOf(car.trueDue);
  let remindedOn: number | null = null;
  let requested = false;
  let current = plan(car, EVALUATION_DAY, fleet);
  let readingsKnown = known(car, EVALUATION_DAY).length;
  for (let day = EVALUATION_DAY; day <= car.trueDue + 30 && remindedOn === null; day++) {
    // The plan changes only when a reading arrives (as in the table: it is stored with each reading).
    const now = known(car, day).length;
    if (now !== readingsKnown) {
      readingsKnown = now;
      current = plan(car, day, fleet);
    }
    if (itemsDueBy(current.items, dayOf(day)).some((i) => i.code === 'OIL_SERVICE')) {
      remindedOn = day;
      break;
    }
    if (answerRate > 0 && !requested) {
      const oil = oilOf(current);
      const w = dueWindowOf(oil);
      const lastRead = known(car, day).at(-1)!.readAt.slice(0, 10);
      if (daysBetween(w.earliest, w.latest) > 6 && daysBetween(lastRead, dayOf(day)) > 14 && (oil.earlyDue ?? oil.dueDate) <= dayOf(day + 28)) {
        requested = true;
        if (rand.next() < answerRate) {
          car.readings.push(readingAt(car, day + rand.int(0, 5), 19));
          car.readings.sort((a, b) => a.readAt.localeCompare(b.readAt));
        }
      }
    }
  }
  const leadDays = remindedOn === null ? null : car.trueDue - remindedOn;
  const outcome = leadDays === null ? 'never' : leadDays < 0 ? 'late' : leadDays < 11 ? 'short' : leadDays > 17 ? 'early' : 'within';
  return { car, category: categoryOf(car), remindedOn, leadDays, outcome, window: { confidence: atStart.confidence, covered: window.earliest <= truth && truth <= window.latest }, readingRequested: requested };
}

/** Cars truly due 14–119 days after the evaluation starts (the judging window). */
export const judged = (fleet: readonly SimulatedCar[]) => fleet.filter((car) => car.trueDue >= EVALUATION_DAY + 14 && car.trueDue <= EVALUATION_DAY + 119);

export interface CategoryFigures {
  cars: number;
  within: number;
  late: number;
  early: number;
  short: number;
  never: number;
  medianLeadDays: number | null;
}

export function summarise(judgements: readonly Judgement[]): Record<Category | 'all', CategoryFigures> {
  const categories: (Category | 'all')[] = ['calendar', 'distance-own-readings', 'distance-cohort', 'telemetry', 'all'];
  return Object.fromEntries(
    categories.map((category) => {
      const of = judgements.filter((j) => category === 'all' || j.category === category);
      const share = (outcome: Judgement['outcome']) => (of.length ? of.filter((j) => j.outcome === outcome).length / of.length : 0);
      const leads = of.flatMap((j) => (j.leadDays === null ? [] : [j.leadDays])).sort((a, b) => a - b);
      return [category, { cars: of.length, within: share('within'), late: share('late'), early: share('early'), short: share('short'), never: share('never'), medianLeadDays: leads.length ? leads[leads.length >> 1]! : null }];
    }),
  ) as Record<Category | 'all', CategoryFigures>;
}

/** Coverage of the stated windows, bucketed by stated confidence. */
export function calibration(judgements: readonly Judgement[]): { bucket: string; items: number; stated: number; covered: number }[] {
  const buckets = [
    { bucket: '0.8 (distance window)', test: (c: number) => c === 0.8 },
    { bucket: '0.9 (calendar caps the window)', test: (c: number) => c === 0.9 },
    { bucket: '< 0.8 / other', test: (c: number) => c < 0.8 || (c > 0.8 && c < 0.9) || (c > 0.9 && c < 1) },
    { bucket: '1 (fixed date)', test: (c: number) => c === 1 },
  ];
  return buckets.map(({ bucket, test }) => {
    const of = judgements.filter((j) => test(j.window.confidence));
    return { bucket, items: of.length, stated: of.length ? of.reduce((s, j) => s + j.window.confidence, 0) / of.length : 0, covered: of.length ? of.filter((j) => j.window.covered).length / of.length : 0 };
  });
}
