import { defineModule } from '../graphql/domain-module.js';
import { CLUB_EVENT_NODE, EVENT_REGISTRATION_NODE, parseRegistrationGlobalKey } from './event-records.js';
import { canSeeRegistration } from './event-service.js';
import { eventLoader } from './graphql/event-loader.js';
import { eventsResolvers } from './graphql/resolvers.js';

export default defineModule({
  name: 'events',
  resolvers: eventsResolvers,
  nodeTypes: [
    // The programme is open to every signed-in caller.
    { key: CLUB_EVENT_NODE, load: (ctx, id) => eventLoader(ctx).load(id) },
    {
      key: EVENT_REGISTRATION_NODE,
      load: async (ctx, key) => {
        const ref = parseRegistrationGlobalKey(key);
        if (!ref) return null;
        const [registration, event] = await Promise.all([ctx.repos.events.getRegistration(ref.eventId, ref.customerId), eventLoader(ctx).load(ref.eventId)]);
        return registration && (await canSeeRegistration(ctx, registration, event)) ? registration : null;
      },
    },
  ],
});
