import { dealerPolicy } from '../../auth/policies.js';
import { customersOfDealer } from '../../customer/customer-listing.js';
import { apiKeyGlobalKey, createDealer, issueDealerApiKey, listDealers, revokeDealerApiKey } from '../dealer-service.js';
import { keyOfGlobalId, toGlobalId } from '../../shared/ids.js';
import { checkPageSize, pageToConnection } from '../../graphql/connection.js';
import { effectiveScopes, scopeFromEnum, scopeToEnum } from '../../auth/api-key.js';
import type { DealerScope, Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { DEALER_NODE } from '../dealer.js';
import { DEALER_API_KEY_NODE } from '../api-key-record.js';

export const dealerResolvers: Resolvers = {
  Query: {
    dealer: (_, { id }, ctx) => {
      const key = keyOfGlobalId(id, DEALER_NODE);
      return key ? ctx.access.dealer(key) : null;
    },
    dealers: async (_, { first, after }, ctx) => pageToConnection(await listDealers(ctx, checkPageSize(first), after)),
  },
  Mutation: {
    createDealer: (_, { input }, ctx) => createDealer(ctx, input),
    issueDealerApiKey: (_, { input }, ctx) => issueDealerApiKey(ctx, { ...input, scopes: input.scopes.map(scopeFromEnum) }),
    revokeDealerApiKey: (_, { input }, ctx) => revokeDealerApiKey(ctx, input),
  },
  Dealer: {
    id: (d) => toGlobalId(DEALER_NODE, d.id),
    customers: async (d, { first, after }, ctx) => pageToConnection(await customersOfDealer(ctx, d.id, { first: checkPageSize(first), after })),
    apiKeys: (d, _, ctx) => (dealerPolicy.canSeeApiKeys(ctx.principal, d.id) ? ctx.repos.dealers.apiKeysOf(d.id) : []),
  },
  DealerApiKey: {
    id: (k) => toGlobalId(DEALER_API_KEY_NODE, apiKeyGlobalKey(k)),
    // Effective scopes, also for keys stored before write scopes implied their reads.
    scopes: (k) => effectiveScopes(k.scopes).map(scopeToEnum) as DealerScope[],
    dealer: (k, _, ctx) => ctx.access.dealer(k.dealerId),
  },
};
