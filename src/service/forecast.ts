import type { VehicleRecord } from '../vehicle/vehicle.js';
import { addDays, weekStart } from './calendar.js';
import { maintenanceItem, type MaintenanceItem } from './maintenance-catalogue.js';
import { Z } from './mileage-model.js';
import { dueByProbability, REMINDER_LEAD_DAYS, type ItemPrediction } from './prediction.js';

/**
 * A dealer's service forecast, pure. A car's due dates are distributions (`prediction.ts`),
 * so a day's demand is an expectation: the sum over the dealer's cars of the probability
 * that the car falls due that day (its first item, whichever that turns out to be), with
 * the items a visit on that day needs (those due by then plus the reminder lead window,
 * given that the car falls due that day: see `carOutlook`). Weeks and the whole period carry a band (p10–p90) of the
 * number of cars: cars fall due independently of each other. Days without visits are
 * listed too, so a capacity chart needs no gap-filling.
 */
export interface ItemCountView {
  item: MaintenanceItem;
  /** Expected number of visits that need the item. */
  count: number;
}

export interface ForecastDayView {
  date: string;
  /** Σ over cars of P(the car falls due that day). */
  expectedVisits: number;
  items: ItemCountView[];
  /** The cars whose likely date is this day (bounded). */
  vehicles: VehicleRecord[];
}

/** p10 and p90 of a number of cars (whole numbers, containing the expectation). */
export interface CountBand {
  low: number;
  high: number;
}

export interface ForecastWeekView extends CountBand {
  weekStart: string;
  expectedVisits: number;
  items: ItemCountView[];
}

export interface ForecastView extends CountBand {
  from: string;
  to: string;
  expectedVisits: number;
  overdueVehicles: number;
  days: ForecastDayView[];
  weeks: ForecastWeekView[];
}

/**
 * Cars listed per forecast day (by VIN); `expectedVisits` and the item counts still count
 * every car. A planning chart needs the numbers; a workshop's day holds far fewer cars than
 * this, and a bounded list keeps the query cost of `days { vehicles { … } }` honest.
 */
export const MAX_VEHICLES_PER_DAY = 50;

/**
 * How far before the period the dealer's index is read (its cars are keyed by their first
 * likely date). A car whose likely date passed may still fall due in the period (its window
 * reaches past the likely date), and one whose likely date lies after it may come early.
 * On a simulated dealer (1,500 cars of every line, a third without readings beyond
 * registration, rates spread σ 0.4 around 14,000 km/year), a 30-day forecast reading
 * 120 days back and 180 ahead catches 99.1 % of the expected visits (±120: 96.9 %, 180 /
 * 365: 99.9 % at the price of reading every car): the left-out mass is the far tail of cars
 * without readings, whose early dates stretch up to a year before their likely ones.
 */
export const FORECAST_LOOKBACK_DAYS = 120;
export const FORECAST_LOOKAHEAD_DAYS = 180;

/** Probabilities below this are nothing: a car with less than it in the period is left out. */
const NEGLIGIBLE = 1e-6;

const round2 = (value: number) => Math.round(value * 100) / 100;

/** A car's outlook over a period: when it falls due, and what a visit then needs. */
export interface CarOutlook {
  /** P(the car falls due on the day), days of the period with any probability. */
  days: Map<string, number>;
  /** Per day, per item: P(the car falls due that day and the item is due by then + 14 days). */
  needs: Map<string, Map<string, number>>;
}

/**
 * When a car falls due in [from, to]: the day its first item falls due. Its distance items
 * all follow the same mileage rate (a faster car reaches every distance sooner) and its
 * calendar items are fixed, so their due dates move together: one quantile u of the rate
 * gives every item's date. The first of them is due by day d as soon as any one is:
 * P(first ≤ d) = max over items of P(item ≤ d). A visit on day d (u between the car's
 * probabilities of being due by d − 1 and by d) needs item i when i is due by d + 14 too,
 * which holds for u ≤ P(item ≤ d + 14): for certain dates, the items due by then + 14 days
 * as before; for uncertain ones, a car that comes early because it drives far has its
 * other distance items early too, and a car that comes by the calendar has not.
 * The mass before `from` (the car fell due before the period) is left out.
 *
 * @example
 * carOutlook(car.servicePlan.items, '2026-12-01', '2026-12-30').days // Map { '2026-12-10' => 0.04, … }
 */
export function carOutlook(items: readonly ItemPrediction[], from: string, to: string): CarOutlook {
  return outlookOver(items, new PeriodCalendar(from, to));
}

/** The days of a period and the lead window after it, computed once for every car of a forecast. */
class PeriodCalendar {
  /** The period's days, then the {@link REMINDER_LEAD_DAYS} after it. */
  readonly days: string[] = [];
  readonly index = new Map<string, number>();
  readonly length: number;
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    for (let day = from; day <= to; day = addDays(day, 1)) this.days.push(day);
    this.length = this.days.length;
    for (let i = 0; i < REMINDER_LEAD_DAYS; i++) this.days.push(addDays(to, i + 1));
    this.days.forEach((day, i) => this.index.set(day, i));
  }
  get reach(): string {
    return this.days.at(-1)!;
  }
}

function outlookOver(items: readonly ItemPrediction[], period: PeriodCalendar): CarOutlook {
  const { from, length } = period;
  // byDay[i].cumulative[k]: P(item i due by period day k − 1), k = 0 … length + 14 (0: before the period).
  const byDay: { code: string; cumulative: Float64Array }[] = [];
  const dayBefore = addDays(from, -1);
  for (const item of items) {
    const cumulative = new Float64Array(period.days.length + 1);
    cumulative[0] = dueByProbability(item, dayBefore);
    period.days.forEach((day, k) => (cumulative[k + 1] = dueByProbability(item, day)));
    byDay.push({ code: item.code, cumulative });
  }
  const firstDue = new Float64Array(length + 1);
  for (const { cumulative } of byDay) for (let k = 0; k <= length; k++) if (cumulative[k]! > firstDue[k]!) firstDue[k] = cumulative[k]!;
  const days = new Map<string, number>();
  const needs = new Map<string, Map<string, number>>();
  for (let k = 1; k <= length; k++) {
    const p = firstDue[k]! - firstDue[k - 1]!;
    if (p <= NEGLIGIBLE) continue;
    const day = period.days[k - 1]!;
    days.set(day, p);
    const needed = new Map<string, number>();
    for (const item of byDay) {
      const q = Math.min(firstDue[k]!, item.cumulative[k + REMINDER_LEAD_DAYS]!) - firstDue[k - 1]!;
      if (q > NEGLIGIBLE) needed.set(item.code, q);
    }
    needs.set(day, needed);
  }
  return { days, needs };
}

/** The probability that a car falls due on each day of [from, to] (see {@link carOutlook}). */
export function visitDayProbabilities(items: readonly ItemPrediction[], from: string, to: string): Map<string, number> {
  return carOutlook(items, from, to).days;
}

/**
 * The p10 and p90 of the number of cars that fall due, each with its own probability and
 * independently of the others (a Poisson-binomial): normal approximation with mean Σp and
 * variance Σp(1 − p), with continuity correction, then widened to whole numbers around the
 * mean, clamped to [0, cars that may come]. Certain cars (p = 1) give a band of one number.
 *
 * @example
 * countBand([0.5, 0.5]) // { low: 0, high: 2 }
 */
export function countBand(probabilities: readonly number[]): CountBand {
  const possible = probabilities.filter((p) => p > NEGLIGIBLE);
  // Rounded to a billionth: a sum of ones that is 2.9999999997 is 3 cars.
  const mean = Math.round(possible.reduce((sum, p) => sum + p, 0) * 1e9) / 1e9;
  const sd = Math.sqrt(possible.reduce((sum, p) => sum + p * (1 - p), 0));
  // Smallest k with Φ((k + ½ − mean) / sd) ≥ q: P(count ≤ k) ≥ q with continuity correction.
  const quantile = (z: number) => Math.ceil(Math.round((mean + z * sd - 0.5) * 1e9) / 1e9);
  const low = Math.max(0, Math.min(quantile(-Z.p10), Math.floor(mean)));
  const high = Math.min(possible.length, Math.max(quantile(Z.p10), Math.ceil(mean)));
  return { low, high };
}

interface ForecastCar extends CarOutlook {
  vehicle: VehicleRecord;
  /** The day the car is more likely than not to have fallen due by (its first likely date). */
  likely: string;
}

/** Expected counts of the items visits need, most needed first; counts under 0.01 are left out. */
function itemCounts(weights: Map<string, number>): ItemCountView[] {
  return [...weights.entries()]
    .flatMap(([code, weight]) => {
      const item = maintenanceItem(code);
      const count = round2(weight);
      return item && count > 0 ? [{ item, count }] : [];
    })
    .sort((a, b) => b.count - a.count || a.item.code.localeCompare(b.item.code));
}

function addNeeds(weights: Map<string, number>, needs: Map<string, number> | undefined): void {
  for (const [code, p] of needs ?? []) weights.set(code, (weights.get(code) ?? 0) + p);
}

/**
 * @example
 * buildForecast(vehiclesAroundThePeriod, '2026-12-01', 30, 4) // 30 days from 1 December, 4 overdue
 */
export function buildForecast(vehicles: readonly VehicleRecord[], today: string, days: number, overdueVehicles: number): ForecastView {
  const to = addDays(today, days - 1);
  const period = new PeriodCalendar(today, to);
  const cars: ForecastCar[] = vehicles.flatMap((vehicle) => {
    const items = vehicle.servicePlan?.items ?? [];
    if (items.length === 0) return [];
    const outlook = outlookOver(items, period);
    return outlook.days.size > 0 ? [{ vehicle, likely: items[0]!.dueDate, ...outlook }] : [];
  });

  const dayViews: ForecastDayView[] = [];
  const weekCars = new Map<string, Map<ForecastCar, number>>();
  const weekItems = new Map<string, Map<string, number>>();
  const dayIndex = new Map<string, number>();
  for (let i = 0; i < days; i++) {
    const date = addDays(today, i);
    dayIndex.set(date, i);
    dayViews.push({ date, expectedVisits: 0, items: [], vehicles: [] });
    if (!weekCars.has(weekStart(date))) {
      weekCars.set(weekStart(date), new Map());
      weekItems.set(weekStart(date), new Map());
    }
  }
  const dayItems = dayViews.map(() => new Map<string, number>());
  const listed = dayViews.map(() => [] as VehicleRecord[]);
  const inPeriod: number[] = [];
  for (const car of cars) {
    let total = 0;
    for (const [date, p] of car.days) {
      const i = dayIndex.get(date)!;
      const week = weekStart(date);
      dayViews[i]!.expectedVisits += p;
      addNeeds(dayItems[i]!, car.needs.get(date));
      addNeeds(weekItems.get(week)!, car.needs.get(date));
      const inWeek = weekCars.get(week)!;
      inWeek.set(car, (inWeek.get(car) ?? 0) + p);
      total += p;
    }
    inPeriod.push(total);
    const likelyDay = dayIndex.get(car.likely);
    if (likelyDay !== undefined) listed[likelyDay]!.push(car.vehicle);
  }

  for (const [i, day] of dayViews.entries()) {
    day.expectedVisits = round2(day.expectedVisits);
    day.items = itemCounts(dayItems[i]!);
    day.vehicles = listed[i]!.sort((a, b) => a.vin.localeCompare(b.vin)).slice(0, MAX_VEHICLES_PER_DAY);
  }
  const weekViews = [...weekCars.entries()].map(([start, inWeek]): ForecastWeekView => {
    const probabilities = [...inWeek.values()];
    return { weekStart: start, expectedVisits: round2(sum(probabilities)), ...countBand(probabilities), items: itemCounts(weekItems.get(start)!) };
  });
  return { from: today, to, expectedVisits: round2(sum(inPeriod)), ...countBand(inPeriod), overdueVehicles, days: dayViews, weeks: weekViews };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
