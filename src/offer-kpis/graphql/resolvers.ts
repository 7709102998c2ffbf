import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import type { Money } from '../../shared/money.js';
import { offerKpiReport } from '../offer-kpi-service.js';

const eur = (amountMinor: number): Money => ({ amountMinor, currency: 'EUR' });
const eurOrNull = (eurAmount: number | null): Money | null => (eurAmount === null ? null : eur(Math.round(eurAmount * 100)));

export const offerKpiResolvers: Resolvers = {
  Query: {
    offerKpis: (_, args, ctx) => offerKpiReport(ctx, args),
  },
  OfferKpis: {
    dealer: (k, _, ctx) => (k.dealerId ? ctx.access.dealer(k.dealerId) : null),
    incrementalValue: (k) => eur(k.incrementalValueEurMinor),
  },
  OfferUpliftReport: {
    code: (o) => o.offerCode,
    valueToBrand: (o) => eur(o.valueEur * 100),
    uplift: (o) => o.uplift.uplift,
    upliftLow: (o) => o.uplift.low,
    upliftHigh: (o) => o.uplift.high,
    significant: (o) => o.uplift.significant,
    incrementalConversions: (o) => o.uplift.incrementalConversions,
    incrementalValue: (o) => eurOrNull(o.uplift.incrementalValueEur),
  },
  OfferArm: {
    convertedValue: (a) => eur(a.convertedValueEurMinor),
  },
};
