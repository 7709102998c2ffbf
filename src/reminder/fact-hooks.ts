import type { FactHooks } from '../store/fact-hooks.js';
import { reminderKeys } from './reminder.js';

/**
 * The reminder domain's reactions: a visit that performs the reminded items completes the
 * cycle's reminder in the visit's transaction (the service decides that it does, see
 * `service/service-cycle.ts`; this writes it). The reminder must still be in the status
 * it was read in: a customer dismissing it meanwhile makes the visit read and decide again.
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
};

/** Collected for the composition root by `npm run codegen` (`src/__generated__/fact-hooks.ts`). */
export default reminderFactHooks;
