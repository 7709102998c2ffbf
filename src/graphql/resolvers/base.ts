import { dealerPolicy } from '../../auth/policies.js';
import { roleOf } from '../../auth/principal.js';
import { parseApiKeyGlobalKey } from '../../dealer/dealer-service.js';
import { parseReminderGlobalKey } from '../../reminder/reminder.js';
import { parseServiceVisitGlobalKey } from '../../service/service-visit.js';
import { formatAmount } from '../../shared/money.js';
import { fromGlobalId } from '../../shared/ids.js';
import type { GraphQLContext } from '../context.js';
import { badUserInput } from '../errors.js';
import { MAX_NODE_IDS as MAX_NODES } from '../limits.js';
import { DateScalar, DateTimeScalar, DecimalScalar, EmailAddressScalar } from '../scalars.js';
import { scopeToEnum } from '../../auth/api-key.js';
import type { DealerScope, Resolvers } from '../__generated__/resolvers-types.js';

/** Any node by global id, through the same access checks as the typed queries. */
async function loadNode(ctx: GraphQLContext, id: string) {
  const parsed = fromGlobalId(id);
  if (!parsed) return null;
  switch (parsed.type) {
    case 'Customer':
      return ctx.access.customer(parsed.key);
    case 'Vehicle':
      return ctx.access.vehicle(parsed.key);
    case 'Dealer':
      return ctx.access.dealer(parsed.key);
    case 'DealerApiKey': {
      const ref = parseApiKeyGlobalKey(parsed.key);
      if (!ref || !dealerPolicy.canSeeApiKeys(ctx.principal, ref.dealerId)) return null;
      return ctx.repos.dealers.getApiKey(ref.dealerId, ref.id);
    }
    case 'ServiceVisit': {
      const ref = parseServiceVisitGlobalKey(parsed.key);
      const visit = ref ? await ctx.repos.vehicles.visit(ref.vin, ref.performedAt, ref.id) : null;
      return visit && (await ctx.access.canSeeVehicleItem(visit)) ? visit : null;
    }
    case 'MaintenanceReminder': {
      const ref = parseReminderGlobalKey(parsed.key);
      const reminder = ref ? await ctx.repos.reminders.get(ref.vin, ref.cycle) : null;
      return reminder && (await ctx.access.canSeeVehicleItem(reminder)) ? reminder : null;
    }
  }
}

export const baseResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  EmailAddress: EmailAddressScalar,
  Decimal: DecimalScalar,
  Node: {
    // Mapped records carry no type tag; each has a field no other has.
    __resolveType: (node) => {
      if ('cycle' in node) return 'MaintenanceReminder';
      if ('performedAt' in node) return 'ServiceVisit';
      if ('vin' in node) return 'Vehicle';
      if ('keyHash' in node) return 'DealerApiKey';
      if ('code' in node) return 'Dealer';
      return 'Customer';
    },
  },
  Query: {
    node: (_, { id }, ctx) => loadNode(ctx, id),
    nodes: (_, { ids }, ctx) => {
      if (ids.length > MAX_NODES) throw badUserInput(`At most ${MAX_NODES} ids per call.`, 'ids');
      return Promise.all(ids.map((id) => loadNode(ctx, id)));
    },
    me: (_, __, ctx) => ctx.principal,
  },
  Viewer: {
    role: (p) => roleOf(p),
    customer: (p, _, ctx) => (p.kind === 'customer' ? ctx.access.customer(p.customerId) : null),
    dealer: (p, _, ctx) => (p.kind === 'dealer' ? ctx.access.dealer(p.dealerId) : null),
    scopes: (p) => (p.kind === 'dealer' ? p.scopes.map(scopeToEnum) as DealerScope[] : []),
  },
  Money: {
    amount: (m) => formatAmount(m.amountMinor),
    currency: (m) => m.currency,
  },
};
