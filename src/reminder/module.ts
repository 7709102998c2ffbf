import { defineModule } from '../graphql/domain-module.js';
import { reminderFactHooks } from './fact-hooks.js';
import { reminderResolvers } from './graphql/resolvers.js';
import { ReminderRepository } from './reminder-repository.js';
import { parseReminderGlobalKey, REMINDER_NODE } from './reminder.js';

declare module '../composition.js' {
  interface Repositories {
    reminders: ReminderRepository;
  }
}

export default defineModule({
  name: 'reminder',
  resolvers: reminderResolvers,
  repositories: (store) => ({ reminders: new ReminderRepository(store) }),
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
  facts: reminderFactHooks,
});
