import { checkPageSize, pageToConnection } from '../../graphql/connection.js';
import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { adjustPoints, expiringSoon, joinClub, leaveClub, ledgerPage, membershipBalance, openLots, qualifyingPoints, reversePoints, visibleMembership } from '../membership-service.js';

export const clubResolvers: Resolvers = {
  Mutation: {
    joinClub: (_, { input }, ctx) => joinClub(ctx, input),
    leaveClub: (_, { input }, ctx) => leaveClub(ctx, input),
    adjustPoints: (_, { input }, ctx) => adjustPoints(ctx, input),
    reversePoints: (_, { input }, ctx) => reversePoints(ctx, input),
  },
  Customer: {
    club: (c, _, ctx) => visibleMembership(ctx, c),
  },
  ClubMembership: {
    memberSince: (m) => m.joinedAt,
    leftAt: (m) => m.leftAt ?? null,
    qualifyingPoints: (m, _, ctx) => qualifyingPoints(ctx, m),
    balance: (m, _, ctx) => membershipBalance(ctx, m),
    lots: (m, _, ctx) => openLots(ctx, m),
    expiringSoon: (m, { days }, ctx) => expiringSoon(ctx, m, days ?? 30),
    ledger: async (m, { first, after }, ctx) => pageToConnection(await ledgerPage(ctx, m, checkPageSize(first), after)),
  },
  ClubPointsLot: {
    pending: (l, _, ctx) => l.availableFrom > ctx.clock().toISOString(),
  },
  ClubLedgerEntry: {
    sourceType: (e) => e.source?.type ?? null,
    sourceId: (e) => e.source?.id ?? null,
    draws: (e) => e.draws ?? [],
    owedChange: (e) => e.owedChange ?? 0,
    reverses: (e) => e.reverses ?? null,
    reason: (e) => e.reason ?? null,
  },
};
