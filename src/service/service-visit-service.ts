import { callerDealerId, servicePolicy } from '../auth/policies.js';
import type { ReminderRecord } from '../reminder/reminder.js';
import { ForbiddenError } from '../shared/errors.js';
import { keyOfGlobalId, newId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { checkInstantNotInFuture, checkIntRange, checkText } from '../shared/validation.js';
import { checkVin, MAX_ODOMETER_KM, readingProblem, refresh } from '../vehicle/vehicle-service.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import type { ServiceKind, ServiceVisitRecord } from './service-visit.js';
import { checkServiceItems, checkWaitTime, type ServiceItemInput } from './service-visit-validation.js';
import { visitOnCycle } from './service-cycle.js';
import { DEALER_NODE } from '../dealer/dealer.js';

export interface RecordServiceVisitInput {
  vin: string;
  dealerId?: string | null;
  performedAt: string;
  odometerKm: number;
  kind: ServiceKind;
  items: readonly ServiceItemInput[];
  totalAmount: { amount: string; currency: string };
  waitTimeMinutes: number;
  firstTimeFix: boolean;
  /** A club voucher presented at the visit; only its shape is checked here (the club's rewards validate it, in the visit's transaction). */
  voucherCode?: string | null;
}

export interface RecordServiceVisitResult {
  serviceVisit: ServiceVisitRecord | null;
  vehicle: VehicleRecord | null;
  completedReminder: ReminderRecord | null;
  userErrors: UserError[];
}

/** Far above any voucher code format; a bound so a code never makes an oversized key. */
const MAX_VOUCHER_CODE = 40;

const failed = (...userErrors: UserError[]): RecordServiceVisitResult => ({ serviceVisit: null, vehicle: null, completedReminder: null, userErrors });

/** Who owned the car on a day: a visit from before a sale belongs to the seller's history. */
function ownerOn(vehicle: VehicleRecord, day: string): string {
  return vehicle.ownerHistory.find((o) => o.from <= day && (o.to === undefined || day < o.to))?.customerId ?? vehicle.ownerId;
}

/**
 * Records a workshop visit with its reading. Admins name the dealer; a dealer key
 * records for itself, with `service:write`, and only on cars it may see.
 */
export async function recordServiceVisit(ctx: ServiceContext, input: RecordServiceVisitInput): Promise<RecordServiceVisitResult> {
  if (!servicePolicy.canRecordAnyVisit(ctx.principal)) throw new ForbiddenError();
  const now = ctx.clock();
  const { vin, errors } = checkVin('vin', input.vin);
  const performedAt = checkInstantNotInFuture('performedAt', input.performedAt, now);
  errors.push(...performedAt.errors);
  errors.push(...checkIntRange('odometerKm', input.odometerKm, 0, MAX_ODOMETER_KM));
  errors.push(...checkWaitTime(input.waitTimeMinutes));
  const invoice = checkServiceItems(input.items, input.totalAmount);
  errors.push(...invoice.errors);
  const voucherCode = input.voucherCode?.trim() || undefined;
  if (voucherCode) errors.push(...checkText('voucherCode', voucherCode, { max: MAX_VOUCHER_CODE }));

  // A dealer records work it did itself; the brand names the dealer that did it.
  const ownDealerId = callerDealerId(ctx.principal);
  let dealerId: string | null;
  if (ownDealerId !== undefined) {
    dealerId = input.dealerId ? keyOfGlobalId(input.dealerId, DEALER_NODE) : ownDealerId;
    if (dealerId !== ownDealerId) errors.push(notFound('dealerId', 'dealer'));
  } else {
    dealerId = input.dealerId ? keyOfGlobalId(input.dealerId, DEALER_NODE) : null;
    if (!input.dealerId) errors.push(userError('dealerId', 'REQUIRED', 'Name the dealer that did the work.'));
    else if (!dealerId || !(await ctx.loaders.dealer.load(dealerId))) errors.push(notFound('dealerId', 'dealer'));
  }
  if (errors.length || !performedAt.date || !invoice.items || !invoice.total || !dealerId) return failed(...errors);

  const vehicle = await ctx.repos.vehicles.get(vin);
  if (!vehicle || !(await ctx.access.canSeeVehicle(vehicle)) || !(await ctx.access.canWriteVehicleService(vehicle))) return failed(notFound('vin', 'vehicle'));

  const at = performedAt.date.toISOString();
  const visit: ServiceVisitRecord = {
    id: newId(),
    vin,
    dealerId,
    customerId: ownerOn(vehicle, at.slice(0, 10)),
    performedAt: at,
    odometerKm: input.odometerKm,
    kind: input.kind,
    items: invoice.items,
    total: invoice.total,
    waitTimeMinutes: input.waitTimeMinutes,
    firstTimeFix: input.firstTimeFix,
    recordedAt: now.toISOString(),
    ...(voucherCode ? { voucherCode } : {}),
  };
  // The visit is composed here, on the car as read: what it does to the service cycle,
  // the visit item, and every other domain's contribution (aggregates, the reminder it
  // completes). A conflict makes the repository read the car again and compose again.
  let completedReminder: ReminderRecord | null = null;
  const outcome = await ctx.repos.vehicles.recordReading({ vin, km: input.odometerKm, readAt: at, source: 'service-visit', recordedAt: visit.recordedAt }, async (current) => {
    // Only a reminded cycle has a reminder to close.
    const cycleReminder = current.remindedCycle === current.reminderCycle ? await ctx.repos.reminders.get(vin, current.reminderCycle) : null;
    const cycle = visitOnCycle(current, cycleReminder, visit);
    completedReminder = cycle.completedReminder?.after ?? null;
    return { vehicle: cycle.vehicle, contributions: [{ item: ctx.repos.visits.put(visit) }, ...(await ctx.facts.contributions('ServiceVisitRecorded', { visit, completedReminder: cycle.completedReminder }))] };
  });
  if (outcome.kind !== 'RECORDED') return failed(readingProblem(outcome, 'vin', 'odometerKm'));
  ctx.logger.info('service visit recorded', { vin, dealerId, visitId: visit.id, completedReminder: completedReminder ? (completedReminder as ReminderRecord).cycle : null });
  return { serviceVisit: visit, vehicle: refresh(ctx, outcome.vehicle), completedReminder, userErrors: [] };
}
