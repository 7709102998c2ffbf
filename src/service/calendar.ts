/** Calendar arithmetic on ISO dates (`YYYY-MM-DD`), in UTC, without a date library. */
const DAY_MS = 86_400_000;

export function toDay(iso: string): string {
  return iso.slice(0, 10);
}

export function dayToMs(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

export function msToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return msToDay(dayToMs(day) + Math.round(days) * DAY_MS);
}

/** Adds calendar months, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((dayToMs(to) - dayToMs(from)) / DAY_MS);
}

/** Monday of the ISO week a day falls in. */
export function weekStart(day: string): string {
  const weekday = (new Date(dayToMs(day)).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(day, -weekday);
}
