import { servicePolicy } from '../auth/policies.js';
import { ForbiddenError } from '../shared/errors.js';
import { keyOfGlobalId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { checkText, parseInstant } from '../shared/validation.js';
import { ACTIVE_REMINDER_STATUSES, parseReminderGlobalKey, type ReminderRecord, type ReminderStatus, REMINDER_NODE } from './reminder.js';
import { DEALER_NODE } from '../dealer/dealer.js';

export interface ReminderResult {
  reminder: ReminderRecord | null;
  userErrors: UserError[];
}

const failed = (...userErrors: UserError[]): ReminderResult => ({ reminder: null, userErrors });

/** Loads a reminder the caller may act on, or null (answered as NOT_FOUND, like an unknown id). */
async function actionableReminder(ctx: ServiceContext, globalId: string): Promise<ReminderRecord | null> {
  if (!servicePolicy.canHandleAnyReminder(ctx.principal)) throw new ForbiddenError();
  const key = keyOfGlobalId(globalId, REMINDER_NODE);
  const ref = key ? parseReminderGlobalKey(key) : null;
  const reminder = ref ? await ctx.repos.reminders.get(ref.vin, ref.cycle) : null;
  return reminder && (await ctx.access.canSeeVehicleItem(reminder)) && (await ctx.access.canHandleReminder(reminder)) ? reminder : null;
}

/** Applies a status change, or explains why the reminder's status does not allow it. */
async function move(ctx: ServiceContext, reminder: ReminderRecord, from: readonly ReminderStatus[], to: ReminderStatus, fields: Record<string, unknown>): Promise<ReminderResult> {
  const invalid = () => failed(userError('id', 'INVALID_STATUS', `A ${reminder.status.toLowerCase()} reminder cannot become ${to.toLowerCase()}.`));
  if (!from.includes(reminder.status)) return invalid();
  const updated = await ctx.repos.reminders.transition(reminder, from, to, fields);
  // Null: it changed status between our read and our write (e.g. a visit completed it).
  return updated ? { reminder: updated, userErrors: [] } : invalid();
}

export async function acknowledgeReminder(ctx: ServiceContext, input: { id: string }): Promise<ReminderResult> {
  const reminder = await actionableReminder(ctx, input.id);
  if (!reminder) return failed(notFound('id', 'reminder'));
  return move(ctx, reminder, ['OPEN'], 'ACKNOWLEDGED', { acknowledgedAt: ctx.clock().toISOString() });
}

export async function bookServiceFromReminder(ctx: ServiceContext, input: { id: string; appointmentAt: string; dealerId?: string | null }): Promise<ReminderResult> {
  const now = ctx.clock();
  const errors: UserError[] = [];
  const appointment = parseInstant(input.appointmentAt);
  if (!appointment) errors.push(userError('appointmentAt', 'INVALID_DATE', 'Use an ISO 8601 date-time with offset.'));
  else if (appointment.getTime() <= now.getTime()) errors.push(userError('appointmentAt', 'INVALID_DATE', 'The appointment must be in the future.'));
  const reminder = await actionableReminder(ctx, input.id);
  if (!reminder) return failed(notFound('id', 'reminder'), ...errors);
  const dealerId = input.dealerId ? keyOfGlobalId(input.dealerId, DEALER_NODE) : reminder.dealerId;
  if (!dealerId || !(await ctx.access.dealer(dealerId))) errors.push(notFound('dealerId', 'dealer'));
  if (errors.length || !appointment || !dealerId) return failed(...errors);
  return move(ctx, reminder, ACTIVE_REMINDER_STATUSES, 'BOOKED', { booking: { appointmentAt: appointment.toISOString(), dealerId, bookedAt: now.toISOString() } });
}

export async function dismissReminder(ctx: ServiceContext, input: { id: string; reason: string }): Promise<ReminderResult> {
  const errors = checkText('reason', input.reason, { max: 500 });
  const reminder = await actionableReminder(ctx, input.id);
  if (!reminder) return failed(notFound('id', 'reminder'), ...errors);
  if (errors.length) return failed(...errors);
  return move(ctx, reminder, ACTIVE_REMINDER_STATUSES, 'DISMISSED', { dismissal: { reason: input.reason.trim(), dismissedAt: ctx.clock().toISOString() } });
}
