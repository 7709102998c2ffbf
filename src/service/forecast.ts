import type { VehicleRecord } from '../vehicle/vehicle.js';
import { addDays, weekStart } from './calendar.js';
import { maintenanceItem, type MaintenanceItem } from './maintenance-catalogue.js';
import { itemsDueBy } from './prediction.js';

/**
 * A dealer's service forecast, pure: each car it services is expected on its next due
 * date, for the items due by then plus the reminder lead window (what its reminder asks
 * for). Days without visits are listed too, so a capacity chart needs no gap-filling.
 */
export interface ItemCountView {
  item: MaintenanceItem;
  count: number;
}

export interface ForecastDayView {
  date: string;
  expectedVisits: number;
  items: ItemCountView[];
  vehicles: VehicleRecord[];
}

export interface ForecastWeekView {
  weekStart: string;
  expectedVisits: number;
  items: ItemCountView[];
}

export interface ForecastView {
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

function countItems(codes: string[]): ItemCountView[] {
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts.entries()]
    .flatMap(([code, count]) => {
      const item = maintenanceItem(code);
      return item ? [{ item, count }] : [];
    })
    .sort((a, b) => b.count - a.count || a.item.code.localeCompare(b.item.code));
}

/**
 * @example
 * buildForecast(vehiclesDueAtDealer, '2026-12-01', 30, 4) // 30 days from 1 December, 4 overdue
 */
export function buildForecast(vehicles: readonly VehicleRecord[], today: string, days: number, overdueVehicles: number): ForecastView {
  const to = addDays(today, days - 1);
  const visits = vehicles.flatMap((vehicle) => {
    const items = vehicle.servicePlan?.items ?? [];
    const date = items[0]?.dueDate;
    if (!date || date < today || date > to) return [];
    return [{ date, vehicle, codes: itemsDueBy(items, date).map((i) => i.code) }];
  });

  const dayViews: ForecastDayView[] = Array.from({ length: days }, (_, i) => {
    const date = addDays(today, i);
    const onDay = visits.filter((v) => v.date === date).sort((a, b) => a.vehicle.vin.localeCompare(b.vehicle.vin));
    return { date, expectedVisits: onDay.length, items: countItems(onDay.flatMap((v) => v.codes)), vehicles: onDay.slice(0, MAX_VEHICLES_PER_DAY).map((v) => v.vehicle) };
  });

  const weeks = new Map<string, typeof visits>();
  for (const day of dayViews) if (!weeks.has(weekStart(day.date))) weeks.set(weekStart(day.date), []);
  for (const visit of visits) weeks.get(weekStart(visit.date))!.push(visit);
  const weekViews = [...weeks.entries()].map(([start, inWeek]) => ({ weekStart: start, expectedVisits: inWeek.length, items: countItems(inWeek.flatMap((v) => v.codes)) }));

  return { from: today, to, expectedVisits: visits.length, overdueVehicles, days: dayViews, weeks: weekViews };
}
