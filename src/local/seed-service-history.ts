import { addDays, toDay } from '../service/calendar.js';
import { maintenanceItem, serviceItemName } from '../service/maintenance-catalogue.js';
import { itemsDueBy, planService, type LastService, type ReadingPoint } from '../service/prediction.js';
import type { ServiceVisitRecord } from '../service/service-visit.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';

/** What each scheduled item costs at a Porsche Centre, in EUR (parts, labour). */
const ITEM_PRICE_EUR: Record<string, [number, number]> = {
  OIL_SERVICE: [310, 220],
  INSPECTION: [90, 420],
  BRAKE_FLUID: [45, 140],
  CABIN_FILTER: [85, 45],
  SPARK_PLUGS: [380, 360],
  AIR_FILTER: [95, 60],
  PDK_OIL: [520, 480],
  HV_BATTERY_CHECK: [0, 260],
  EV_COOLANT: [180, 240],
};

export interface Rng {
  next(): number;
  int(min: number, max: number): number;
  chance(p: number): boolean;
}

/** The odometer on a day, interpolated between the readings around it. */
function kmOn(readings: readonly ReadingPoint[], day: string): number {
  const t = Date.parse(`${day}T12:00:00.000Z`);
  const after = readings.findIndex((r) => Date.parse(r.readAt) >= t);
  if (after <= 0) return after === 0 ? readings[0]!.km : readings.at(-1)!.km;
  const a = readings[after - 1]!;
  const b = readings[after]!;
  const share = (t - Date.parse(a.readAt)) / (Date.parse(b.readAt) - Date.parse(a.readAt));
  return Math.round(a.km + share * (b.km - a.km));
}

/**
 * Replays a car's life with the real planner: whenever its next item falls due the owner
 * comes in (mostly on time, sometimes weeks late) and the workshop does every item due
 * within the lead window. Cars whose next visit lies after `today` end up due, overdue or
 * soon due — exactly what the reminders job and the dealer forecast should find.
 */
export function simulateServiceHistory(rand: Rng, vehicle: VehicleRecord, readings: readonly ReadingPoint[], today: string, newId: (at: number) => string) {
  const lastServiced: Record<string, LastService> = {};
  const visits: ServiceVisitRecord[] = [];
  for (let guard = 0; guard < 40; guard++) {
    const day = visits.at(-1)?.performedAt.slice(0, 10) ?? vehicle.purchaseDate;
    const known = readings.filter((r) => toDay(r.readAt) <= day);
    const plan = planService({ modelLine: vehicle.modelLine, powertrain: vehicle.powertrain, purchaseDate: vehicle.purchaseDate, readings: known.length ? known : readings.slice(0, 1), lastServiced });
    const due = plan.items[0];
    if (!due) break;
    const late = rand.chance(0.12) ? rand.int(40, 150) : rand.int(-20, 25);
    // An item already overdue when the last visit was planned (a distance passed between readings) is caught up soon after.
    const planned = due.dueDate > day ? addDays(due.dueDate, late) : addDays(day, rand.int(7, 30));
    const visitDay = planned > day ? planned : addDays(day, 7);
    if (visitDay >= today) break;
    const km = kmOn(readings, visitDay);
    const performed = itemsDueBy(plan.items, visitDay);
    const at = Date.parse(`${visitDay}T${String(rand.int(8, 16)).padStart(2, '0')}:00:00.000Z`);
    const items = performed.map((p) => {
      const [parts, labour] = ITEM_PRICE_EUR[p.code] ?? [100, 100];
      const line = (description: string, eur: number) => ({ description, quantity: 1, amount: { amountMinor: Math.round(eur * (0.9 + rand.next() * 0.3)) * 100, currency: 'EUR' as const } });
      return {
        code: p.code,
        description: maintenanceItem(p.code)?.description ?? serviceItemName(p.code),
        parts: parts ? [line(`${serviceItemName(p.code)} parts`, parts)] : [],
        labour: [line(`${serviceItemName(p.code)} labour`, labour)],
      };
    });
    const total = items.flatMap((i) => [...i.parts, ...i.labour]).reduce((sum, l) => sum + l.amount.amountMinor, 0);
    visits.push({
      id: newId(at),
      vin: vehicle.vin,
      dealerId: vehicle.servicingDealerId,
      customerId: vehicle.ownerHistory.find((o) => o.from <= visitDay && (!o.to || o.to > visitDay))?.customerId ?? vehicle.ownerId,
      performedAt: new Date(at).toISOString(),
      odometerKm: km,
      kind: performed.some((p) => p.code === 'INSPECTION') ? 'INSPECTION' : 'MAINTENANCE',
      items,
      total: { amountMinor: total, currency: 'EUR' },
      waitTimeMinutes: rand.int(25, 240),
      firstTimeFix: rand.chance(0.93),
      recordedAt: new Date(at).toISOString(),
    });
    for (const p of performed) lastServiced[p.code] = { date: visitDay, km };
  }
  return { visits, lastServiced };
}
