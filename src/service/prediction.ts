import type { ModelLine, Powertrain } from '../catalogue/model-lines.js';
import { addDays, addMonths, daysBetween, msToDay, toDay } from './calendar.js';
import { FLEET_DEFAULT_KM_PER_YEAR, scheduleFor } from './maintenance-catalogue.js';

/**
 * Maintenance prediction: pure functions, no I/O.
 *
 * For each scheduled item the next due date is the earlier of
 * - the calendar due date (last performed + interval months), and
 * - the day the odometer reaches the distance due (last performed km + interval km),
 *   projected from the car's own mileage rate.
 * The rate is a Theil–Sen estimate (median of the slopes between readings at least
 * `MIN_PAIR_DAYS` apart): robust to irregular and sparse readings and to outliers (up to
 * ~29 % bad points), unlike a first-to-last average. With too little history the fleet
 * default for the model line is used, with low confidence.
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

export interface ItemPrediction {
  code: string;
  dueDate: string;
  /** The odometer at which the item is due; absent for time-only items. */
  dueOdometerKm?: number;
  basis: DueBasis;
  /** 0–1: how sure the due date is (1 = a known date or a distance already reached). */
  confidence: number;
}

export interface MileageEstimate {
  kmPerYear: number;
  source: 'HISTORY' | 'FLEET_DEFAULT';
  /** 0.2 (fleet default) to 1 (a year or more of consistent readings). */
  quality: number;
}

export interface VehicleServiceInput {
  modelLine: ModelLine;
  powertrain: Powertrain;
  purchaseDate: string;
  readings: readonly ReadingPoint[];
  lastServiced: Readonly<Record<string, LastService>>;
}

export interface ServicePlan {
  rate: MileageEstimate;
  /** Every scheduled item, soonest first. */
  items: ItemPrediction[];
}

const MIN_PAIR_DAYS = 30;
const HISTORY_WINDOW_DAYS = 3 * 365;
const MAX_READINGS = 60;
const MAX_KM_PER_YEAR = 150_000;
const FLEET_DEFAULT_QUALITY = 0.2;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * @example
 * estimateMileageRate([{ km: 0, readAt: '2025-01-01T00:00:00Z' }, { km: 12000, readAt: '2026-01-01T00:00:00Z' }], 8000)
 * // { kmPerYear: 12000, source: 'HISTORY', quality: … }
 */
export function estimateMileageRate(readings: readonly ReadingPoint[], fleetDefault: number): MileageEstimate {
  const sorted = [...readings].sort((a, b) => a.readAt.localeCompare(b.readAt));
  const latest = sorted.at(-1);
  if (!latest) return { kmPerYear: fleetDefault, source: 'FLEET_DEFAULT', quality: FLEET_DEFAULT_QUALITY };
  const horizon = Date.parse(latest.readAt) - HISTORY_WINDOW_DAYS * 86_400_000;
  const recent = sorted.filter((r) => Date.parse(r.readAt) >= horizon).slice(-MAX_READINGS);
  const slopes: number[] = [];
  for (let i = 0; i < recent.length; i++) {
    for (let j = i + 1; j < recent.length; j++) {
      const days = (Date.parse(recent[j]!.readAt) - Date.parse(recent[i]!.readAt)) / 86_400_000;
      if (days >= MIN_PAIR_DAYS) slopes.push(((recent[j]!.km - recent[i]!.km) / days) * 365);
    }
  }
  if (slopes.length === 0) return { kmPerYear: fleetDefault, source: 'FLEET_DEFAULT', quality: FLEET_DEFAULT_QUALITY };
  const rate = Math.min(MAX_KM_PER_YEAR, Math.max(0, median(slopes)));
  const spanDays = (Date.parse(recent.at(-1)!.readAt) - Date.parse(recent[0]!.readAt)) / 86_400_000;
  // Dispersion of the slopes relative to the rate (median absolute deviation).
  const mad = median(slopes.map((s) => Math.abs(s - rate)));
  const spread = rate > 0 ? mad / rate : mad > 0 ? 1 : 0;
  const quality = 0.2 + 0.8 * Math.min(1, spanDays / 365) * Math.min(1, slopes.length / 6) * (1 / (1 + spread));
  return { kmPerYear: Math.round(rate), source: 'HISTORY', quality: round2(quality) };
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

/**
 * Predicts every scheduled item of a car.
 *
 * @example
 * planService({ modelLine: 'MACAN', powertrain: 'PETROL', purchaseDate: '2025-03-01',
 *   readings: [...], lastServiced: { OIL_SERVICE: { date: '2026-03-02', km: 14800 } } })
 */
export function planService(input: VehicleServiceInput): ServicePlan {
  const sorted = [...input.readings].sort((a, b) => a.readAt.localeCompare(b.readAt));
  const rate = estimateMileageRate(sorted, FLEET_DEFAULT_KM_PER_YEAR[input.modelLine]);
  const latest = sorted.at(-1) ?? { km: 0, readAt: `${input.purchaseDate}T00:00:00.000Z` };
  const firstKm = sorted[0]?.km ?? 0;

  const items = scheduleFor(input.modelLine, input.powertrain).map((item): ItemPrediction => {
    const last = input.lastServiced[item.code] ?? { date: input.purchaseDate, km: firstKm };
    const calendarDue = addMonths(last.date, item.intervalMonths);
    if (item.intervalKm === undefined) return { code: item.code, dueDate: calendarDue, basis: 'CALENDAR', confidence: 1 };

    const dueKm = last.km + item.intervalKm;
    let mileageDue: string | null;
    let reached = false;
    if (latest.km >= dueKm) {
      mileageDue = dayOdometerPassed(sorted, dueKm);
      reached = true;
    } else if (rate.kmPerYear > 0) {
      const days = ((dueKm - latest.km) / rate.kmPerYear) * 365;
      // Beyond ten years the projection is meaningless; the calendar will come first anyway.
      mileageDue = days > 3_650 ? null : addDays(toDay(latest.readAt), Math.ceil(days));
    } else {
      mileageDue = null; // an idle car never reaches the distance
    }

    if (mileageDue !== null && mileageDue < calendarDue) {
      return { code: item.code, dueDate: mileageDue, dueOdometerKm: dueKm, basis: 'MILEAGE', confidence: reached ? 1 : rate.quality };
    }
    // Calendar-bound: the date is certain, unless a wrong rate would have made the distance come first.
    const marginDays = mileageDue === null ? Infinity : daysBetween(calendarDue, mileageDue);
    const confidence = rate.quality + (1 - rate.quality) * Math.min(1, marginDays / 180);
    return { code: item.code, dueDate: calendarDue, dueOdometerKm: dueKm, basis: 'CALENDAR', confidence: round2(confidence) };
  });
  items.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.code.localeCompare(b.code));
  return { rate, items };
}

/** Days before an item's due date that the owner hears about it (the brand's promise). */
export const REMINDER_LEAD_DAYS = 14;

/**
 * The items one visit on `visitDay` should cover: all those due by then plus the lead
 * window, so that items falling due a few days apart are done together.
 */
export function itemsDueBy(items: readonly ItemPrediction[], visitDay: string): ItemPrediction[] {
  const horizon = addDays(visitDay, REMINDER_LEAD_DAYS);
  return items.filter((item) => item.dueDate <= horizon);
}

