import type { FactHooks } from '../store/fact-hooks.js';
import { reminderKeys } from './reminder.js';
import { ReminderRepository } from './reminder-repository.js';
import { broughtForward } from './reminder-update.js';

/**
 * The reminder domain's reactions: a visit that performs the reminded items completes the
 * cycle's reminder in the visit's transaction (the service decides that it does, see
 * `service/service-cycle.ts`; this writes it). The reminder must still be in the status
 * it was read in: a customer dismissing it meanwhile makes the visit read and decide again.
 *
 * New readings (`VehiclePlanChanged`) that move the due date earlier bring the cycle's
 * reminder forward, if it was sent and is still `OPEN` or `ACKNOWLEDGED`: the same
 * reminder, updated, with a `MaintenanceReminderUpdated` event — in the readings'
 * transaction. The hook reads the reminder (the registry asks again on every attempt, so a
 * retried reading never writes from a stale read). Later dates change nothing.
 */
const reminderFactHooks: FactHooks = {
  ServiceVisitRecorded: ({ completedReminder }, store) => {
    if (!completedReminder) return [];
    const { before, after } = completedReminder;
    return [
      {
        item: {
          Update: {
            TableName: store.tableName,
            Key: reminderKeys.reminder(before.vin, before.cycle),
            UpdateExpression: 'SET #status = :completed, #completedAt = :at, #visit = :visit',
            ConditionExpression: '#status = :current',
            ExpressionAttributeNames: { '#status': 'status', '#completedAt': 'completedAt', '#visit': 'completedByVisitId' },
            ExpressionAttributeValues: { ':completed': after.status, ':at': after.completedAt, ':visit': after.completedByVisitId, ':current': before.status },
          },
        },
      },
    ];
  },

  VehiclePlanChanged: async ({ after, at }, store, context) => {
    // Only a cycle already reminded has a reminder to bring forward; an un-reminded one is timed by the index.
    if (after.remindedCycle !== after.reminderCycle || !after.servicePlan?.items.length) return [];
    const reminders = new ReminderRepository(store);
    const reminder = await reminders.get(after.vin, after.reminderCycle);
    const updated = reminder && broughtForward(reminder, after, at);
    if (!reminder || !updated) return [];
    return reminders.broughtForwardItems(reminder, updated, context?.now ?? new Date(at)).map((item) => ({ item }));
  },
};

/** Collected for the composition root by `npm run codegen` (`src/__generated__/fact-hooks.ts`). */
export default reminderFactHooks;
