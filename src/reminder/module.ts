import { defineModule } from '../graphql/domain-module.js';
import { reminderResolvers } from './graphql/resolvers.js';
import { parseReminderGlobalKey, REMINDER_NODE } from './reminder.js';

export default defineModule({
  name: 'reminder',
  resolvers: reminderResolvers,
  nodeTypes: [
    {
      key: REMINDER_NODE,
      load: async (ctx, key) => {
        const ref = parseReminderGlobalKey(key);
        const reminder = ref ? await ctx.repos.reminders.get(ref.vin, ref.cycle) : null;
        return reminder && (await ctx.access.canSeeVehicleItem(reminder)) ? reminder : null;
      },
    },
  ],
});
