import type { ModelLine, Powertrain } from '../catalogue/model-lines.js';
import type { FleetRates } from '../fleet-rates/fleet-rates.js';
import { cohortFor, sohTrendFor } from '../fleet-rates/fleet-rates.js';
import type { BatteryHealth } from '../vehicle/vehicle.js';
import { addDays, addMonths, dayToMs, daysBetween, msToDay, toDay } from './calendar.js';
import { scheduleFor } from './maintenance-catalogue.js';
import { dayReaching, daysFromLastReading, estimateRate, normalCdf, projectionSigma, rateToReachBy, Z, type RateModel } from './mileage-model.js';

/**
 * Maintenance prediction: pure functions, no I/O.
 *
 * For each scheduled item the next due date is the earlier of
 * - the calendar due date (last performed + interval months), and
 * - the day the odometer reaches the distance due (last performed km + interval km),
 *   projected from the car's rate model (`mileage-model.ts`): a log-normal rate whose
 *   spread grows with the projection, so the due date is a distribution, not a point.
 * Each item carries its window (p10 / p50 / p90 dates), the model's probability that the
 * true date lies in it (`confidence`), and the early quantile the reminder aims at
 * (`earlyDue`, see `reminderAnchorDate`): lateness is rare by construction.
 */
export interface ReadingPoint {
  km: number;
  readAt: string;
}

export interface LastService {
  /** Day performed, `YYYY-MM-DD`. */
  date: string;
  km: number;
}

export type DueBasis = 'CALENDAR' | 'MILEAGE';

/** Where the true due date lies: p10, p50 and p90 dates. */
export interface DueWindow {
  earliest: string;
  likely: string;
  latest: string;
}

export interface ItemPrediction {
  code: string;
  /** The likely (median) due date: what lists and the dealer's index sort by. */
  dueDate: string;
  /** The odometer at which the item is due; absent for time-only items. */
  dueOdometerKm?: number;
  basis: DueBasis;
  /** The model's probability that the true due date lies in `dueWindow` (1 for a fixed date or a distance already reached). */
  confidence: number;
  /** Absent only on plans stored before due windows (read through {@link dueWindowOf}). */
  dueWindow?: DueWindow;
  /** The calendar date when it caps the window (the distance may come first, but the item is due by then at the latest). */
  calendarCap?: string;
  /** The date the reminder aims at, ≤ the likely date: it goes out {@link REMINDER_LEAD_DAYS} before (see `reminderAnchorDate`). */
  earlyDue?: string;
}

export interface MileageEstimate {
  /** Median annual rate. */
  kmPerYear: number;
  /** HISTORY: the car's own readings (combined with its cohort); COHORT: the fleet's learned rate; FLEET_DEFAULT: the table. */
  source: 'HISTORY' | 'COHORT' | 'FLEET_DEFAULT';
  /** 0–1: the car's own share of the estimate. */
  quality: number;
  /** σ of ln(rate) of the estimate. */
  logSigma?: number;
  /** The cohort that served as the prior. */
  cohort?: string;
  /** 12 monthly factors (January first) when a year of readings shows a seasonal pattern. */
  seasonal?: number[];
}

export interface VehicleServiceInput {
  modelLine: ModelLine;
  powertrain: Powertrain;
  purchaseDate: string;
  readings: readonly ReadingPoint[];
  lastServiced: Readonly<Record<string, LastService>>;
  /** The fleet's learned rates (the prior); null or absent: the table default. */
  fleet?: FleetRates | null;
  /** Where the car lives, for its cohort. */
  country?: string;
  /** The high-voltage check's due date in the car's stored plan: a check brought forward is not pushed back by later readings. */
  previousBatteryCheckDue?: string;
  /** The odometer at registration (absent for cars registered before it was kept: the oldest reading given). */
  registrationOdometerKm?: number;
  battery?: BatteryHealth;
}

export interface ServicePlan {
  rate: MileageEstimate;
  /** Every scheduled item, soonest (likely date) first. */
  items: ItemPrediction[];
  /** The earliest reminder anchor among the items. */
  earlyDue?: string;
}

/**
 * The probability the brand accepts that a reminder goes out after the true due date: a
 * late reminder costs a missed service (and the promise), an early one by a week little.
 */
export const REMINDER_LATE_RISK = 0.01;

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * The date a distance item's reminder aims at (it goes out {@link REMINDER_LEAD_DAYS}
 * before): the likely date when that is safe, else as late as lateness allows. A reminder
 * sent on day R is late only if the true date falls before R; sending it 14 days before
 * the likely date is late with probability P(D < likely − 14), which for a wide window is
 * far more than {@link REMINDER_LATE_RISK}. So R = min(likely − 14, q) where q is the
 * {@link REMINDER_LATE_RISK} quantile: cars with fresh readings (narrow windows) hear 14
 * days before their likely date, centred on the ±3-day target; uncertain cars hear earlier,
 * late at most 1 time in 100 under the model.
 */
function reminderAnchorDate(lateRiskQuantile: string | null, likely: string | null): string | null {
  if (likely === null) return lateRiskQuantile === null ? null : addDays(lateRiskQuantile, REMINDER_LEAD_DAYS);
  if (lateRiskQuantile === null) return likely;
  const safe = addDays(lateRiskQuantile, REMINDER_LEAD_DAYS);
  return safe < likely ? safe : likely;
}

/** The window of an item, also for plans stored before windows existed (a point). */
export function dueWindowOf(item: ItemPrediction): DueWindow {
  return item.dueWindow ?? { earliest: item.dueDate, likely: item.dueDate, latest: item.dueDate };
}

/** The date the item's reminder aims at. */
export function reminderAnchor(item: ItemPrediction): string {
  return item.earlyDue ?? item.dueDate;
}

/** The day the odometer passed `km`, interpolated between the readings around it. */
function dayOdometerPassed(sorted: readonly ReadingPoint[], km: number): string {
  const index = sorted.findIndex((r) => r.km >= km);
  const after = sorted[index]!;
  const before = sorted[index - 1];
  if (!before || after.km === before.km) return toDay(after.readAt);
  const t0 = Date.parse(before.readAt);
  const t1 = Date.parse(after.readAt);
  return msToDay(t0 + ((km - before.km) / (after.km - before.km)) * (t1 - t0));
}

const earlier = (a: string | null, b: string) => (a !== null && a < b ? a : b);
const earlierOrNull = (a: string | null, b: string | null) => (a === null ? b : earlier(b, a));
const fixed = (code: string, date: string, basis: DueBasis, dueOdometerKm?: number): ItemPrediction => ({
  code,
  dueDate: date,
  ...(dueOdometerKm !== undefined ? { dueOdometerKm } : {}),
  basis,
  confidence: 1,
  dueWindow: { earliest: date, likely: date, latest: date },
  earlyDue: date,
});

/**
 * A distance item's due date as a distribution: the day the remaining distance is driven
 * at the rate's quantiles, capped by the calendar date (the item is due at the earlier of
 * the two, so each quantile of the due date is the earlier of the calendar and that
 * quantile of the distance date).
 */
function distanceItem(code: string, model: RateModel, remainingKm: number, dueKm: number, calendarDue: string): ItemPrediction {
  const median = dayReaching(model, remainingKm, model.kmPerYear);
  const sigma = projectionSigma(model, median === null ? 3_650 : daysFromLastReading(model, median));
  // A faster rate makes the date earlier: the early date quantile uses the high rate quantile.
  const at = (z: number) => dayReaching(model, remainingKm, model.kmPerYear * Math.exp(z * sigma));
  // The late-risk date allows for one trip like the car's longest recent one, too.
  const afterBurst = model.burstKm > 0 ? dayReaching(model, remainingKm - model.burstKm, model.kmPerYear) : null;
  const pLate = earlierOrNull(at(Z.lateRisk), afterBurst);
  const p10 = at(Z.p10);
  const p90 = at(-Z.p10);
  const window: DueWindow = { earliest: earlier(p10, calendarDue), likely: earlier(median, calendarDue), latest: earlier(p90, calendarDue) };
  // P(true date in window) under the model: the due date is min(calendar, distance date).
  let confidence: number;
  if (window.earliest === calendarDue) {
    // The calendar comes first unless the car drives faster than it would need to by then.
    const needed = rateToReachBy(model, remainingKm, calendarDue);
    confidence = needed === Infinity ? 1 : normalCdf(Math.log(needed / model.kmPerYear) / sigma);
  } else if (window.earliest === window.latest) {
    confidence = 1; // a day away, or driven so fast the quantiles meet: the date is as good as known
  } else {
    confidence = window.latest === calendarDue ? 0.9 : 0.8;
  }
  return {
    code,
    dueDate: window.likely,
    dueOdometerKm: dueKm,
    basis: median !== null && median < calendarDue ? 'MILEAGE' : 'CALENDAR',
    confidence: round2(confidence),
    dueWindow: window,
    ...(window.latest === calendarDue ? { calendarCap: calendarDue } : {}),
    earlyDue: earlier(reminderAnchorDate(pLate, median), calendarDue),
  };
}

/** A battery losing health faster than its cohort's fastest tenth (or below 80 %) is checked within a month. */
export const BATTERY_CHECK_WITHIN_DAYS = 30;
const BATTERY_CHECK_BELOW_PCT = 80;

function batteryCheckDue(input: VehicleServiceInput, cohortP10: number | undefined): string | null {
  const health = input.battery;
  if (!health) return null;
  const fast = health.trendPctPerYear !== null && cohortP10 !== undefined && health.trendPctPerYear < cohortP10;
  return fast || health.stateOfHealthPct < BATTERY_CHECK_BELOW_PCT ? addDays(toDay(health.lastReadAt), BATTERY_CHECK_WITHIN_DAYS) : null;
}

/**
 * Predicts every scheduled item of a car.
 *
 * @example
 * planService({ modelLine: 'MACAN', powertrain: 'PETROL', purchaseDate: '2025-03-01',
 *   readings: [...], lastServiced: { OIL_SERVICE: { date: '2026-03-02', km: 14800 } } })
 */
export function planService(input: VehicleServiceInput): ServicePlan {
  const sorted = [...input.readings].sort((a, b) => a.readAt.localeCompare(b.readAt));
  const cohort = cohortFor(input.fleet, input.modelLine, input.powertrain, input.country);
  const model = estimateRate(sorted, cohort);
  if (sorted.length === 0) model.from = { km: 0, day: input.purchaseDate };
  // Items never done count from the registration odometer (the readings given may be only the newest few hundred).
  const firstKm = input.registrationOdometerKm ?? sorted[0]?.km ?? 0;
  // The battery cohort may be wider than the mileage one (fewer cars with a trend): the same lookup as the car's percentile.
  const batteryDue = batteryCheckDue(input, sohTrendFor(input.fleet, input.modelLine, input.powertrain, input.country)?.p10);

  const items = scheduleFor(input.modelLine, input.powertrain).map((item): ItemPrediction => {
    const last = input.lastServiced[item.code] ?? { date: input.purchaseDate, km: firstKm };
    let calendarDue = addMonths(last.date, item.intervalMonths);
    if (item.code === 'HV_BATTERY_CHECK' && batteryDue) {
      // Brought forward once, it stays: each new reading would otherwise push "30 days after
      // the reading" on, and a car reporting every fortnight would never be reminded.
      const previous = input.previousBatteryCheckDue;
      const due = previous && previous > last.date && previous < batteryDue ? previous : batteryDue;
      if (due < calendarDue && due > last.date) calendarDue = due;
    }
    if (item.intervalKm === undefined) return fixed(item.code, calendarDue, 'CALENDAR');
    const dueKm = last.km + item.intervalKm;
    if (model.from.km >= dueKm) return fixed(item.code, earlier(dayOdometerPassed(sorted, dueKm), calendarDue), 'MILEAGE', dueKm);
    return distanceItem(item.code, model, dueKm - model.from.km, dueKm, calendarDue);
  });
  items.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.code.localeCompare(b.code));
  const rate: MileageEstimate = {
    kmPerYear: model.kmPerYear,
    source: model.source,
    quality: model.quality,
    logSigma: round2(model.logSigma),
    cohort: model.cohort,
    ...(model.seasonal ? { seasonal: model.seasonal } : {}),
  };
  const anchors = items.map(reminderAnchor).sort();
  return { rate, items, ...(anchors[0] ? { earlyDue: anchors[0] } : {}) };
}

/**
 * P(the item is due on or before the end of `day`): a split log-normal in days from a
 * little before the window (its two halves fitted to p10–p50 and p50–p90, so lopsided
 * windows keep their quantiles), all of it by a calendar date that caps the window.
 */
export function dueByProbability(item: ItemPrediction, day: string): number {
  const window = dueWindowOf(item);
  if (window.earliest === window.latest) return day >= window.likely ? 1 : 0;
  const cap = item.calendarCap ?? (item.basis === 'CALENDAR' && window.latest === item.dueDate ? window.latest : undefined);
  if (cap !== undefined && day >= cap) return 1;
  const origin = dayToMs(window.earliest) - 30 * 86_400_000;
  const t = (d: string) => (dayToMs(d) - origin) / 86_400_000;
  const mu = Math.log(t(window.likely));
  const left = Math.max(0.01, (mu - Math.log(t(window.earliest))) / Z.p10);
  // A capped window's p90 is the cap, not the distance's: its right half mirrors the left.
  const right = cap !== undefined ? left : Math.max(0.01, (Math.log(t(window.latest)) - mu) / Z.p10);
  if (t(day) + 1 <= 0) return 0;
  const x = Math.log(t(day) + 1) - mu;
  return normalCdf(x / (x < 0 ? left : right));
}

/** Days between two dates of a window: how wide it is. */
export const windowWidthDays = (window: DueWindow) => daysBetween(window.earliest, window.latest);

/** Days before an item's due date that the owner hears about it (the brand's promise). */
export const REMINDER_LEAD_DAYS = 14;

/**
 * The items one visit on `visitDay` should cover: all those due by then plus the lead
 * window, so that items falling due a few days apart are done together.
 */
export function itemsDueBy(items: readonly ItemPrediction[], visitDay: string): ItemPrediction[] {
  const horizon = addDays(visitDay, REMINDER_LEAD_DAYS);
  return items.filter((item) => reminderAnchor(item) <= horizon);
}

