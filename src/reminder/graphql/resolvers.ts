import { acknowledgeReminder, bookServiceFromReminder, dismissReminder } from '../reminder-service.js';
import { reminderGlobalKey, REMINDER_NODE } from '../reminder.js';
import { toGlobalId } from '../../shared/ids.js';
import { loadPage } from '../../auth/loaders.js';
import { checkPageSize, pageToConnection } from '../../graphql/connection.js';
import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

export const reminderResolvers: Resolvers = {
  Mutation: {
    acknowledgeReminder: (_, { input }, ctx) => acknowledgeReminder(ctx, input),
    bookServiceFromReminder: (_, { input }, ctx) => bookServiceFromReminder(ctx, input),
    dismissReminder: (_, { input }, ctx) => dismissReminder(ctx, input),
  },
  MaintenanceReminder: {
    id: (r) => toGlobalId(REMINDER_NODE, reminderGlobalKey(r)),
    vehicle: (r, _, ctx) => ctx.access.vehicle(r.vin),
    customer: (r, _, ctx) => ctx.access.customer(r.customerId),
    dealer: (r, _, ctx) => ctx.access.dealer(r.dealerId),
    channel: (r) => r.channel ?? null,
    revision: (r) => r.revision ?? 1,
  },
  ServiceBooking: {
    dealer: (b, _, ctx) => ctx.access.dealer(b.dealerId),
  },
  Vehicle: {
    reminders: async (v, { status, first, after }, ctx) => {
      const size = checkPageSize(first);
      const page = await loadPage(ctx.loaders, 'Vehicle.reminders', v.vin, { status, size, after }, () => ctx.repos.reminders.ofVehicle(v.vin, size, after, status));
      ctx.access.remember({ vehicles: [v] });
      return pageToConnection(page, await ctx.access.visibleVehicleItems(page.items));
    },
  },
  Customer: {
    reminders: async (c, { status, first, after }, ctx) => {
      const size = checkPageSize(first);
      const page = await loadPage(ctx.loaders, 'Customer.reminders', c.id, { status, size, after }, () => ctx.repos.reminders.ofCustomer(c.id, size, after, status));
      ctx.access.remember({ customers: [c] });
      return pageToConnection(page, await ctx.access.visibleVehicleItems(page.items));
    },
  },
};
