import { valuePolicy } from '../auth/policies.js';
import { InvalidInputError } from '../shared/errors.js';
import { keyOfGlobalId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { BRAND_SCOPE, dealerScope, toKpiView, type KpiView } from './kpis.js';
import { DEALER_NODE } from '../dealer/dealer.js';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * A month's KPIs: one GetItem of the roll-up the scores job wrote. The brand's staff read
 * any scope; a dealer key reads only its own dealer; customers read none.
 */
export async function kpiReport(ctx: ServiceContext, args: { scope: 'BRAND' | 'DEALER'; dealerId?: string | null; period: string }): Promise<KpiView | null> {
  if (!PERIOD.test(args.period)) throw new InvalidInputError('`period` is a month, e.g. "2026-11".', 'period');
  let scopeKey = BRAND_SCOPE;
  let dealerId: string | undefined;
  if (args.scope === 'DEALER') {
    if (!args.dealerId) throw new InvalidInputError('A DEALER report names its `dealerId`.', 'dealerId');
    dealerId = keyOfGlobalId(args.dealerId, DEALER_NODE) ?? undefined;
    if (!dealerId) return null;
    scopeKey = dealerScope(dealerId);
  }
  if (!valuePolicy.canReadKpis(ctx.principal, dealerId)) return null;
  const rollup = await ctx.repos.values.kpiRollup(args.period, scopeKey);
  return rollup ? toKpiView(rollup.sums, args.scope, args.period, rollup.computedAt, dealerId) : null;
}
