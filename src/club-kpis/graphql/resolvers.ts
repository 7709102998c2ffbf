import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import type { Money } from '../../shared/money.js';
import { clubKpiReport } from '../club-kpi-service.js';

const eur = (amountMinor: number): Money => ({ amountMinor, currency: 'EUR' });

export const clubKpiResolvers: Resolvers = {
  Query: {
    clubKpis: (_, args, ctx) => clubKpiReport(ctx, args),
  },
  ClubKpis: {
    pointValue: (k) => eur(k.pointValueEurMinor),
    pointsLiability: (k) => eur(k.pointsLiabilityEurMinor),
  },
};
