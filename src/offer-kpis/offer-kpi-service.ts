import { offerPolicy } from '../auth/policies.js';
import { DEALER_NODE } from '../dealer/dealer.js';
import { BRAND_STATS_SCOPE, dealerStatsScope } from '../offers/offer-records.js';
import { InvalidInputError } from '../shared/errors.js';
import { keyOfGlobalId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { BRAND_SCOPE, dealerScope } from '../value/kpis.js';
import { isMonth, MAX_REPORT_MONTHS, monthsBetween, offerKpiView, twelveMonthsTo, type OfferKpiView } from './offer-kpis.js';

/**
 * The offers' KPIs of the brand or one dealer over the decision months [from, to]: one
 * Query of the scope's statistics items (from the earlier of `from` and the 12 months to
 * `to`), the catalogue (names, values) and the value KPIs' roll-up of `to`. The brand's
 * staff read any scope; a dealer key with `offers:read` its own dealer; anyone else
 * nothing (null, as for `kpis`: the answer does not tell a dealer exists).
 */
export async function offerKpiReport(ctx: ServiceContext, args: { from: string; to: string; dealerId?: string | null }): Promise<OfferKpiView | null> {
  if (!isMonth(args.from)) throw new InvalidInputError('`from` is a month, e.g. "2026-09".', 'from');
  if (!isMonth(args.to)) throw new InvalidInputError('`to` is a month, e.g. "2026-11".', 'to');
  const months = monthsBetween(args.from, args.to);
  if (months === 0) throw new InvalidInputError('`to` is not before `from`.', 'to');
  if (months > MAX_REPORT_MONTHS) throw new InvalidInputError(`A report spans at most ${MAX_REPORT_MONTHS} months.`, 'from');
  let dealerId: string | undefined;
  if (args.dealerId != null) {
    dealerId = keyOfGlobalId(args.dealerId, DEALER_NODE) ?? undefined;
    if (!dealerId) return null;
  }
  if (!offerPolicy.canReadKpis(ctx.principal, dealerId)) return null;
  const statsScope = dealerId ? dealerStatsScope(dealerId) : BRAND_STATS_SCOPE;
  const first = args.from < twelveMonthsTo(args.to) ? args.from : twelveMonthsTo(args.to);
  const [stats, catalogue, rollup] = await Promise.all([
    ctx.repos.offerKpis.statsOf(statsScope, first, args.to),
    ctx.repos.offers.allOffers(),
    ctx.repos.values.kpiRollup(args.to, dealerId ? dealerScope(dealerId) : BRAND_SCOPE),
  ]);
  return offerKpiView({
    scope: dealerId ? 'DEALER' : 'BRAND',
    ...(dealerId ? { dealerId } : {}),
    from: args.from,
    to: args.to,
    stats,
    offers: new Map(catalogue.map((o) => [o.code, o])),
    valueSums: rollup?.sums ?? null,
  });
}
