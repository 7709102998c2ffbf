import { callerCustomerId } from '../../auth/policies.js';
import { loadPage } from '../../auth/loaders.js';
import { checkPageSize, pageToConnection } from '../../graphql/connection.js';
import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { toGlobalId } from '../../shared/ids.js';
import { fixedPage } from '../../store/cursor.js';
import { checkInAttendee } from '../check-in-service.js';
import { CLUB_EVENT_NODE, EVENT_REGISTRATION_NODE, registrationGlobalKey, registrationSeats } from '../event-records.js';
import { cancelClubEvent, canSeeAttendees, createClubEvent, listClubEvents, updateClubEvent } from '../event-service.js';
import { acceptEventSeat, cancelEventRegistration, declineEventSeat, registerForEvent } from '../registration-service.js';
import { eventLoader, registrationOf } from './event-loader.js';

export const eventsResolvers: Resolvers = {
  Query: {
    clubEvents: async (_, { first, after, from, hostDealerId }, ctx) => pageToConnection(await listClubEvents(ctx, { first: checkPageSize(first), after, from, hostDealerId })),
  },
  Mutation: {
    createClubEvent: (_, { input }, ctx) => createClubEvent(ctx, input),
    updateClubEvent: (_, { input }, ctx) => updateClubEvent(ctx, input),
    cancelClubEvent: (_, { input }, ctx) => cancelClubEvent(ctx, input),
    registerForEvent: (_, { input }, ctx) => registerForEvent(ctx, input),
    cancelEventRegistration: (_, { input }, ctx) => cancelEventRegistration(ctx, input),
    acceptEventSeat: (_, { input }, ctx) => acceptEventSeat(ctx, input),
    declineEventSeat: (_, { input }, ctx) => declineEventSeat(ctx, input),
    checkInAttendee: (_, { input }, ctx) => checkInAttendee(ctx, input),
  },
  ClubEvent: {
    id: (e) => toGlobalId(CLUB_EVENT_NODE, e.id),
    host: (e) => ({ hostDealerId: e.hostDealerId }),
    price: (e) => ({ points: e.pricePoints ?? null, money: e.priceMoney ?? null }),
    eligibility: (e) => ({ minimumLevel: e.eligibility.minimumLevel ?? null, modelLines: e.eligibility.modelLines, variants: e.eligibility.variants }),
    waitlistLength: (e) => e.waitlisted,
    // Who registered is for the host and the brand's staff: others get an empty list, not an error.
    registrations: async (e, { first, after }, ctx) =>
      pageToConnection(canSeeAttendees(ctx, e) ? await loadPage(ctx.loaders, 'ClubEvent.registrations', e.id, { first, after }, () => ctx.repos.events.registrationsOf(e.id, checkPageSize(first), after)) : fixedPage()),
    waitlist: async (e, { first, after }, ctx) => pageToConnection(canSeeAttendees(ctx, e) ? await ctx.repos.events.waitlistOf(e.id, checkPageSize(first), after) : fixedPage()),
    myRegistration: (e, _, ctx) => {
      const self = callerCustomerId(ctx.principal);
      return self ? registrationOf(ctx, e.id, self) : null;
    },
    cancelledAt: (e) => e.cancelledAt ?? null,
  },
  ClubEventHost: {
    kind: (h) => (h.hostDealerId ? 'DEALER' : 'BRAND'),
    // The name is public programme information; the dealer object follows the dealer directory's rules.
    dealerName: async (h, _, ctx) => (h.hostDealerId ? ((await ctx.loaders.dealer.load(h.hostDealerId))?.name ?? null) : null),
    dealer: (h, _, ctx) => (h.hostDealerId ? ctx.access.dealer(h.hostDealerId) : null),
  },
  EventRegistration: {
    id: (r) => toGlobalId(EVENT_REGISTRATION_NODE, registrationGlobalKey(r)),
    event: (r, _, ctx) => eventLoader(ctx).load(r.eventId),
    customer: (r, _, ctx) => ctx.access.customer(r.customerId),
    // Reached only through the registration's own visibility: the attendee list at the door needs the name, not the profile.
    attendeeName: async (r, _, ctx) => {
      const c = await ctx.loaders.customer.load(r.customerId);
      return c ? `${c.firstName} ${c.lastName}` : null;
    },
    seats: (r) => registrationSeats(r),
    confirmedAt: (r) => r.confirmedAt ?? null,
    offeredAt: (r) => r.offeredAt ?? null,
    holdExpiresAt: (r) => (r.status === 'OFFERED' ? (r.holdExpiresAt ?? null) : null),
    checkedInAt: (r) => r.checkedInAt ?? null,
    endedAt: (r) => r.endedAt ?? null,
    pointsPaid: (r) => r.pointsPaid ?? null,
  },
  ClubMembership: {
    eventRegistrations: async (m, { first, after }, ctx) => {
      const size = checkPageSize(first);
      return pageToConnection(await loadPage(ctx.loaders, 'ClubMembership.eventRegistrations', m.customerId, { size, after }, () => ctx.repos.events.ofMember(m.customerId, size, after)));
    },
  },
};
