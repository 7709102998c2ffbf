import { listCustomers } from '../customer-listing.js';
import { consentHistory, consentsAt } from '../consent-service.js';
import { confirmEmailChange, createCustomer, linkCustomerToDealer, setConsents, updateCustomer } from '../customer-service.js';
import { CONSENT_CHANNELS, CUSTOMER_NODE } from '../customer.js';
import { keyOfGlobalId, toGlobalId } from '../../shared/ids.js';
import { checkPageSize, pageOfKeys, pageToConnection, toConnection } from '../../graphql/connection.js';
import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

export const customerResolvers: Resolvers = {
  Query: {
    customer: (_, { id }, ctx) => {
      const key = keyOfGlobalId(id, CUSTOMER_NODE);
      return key ? ctx.access.customer(key) : null;
    },
    customers: async (_, { first, after, filter }, ctx) => pageToConnection(await listCustomers(ctx, { first: checkPageSize(first), after, filter })),
  },
  Mutation: {
    createCustomer: (_, { input }, ctx) => createCustomer(ctx, input),
    updateCustomer: (_, { input }, ctx) => updateCustomer(ctx, input),
    setConsents: (_, { input }, ctx) => setConsents(ctx, input),
    confirmEmailChange: (_, { input }, ctx) => confirmEmailChange(ctx, input),
    linkCustomerToDealer: async (_, { input }, ctx) => {
      const result = await linkCustomerToDealer(ctx, input);
      return { ...result, dealer: result.dealerId ? await ctx.access.dealer(result.dealerId) : null };
    },
  },
  Customer: {
    id: (c) => toGlobalId(CUSTOMER_NODE, c.id),
    consents: (c) => CONSENT_CHANNELS.flatMap((channel) => (c.consents[channel] ? [c.consents[channel]] : [])),
    consentHistory: async (c, { channel, first, after }, ctx) => pageToConnection(await consentHistory(ctx, c, channel, checkPageSize(first), after)),
    consentsAt: (c, { at }, ctx) => consentsAt(ctx, c, at),
    vehicles: async (c, { first, after }, ctx) => {
      const page = pageOfKeys(c.vehicleVins, checkPageSize(first), after);
      const vehicles = await Promise.all(page.keys.map((vin) => ctx.access.vehicle(vin)));
      return toConnection(
        vehicles.map((node, i) => ({ cursor: page.cursors[i]!, node })),
        page.hasNextPage,
        page.cursors.at(-1) ?? null,
      );
    },
    dealers: async (c, _, ctx) => (await Promise.all(c.dealerIds.map((id) => ctx.access.dealer(id)))).filter((d) => d !== null),
  },
};
