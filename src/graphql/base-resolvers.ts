import { roleOf } from '../auth/principal.js';
import { formatAmount } from '../shared/money.js';
import { DateScalar, DateTimeScalar, DecimalScalar, EmailAddressScalar } from './scalars.js';
import { scopeToEnum } from '../auth/api-key.js';
import type { DealerScope, Resolvers } from './__generated__/resolvers-types.js';

/** The types every domain shares (`schema/base`): scalars, the viewer, money. `node`/`nodes` are built from the modules (`nodes.ts`). */
export const baseResolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  EmailAddress: EmailAddressScalar,
  Decimal: DecimalScalar,
  Query: {
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
