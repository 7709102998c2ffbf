import { interestsOf } from '../aggregates.js';
import { kpiReport } from '../kpi-service.js';
import { BENEFITS, VALUE_PARAMS } from '../model.js';
import { recordFinanceContract, recordInteractions, recordOrder, submitSurvey } from '../value-service.js';
import type { Money } from '../../shared/money.js';
import type { ModelLine } from '../../catalogue/model-lines.js';
import { loadPage } from '../../auth/loaders.js';
import { checkPageSize, pageToConnection } from '../../graphql/connection.js';
import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

const eur = (amountMinor: number): Money => ({ amountMinor, currency: VALUE_PARAMS.reportingCurrency });
/** A 60-day half-life: five recent interactions make a strong interest. */
const strength = (count: number, last: string, now: Date) => Math.min(1, Math.round(((count * 0.5 ** ((now.getTime() - Date.parse(last)) / (60 * 86_400_000))) / 5) * 100) / 100);

export const valueResolvers: Resolvers = {
  Query: {
    kpis: (_, args, ctx) => kpiReport(ctx, args),
  },
  Mutation: {
    recordInteractions: (_, { input }, ctx) => recordInteractions(ctx, input),
    recordOrder: (_, { input }, ctx) => recordOrder(ctx, input),
    recordFinanceContract: (_, { input }, ctx) => recordFinanceContract(ctx, input),
    submitSurvey: (_, { input }, ctx) => submitSurvey(ctx, input),
  },
  Customer: {
    value: (c) => c.value ?? null,
    interactions: async (c, { first, after }, ctx) => {
      const size = checkPageSize(first);
      return pageToConnection(await loadPage(ctx.loaders, 'Customer.interactions', c.id, { size, after }, () => ctx.repos.facts.interactionsOf(c.id, size, after)));
    },
    interests: (c, _, ctx) =>
      interestsOf(c.aggregates)
        .map((i) => {
          const [line, topic = ''] = i.key.split('|');
          return { modelLine: line === 'ANY' ? null : (line as ModelLine), topic, count: i.count, lastSeenAt: i.last, strength: strength(i.count, i.last, ctx.clock()) };
        })
        .sort((a, b) => b.strength - a.strength || b.count - a.count),
  },
  CustomerValue: {
    clv: (v) => eur(v.clvMinor),
    benefits: (v) => BENEFITS.filter((b) => v.benefits.includes(b.code)),
  },
  ValueComponents: {
    vehicle: (c) => eur(c.vehicle),
    service: (c) => eur(c.service),
    upgrades: (c) => eur(c.upgrades),
    merchandise: (c) => eur(c.merchandise),
    finance: (c) => eur(c.finance),
  },
  KpiReport: {
    dealer: (k, _, ctx) => (k.dealerId ? ctx.access.dealer(k.dealerId) : null),
    averageClv: (k) => eur(k.averageClvMinor),
    averageClvComponents: (k) => k.averageComponentsMinor,
  },
};
