import { clubPolicy } from '../auth/policies.js';
import { InvalidInputError } from '../shared/errors.js';
import type { ServiceContext } from '../shared/service-context.js';
import { isValidIsoDate } from '../shared/validation.js';
import { toClubKpiView, type ClubKpiView } from './club-kpis.js';

/**
 * The club's KPIs: one GetItem of the roll-up the club run writes daily (the latest, or
 * the one of a given day). The brand's admins and analysts read them; for everyone else,
 * as for `kpis`, there is nothing (null).
 */
export async function clubKpiReport(ctx: ServiceContext, args: { asOf?: string | null }): Promise<ClubKpiView | null> {
  if (args.asOf != null && !isValidIsoDate(args.asOf)) throw new InvalidInputError('`asOf` is a day, e.g. "2026-11-21".', 'asOf');
  if (!clubPolicy.canReadClubKpis(ctx.principal)) return null;
  const rollup = args.asOf ? await ctx.repos.clubKpis.ofDay(args.asOf) : await ctx.repos.clubKpis.latest();
  return rollup ? toClubKpiView(rollup) : null;
}
