import { checkPageSize, pageToConnection } from '../../graphql/connection.js';
import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { DEALER_NODE } from '../../dealer/dealer.js';
import { keyOfGlobalId, toGlobalId } from '../../shared/ids.js';
import type { Money } from '../../shared/money.js';
import { offerPolicy } from '../../auth/policies.js';
import { defineOffer, offerCatalogue, retireOffer } from '../catalogue-service.js';
import { OFFER_DEFINITION_NODE, OFFER_NODE, offerNodeKey } from '../offer-records.js';
import { followUpsOf, nextBestOffers, offersOf, recordOfferResponse } from '../offer-service.js';

/** Records keep EUR cents (decisions, conversions) or whole EUR (the catalogue's bounds); the API shows Money. */
const eurCents = (amountMinor: number): Money => ({ amountMinor, currency: 'EUR' });
const eur = (whole: number | undefined): Money | null => (whole === undefined ? null : eurCents(whole * 100));

export const offersResolvers: Resolvers = {
  Query: {
    offerCatalogue: async (_, { first, after, includeRetired }, ctx) => pageToConnection(await offerCatalogue(ctx, checkPageSize(first), after, includeRetired ?? false)),
    // A dealer id of another type or shape is a dealer nobody may list: the same empty list.
    offerFollowUps: async (_, { dealerId, first, after }, ctx) => pageToConnection(await followUpsOf(ctx, keyOfGlobalId(dealerId, DEALER_NODE) ?? '', checkPageSize(first), after)),
  },
  Mutation: {
    defineOffer: (_, { input }, ctx) => defineOffer(ctx, input),
    retireOffer: (_, { input }, ctx) => retireOffer(ctx, input),
    recordOfferResponse: (_, { input }, ctx) => recordOfferResponse(ctx, input),
  },
  Customer: {
    offers: (c, { status }, ctx) => offersOf(ctx, c, status),
    nextBestOffers: (c, { first }, ctx) => nextBestOffers(ctx, c, first ?? 3),
  },
  Dealer: {
    offerFollowUps: async (d, { first, after }, ctx) => pageToConnection(await followUpsOf(ctx, d.id, checkPageSize(first), after)),
  },
  Offer: {
    id: (d) => toGlobalId(OFFER_NODE, offerNodeKey(d)),
    code: (d) => d.offerCode,
    version: (d) => d.offerVersion,
    expectedValue: (d) => eurCents(d.expectedValueEurMinor),
    value: (d) => eurCents(d.valueEur * 100),
    conversion: (d) => d.conversion ?? null,
    // Only the brand's staff ever get a holdout decision; everyone else must not even see the flag's false.
    holdout: (d, _, ctx) => (offerPolicy.canSeeHoldout(ctx.principal) ? d.holdout : null),
    followUpDealer: (d, _, ctx) => (d.followUp && !d.holdout && d.dealerId ? ctx.access.dealer(d.dealerId) : null),
    customer: (d, _, ctx) => ctx.access.customer(d.customerId),
  },
  OfferConversion: {
    value: (c) => eurCents(c.valueEurMinor),
  },
  OfferDefinition: {
    id: (o) => toGlobalId(OFFER_DEFINITION_NODE, o.code),
    value: (o) => eurCents(o.valueEur * 100),
  },
  OfferEligibility: {
    minSpent: (e) => eur(e.minSpentEur),
    maxSpent: (e) => eur(e.maxSpentEur),
    minClv: (e) => eur(e.minClvEur),
  },
};
