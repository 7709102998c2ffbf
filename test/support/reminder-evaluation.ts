import { learnFleetRates } from '../../src/fleet-rates/fleet-learning.js';
import type { FleetRates } from '../../src/fleet-rates/fleet-rates.js';
import { anchorItem, isWideWindow, READING_FRESH_DAYS, READING_REQUEST_LEAD_DAYS } from '../../src/reminder/reading-request.js';
import { scheduleFor } from '../../src/service/maintenance-catalogue.js';
import { normalCdf } from '../../src/service/mileage-model.js';
import { dueByProbability, dueWindowOf, itemsDueBy, planService, reminderAnchor, REMINDER_LEAD_DAYS, type ItemPrediction, type LastService, type ServicePlan } from '../../src/service/prediction.js';
import { dayOf, indexOf, seeded, trueDueDay, trueReading, type ReadingSchedule, type SimulatedCar, type SimulatedFleet, type SimulatedReading } from './simulated-fleet.js';

/**
 * Judges reminder timing against a simulated fleet's true mileage (`simulated-fleet.ts`),
 * with the real planner and no table: pure CPU.
 *
 * Per car, time is replayed day by day from the evaluation start. The reminders job runs
 * each morning on the plan stored with the readings known by then (a reading taken on
 * day d is known from day d + 1), planned with the fleet's learned rates as the prior —
 * learned from the simulated cars themselves, as the nightly job would. The reminder goes
 * out on the first day R some item's reminder anchor is within 14 days (`itemsDueBy`).
 * The truth: the first day D an item is truly due (calendar, or the true odometer passing
 * the interval). Outcomes: within (D − R ∈ [11, 17]), short (on time but under 11 days'
 * notice), early (D − R > 17), late (R > D), never (no reminder by D + 30).
 *
 * Only cars truly due in [start + 14, start + 119] are judged (the issue's window: a car
 * due sooner was reminded before the start). Optionally owners answer the job's reading
 * request (wide window, last reading older than 14 days, anchor within 28 days, once per
 * cycle) with probability `answerRate`, 0–5 days later, with the true odometer.
 *
 * The plan's stated windows are checked too: at the evaluation start, for every distance
 * item of every car, whether the true due date lies in [earliest, latest], against the
 * confidence it states, and where the truth falls in the stated distribution (PIT).
 */
export type Category = 'calendar-bound' | 'distance-own-readings' | 'distance-cohort' | 'telemetry';
export const CATEGORIES: readonly Category[] = ['calendar-bound', 'distance-own-readings', 'distance-cohort', 'telemetry'];
export type Outcome = 'within' | 'short' | 'early' | 'late' | 'never';

/** What the plan reads: the newest readings only (`odometer-repository.ts` PLAN_READINGS). */
export const PLAN_READINGS = 400;
const COUNTRY = 'DE';
const DEALER = 'D1';

export interface Judgement {
  carId: number;
  schedule: ReadingSchedule;
  category: Category;
  /** True due day (index) of the first item truly due, and the items due that day. */
  trueDue: number;
  firstCodes: string[];
  remindedOn: number | null;
  /** D − R. */
  leadDays: number | null;
  outcome: Outcome;
  /** The items the reminder named, and whether a truly-first item was among them. */
  remindedCodes: string[];
  includesFirst: boolean;
  readingRequested: boolean;
  readingAnswered: boolean;
}

export interface WindowCheck {
  carId: number;
  code: string;
  category: Category | 'not-judged';
  schedule: ReadingSchedule;
  /** Days from the evaluation start to the stated likely date. */
  horizonDays: number;
  confidence: number;
  covered: boolean;
  /** P(due ≤ true day) under the stated distribution (uniform on 0–1 if calibrated). */
  pit: number;
  /** A reminder sent REMINDER_LEAD_DAYS before the item's anchor would have been late. */
  lateAtAnchor: boolean;
}

export interface EvaluationOptions {
  /** The prior; default: learned from the fleet's own cars at the evaluation start. */
  rates?: FleetRates | null;
  answerRate?: number;
  seed?: number;
  judgeFrom?: number;
  judgeTo?: number;
  /** Readings a plan reads (default as deployed, {@link PLAN_READINGS}); Infinity: all. */
  planReadings?: number;
}

export interface Evaluation {
  rates: FleetRates | null;
  judgements: Judgement[];
  windows: WindowCheck[];
}

const toLast = (fleet: SimulatedFleet, last: { day: number; km: number }): LastService => ({ date: dayOf(fleet, last.day), km: last.km });

/** The car's plan as the job sees it on `day` (readings taken before that day; the newest {@link PLAN_READINGS}). */
export function planOn(fleet: SimulatedFleet, car: SimulatedCar, readings: readonly SimulatedReading[], day: number, rates: FleetRates | null, planReadings = PLAN_READINGS): ServicePlan {
  const known = readings.filter((r) => r.day < day).slice(-planReadings);
  return planService({
    modelLine: car.modelLine,
    powertrain: car.powertrain,
    purchaseDate: dayOf(fleet, car.purchaseDay),
    readings: known,
    lastServiced: Object.fromEntries(Object.entries(car.lastServiced).map(([code, last]) => [code, toLast(fleet, last)])),
    fleet: rates,
    country: COUNTRY,
    // As registration stores it: items never done count from here, however few readings a plan reads.
    registrationOdometerKm: readings[0] ? Math.round(readings[0].km) : undefined,
  });
}

/**
 * The fleet's rates as the nightly job would learn them on `day`: each car's own plan rate
 * (computed against the table default), from the cars with a year or more of readings, per
 * line × powertrain (× country), median and 1.4826 × MAD of the logs (`learnFleetRates`).
 */
export function learnRatesFromSimulation(fleet: SimulatedFleet, day = fleet.evaluationDay): FleetRates {
  const cars = fleet.cars.flatMap((car) => {
    const known = car.readings.filter((r) => r.day < day);
    if (known.length < 2 || known.at(-1)!.day - known[0]!.day < 365) return [];
    const plan = planOn(fleet, car, car.readings, day, null);
    return [{ modelLine: car.modelLine, powertrain: car.powertrain, servicingDealerId: DEALER, rate: plan.rate }];
  });
  return { version: 1, ...learnFleetRates(cars, { [DEALER]: COUNTRY }, `${dayOf(fleet, day)}T01:00:00.000Z`, 20) };
}

/** Each scheduled item's true due day from the car's state at the evaluation start. */
function trueDues(fleet: SimulatedFleet, car: SimulatedCar) {
  const registration = car.readings[0]!;
  return scheduleFor(car.modelLine, car.powertrain).map((item) => ({ item, due: trueDueDay(fleet, car, item, car.lastServiced[item.code] ?? { day: car.purchaseDay, km: registration.km }) }));
}

function categoryOf(fleet: SimulatedFleet, car: SimulatedCar, byCalendar: boolean): Category {
  if (byCalendar) return 'calendar-bound';
  if (car.schedule.startsWith('telemetry')) return 'telemetry';
  return car.readings.filter((r) => r.day < fleet.evaluationDay).length <= 1 ? 'distance-cohort' : 'distance-own-readings';
}

function outcomeOf(leadDays: number | null): Outcome {
  if (leadDays === null) return 'never';
  if (leadDays < 0) return 'late';
  if (leadDays < 11) return 'short';
  return leadDays > 17 ? 'early' : 'within';
}

/**
 * Replays one car. The plan changes only when a reading arrives, so between arrivals the
 * reminder day is max(today, anchor − 14) and the request day max(today, anchor − 28,
 * last reading + 15): the replay jumps from event to event, and equals a day-by-day one.
 */
function replay(fleet: SimulatedFleet, car: SimulatedCar, rates: FleetRates | null, trueDue: number, answerRate: number, rand: ReturnType<typeof seeded>, planReadings: number) {
  const readings = [...car.readings];
  const limit = trueDue + 30;
  let day = fleet.evaluationDay;
  let requested = false;
  let answered = false;
  while (day <= limit) {
    const plan = planOn(fleet, car, readings, day, rates, planReadings);
    const anchorAt = anchorItem(plan.items);
    if (!anchorAt) return { remindedOn: null, plan, requested, answered };
    const anchor = indexOf(fleet, reminderAnchor(anchorAt));
    const remindOn = Math.max(day, anchor - REMINDER_LEAD_DAYS);
    const pending = readings.find((r) => r.day >= day);
    const nextArrival = pending ? pending.day + 1 : Infinity;
    if (answerRate > 0 && !requested && isWideWindow(dueWindowOf(anchorAt))) {
      const lastRead = readings.filter((r) => r.day < day).at(-1)!.day;
      const askOn = Math.max(day, anchor - REMINDER_LEAD_DAYS - READING_REQUEST_LEAD_DAYS, lastRead + READING_FRESH_DAYS + 1);
      if (askOn < remindOn && askOn < nextArrival && askOn <= limit) {
        requested = true;
        if (rand.next() < answerRate) {
          answered = true;
          const answer = { ...trueReading(fleet, car, askOn + rand.int(0, 5)), readAt: '' };
          answer.readAt = `${dayOf(fleet, answer.day)}T19:00:00.000Z`;
          readings.push(answer);
          readings.sort((a, b) => a.day - b.day || a.readAt.localeCompare(b.readAt));
        }
        day = askOn + 1;
        continue;
      }
    }
    if (remindOn < nextArrival) return { remindedOn: remindOn <= limit ? remindOn : null, plan, requested, answered };
    day = nextArrival;
  }
  return { remindedOn: null, plan: null, requested, answered };
}

export function evaluateReminders(fleet: SimulatedFleet, options: EvaluationOptions = {}): Evaluation {
  const { answerRate = 0, seed = 7, judgeFrom = 14, judgeTo = 119, planReadings = PLAN_READINGS } = options;
  const rates = options.rates === undefined ? learnRatesFromSimulation(fleet) : options.rates;
  const rand = seeded(seed);
  const judgements: Judgement[] = [];
  const windows: WindowCheck[] = [];
  const start = fleet.evaluationDay;
  for (const car of fleet.cars) {
    const dues = trueDues(fleet, car);
    const known = dues.filter((d) => d.due !== null);
    const trueDue = Math.min(...known.map((d) => d.due!.day));
    const first = known.filter((d) => d.due!.day === trueDue);
    const judged = trueDue >= start + judgeFrom && trueDue <= start + judgeTo;
    const category = categoryOf(fleet, car, first.every((d) => d.due!.byCalendar));

    // Windows at the start: every distance item with a distribution (not a fixed date).
    const atStart = planOn(fleet, car, car.readings, start, rates, planReadings);
    for (const item of atStart.items) {
      const truth = dues.find((d) => d.item.code === item.code)?.due;
      if (!truth || item.confidence >= 1 || item.dueOdometerKm === undefined) continue;
      windows.push(windowCheck(fleet, car, item, truth.day, judged ? category : 'not-judged'));
    }
    if (!judged) continue;

    const { remindedOn, plan, requested, answered } = replay(fleet, car, rates, trueDue, answerRate, rand, planReadings);
    const remindedCodes = remindedOn !== null && plan ? itemsDueBy(plan.items, dayOf(fleet, remindedOn)).map((i) => i.code) : [];
    const leadDays = remindedOn === null ? null : trueDue - remindedOn;
    judgements.push({
      carId: car.id,
      schedule: car.schedule,
      category,
      trueDue,
      firstCodes: first.map((d) => d.item.code),
      remindedOn,
      leadDays,
      outcome: outcomeOf(leadDays),
      remindedCodes,
      includesFirst: first.some((d) => remindedCodes.includes(d.item.code)),
      readingRequested: requested,
      readingAnswered: answered,
    });
  }
  return { rates, judgements, windows };
}

function windowCheck(fleet: SimulatedFleet, car: SimulatedCar, item: ItemPrediction, truthDay: number, category: WindowCheck['category']): WindowCheck {
  const window = dueWindowOf(item);
  const truth = dayOf(fleet, truthDay);
  // Mid-point of the day's probability step: a discrete truth on a continuous scale.
  const pit = (dueByProbability(item, dayOf(fleet, truthDay - 1)) + dueByProbability(item, truth)) / 2;
  return {
    carId: car.id,
    code: item.code,
    category,
    schedule: car.schedule,
    horizonDays: indexOf(fleet, window.likely) - fleet.evaluationDay,
    confidence: item.confidence,
    covered: window.earliest <= truth && truth <= window.latest,
    pit,
    lateAtAnchor: truthDay < indexOf(fleet, reminderAnchor(item)) - REMINDER_LEAD_DAYS,
  };
}

export interface Figures {
  cars: number;
  within: number;
  short: number;
  early: number;
  late: number;
  never: number;
  medianLeadDays: number | null;
  /** Share of reminders naming a truly-first item. */
  includesFirst: number;
  requested: number;
  answered: number;
}

const share = (of: readonly unknown[], n: number) => (of.length ? n / of.length : 0);

export function summarise(judgements: readonly Judgement[]): Record<Category | 'all', Figures> {
  const out = {} as Record<Category | 'all', Figures>;
  for (const category of [...CATEGORIES, 'all'] as const) {
    const of = judgements.filter((j) => category === 'all' || j.category === category);
    const count = (outcome: Outcome) => share(of, of.filter((j) => j.outcome === outcome).length);
    const leads = of.flatMap((j) => (j.leadDays === null ? [] : [j.leadDays])).sort((a, b) => a - b);
    const reminded = of.filter((j) => j.remindedOn !== null);
    out[category] = {
      cars: of.length,
      within: count('within'),
      short: count('short'),
      early: count('early'),
      late: count('late'),
      never: count('never'),
      medianLeadDays: leads.length ? leads[(leads.length - 1) >> 1]! : null,
      includesFirst: share(reminded, reminded.filter((j) => j.includesFirst).length),
      requested: of.filter((j) => j.readingRequested).length,
      answered: of.filter((j) => j.readingAnswered).length,
    };
  }
  return out;
}

/** Standard normal quantile by bisection on Φ (precision far beyond what a PIT needs). */
function probit(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  let lo = -6;
  let hi = 6;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface CalibrationRow {
  bucket: string;
  items: number;
  /** Mean stated confidence. */
  stated: number;
  /** Share of true dates inside the window. */
  covered: number;
  /** Share of true dates before / after the window. */
  before: number;
  after: number;
  /** Mean and robust σ of Φ⁻¹(PIT): 0 and 1 if calibrated; σ > 1 means the stated spread is too narrow by that factor. */
  zMean: number;
  zSigma: number;
  /** Share of items whose reminder at the anchor − 14 days would have been late (the model allows 1 %). */
  lateAtAnchor: number;
}

function row(bucket: string, of: readonly WindowCheck[]): CalibrationRow {
  const z = of.map((w) => probit(w.pit)).sort((a, b) => a - b);
  const mid = z.length ? z[(z.length - 1) >> 1]! : 0;
  const mad = [...z.map((v) => Math.abs(v - mid))].sort((a, b) => a - b);
  return {
    bucket,
    items: of.length,
    stated: of.length ? of.reduce((s, w) => s + w.confidence, 0) / of.length : 0,
    covered: share(of, of.filter((w) => w.covered).length),
    before: share(of, of.filter((w) => !w.covered && w.pit < 0.5).length),
    after: share(of, of.filter((w) => !w.covered && w.pit >= 0.5).length),
    zMean: z.length ? z.reduce((s, v) => s + v, 0) / z.length : 0,
    zSigma: mad.length ? 1.4826 * mad[(mad.length - 1) >> 1]! : 0,
    lateAtAnchor: share(of, of.filter((w) => w.lateAtAnchor).length),
  };
}

/** Coverage by stated confidence, then (for the plain 0.8 distance windows) by horizon and by reading schedule. */
export function calibrate(windows: readonly WindowCheck[]): CalibrationRow[] {
  const byConfidence: [string, (c: number) => boolean][] = [
    ['conf < 0.5 (calendar likely first)', (c) => c < 0.5],
    ['conf 0.5–0.75', (c) => c >= 0.5 && c < 0.75],
    ['conf 0.8 (distance window)', (c) => c >= 0.75 && c <= 0.85],
    ['conf 0.85–0.95 (0.9: capped)', (c) => c > 0.85 && c <= 0.95],
    ['conf 0.95–0.99', (c) => c > 0.95 && c < 1],
  ];
  const plain = windows.filter((w) => w.confidence >= 0.75 && w.confidence <= 0.85);
  const byHorizon: [string, (h: number) => boolean][] = [
    ['  0.8, likely ≤ 120 d ahead', (h) => h <= 120],
    ['  0.8, likely 121–365 d', (h) => h > 120 && h <= 365],
    ['  0.8, likely > 365 d', (h) => h > 365],
  ];
  const schedules: ReadingSchedule[] = ['workshop', 'registration', 'telemetry-weekly', 'telemetry-daily', 'low-mileage'];
  return [
    ...byConfidence.map(([bucket, test]) => row(bucket, windows.filter((w) => test(w.confidence)))),
    ...byHorizon.map(([bucket, test]) => row(bucket, plain.filter((w) => test(w.horizonDays)))),
    ...schedules.map((s) => row(`  0.8, ${s}`, plain.filter((w) => w.schedule === s))),
  ].filter((r) => r.items > 0);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);

/** The figures as a compact table (the bench prints it; the test logs it). */
export function formatEvaluation(evaluation: Evaluation, title: string): string[] {
  const figures = summarise(evaluation.judgements);
  const lines = [title, `  ${'category'.padEnd(22)}${'cars'.padStart(6)}${'14±3'.padStart(7)}${'short'.padStart(7)}${'early'.padStart(7)}${'late'.padStart(7)}${'never'.padStart(7)}${'lead p50'.padStart(9)}${'1st item'.padStart(9)}${'asked'.padStart(7)}${'answd'.padStart(6)}`];
  for (const category of [...CATEGORIES, 'all'] as const) {
    const f = figures[category];
    lines.push(`  ${category.padEnd(22)}${String(f.cars).padStart(6)}${pct(f.within)}${pct(f.short)}${pct(f.early)}${pct(f.late)}${pct(f.never)}${String(f.medianLeadDays ?? '–').padStart(9)}${pct(f.includesFirst).padStart(9)}${String(f.requested).padStart(7)}${String(f.answered).padStart(6)}`);
  }
  return lines;
}

export function formatCalibration(windows: readonly WindowCheck[]): string[] {
  const lines = [`  ${'window bucket (at the start)'.padEnd(38)}${'items'.padStart(6)}${'stated'.padStart(8)}${'held'.padStart(7)}${'before'.padStart(8)}${'after'.padStart(7)}${'z mean'.padStart(8)}${'z σ'.padStart(6)}${'late@anchor'.padStart(12)}`];
  for (const r of calibrate(windows)) {
    lines.push(`  ${r.bucket.padEnd(38)}${String(r.items).padStart(6)}${r.stated.toFixed(2).padStart(8)}${pct(r.covered)}${pct(r.before).padStart(8)}${pct(r.after)}${r.zMean.toFixed(2).padStart(8)}${r.zSigma.toFixed(2).padStart(6)}${pct(r.lateAtAnchor).padStart(12)}`);
  }
  return lines;
}

/** The same figures by reading schedule (a calendar-bound car counts under its schedule here). */
export function formatBySchedule(evaluation: Evaluation): string[] {
  const schedules: ReadingSchedule[] = ['workshop', 'registration', 'telemetry-weekly', 'telemetry-daily', 'low-mileage'];
  const lines = [`  ${'by schedule'.padEnd(22)}${'cars'.padStart(6)}${'14±3'.padStart(7)}${'short'.padStart(7)}${'early'.padStart(7)}${'late'.padStart(7)}${'never'.padStart(7)}${'lead p50'.padStart(9)}`];
  for (const schedule of schedules) {
    const f = summarise(evaluation.judgements.filter((j) => j.schedule === schedule)).all;
    if (f.cars) lines.push(`  ${schedule.padEnd(22)}${String(f.cars).padStart(6)}${pct(f.within)}${pct(f.short)}${pct(f.early)}${pct(f.late)}${pct(f.never)}${String(f.medianLeadDays ?? '–').padStart(9)}`);
  }
  return lines;
}
