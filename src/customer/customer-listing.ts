import { dealerPolicy } from '../auth/policies.js';
import { pageToConnection, toConnection, type Connection } from '../graphql/connection.js';
import { keyOfGlobalId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import type { ModelLine } from '../vehicle/model-lines.js';
import { searchTextOf, type CustomerRecord } from './customer.js';
import { badUserInput } from '../graphql/errors.js';
import { parseAmountMinor } from '../shared/money.js';
import type { Tier } from '../value/model.js';

export interface CustomerListArgs {
  first: number;
  after?: string | null;
  filter?: { search?: string | null; dealerId?: string | null; modelLine?: ModelLine | null; tier?: Tier | null; minClv?: string | null } | null;
}

/** Longer than any name plus email a person has; longer needles match nothing anyway. */
export const MAX_SEARCH_LENGTH = 200;

interface Criteria {
  search?: string;
  modelLine?: ModelLine;
  tier?: Tier;
  minClvMinor?: number;
}

function criteriaOf(filter: CustomerListArgs['filter']): Criteria {
  let minClvMinor: number | undefined;
  if (filter?.minClv != null) {
    const parsed = parseAmountMinor(filter.minClv);
    if (parsed === null || parsed < 0) throw badUserInput('`minClv` is a non-negative amount in EUR, e.g. "250000".', 'filter');
    minClvMinor = parsed;
  }
  // The search runs over every profile of a page in memory: a bounded needle keeps that bounded.
  if (filter?.search != null && filter.search.length > MAX_SEARCH_LENGTH) throw badUserInput(`\`search\` is at most ${MAX_SEARCH_LENGTH} characters.`, 'filter');
  return { search: filter?.search?.trim().toLowerCase() || undefined, modelLine: filter?.modelLine ?? undefined, tier: filter?.tier ?? undefined, minClvMinor };
}

const empty = (): Connection<CustomerRecord> => toConnection([], false, null);

function matches(c: CustomerRecord, { search, modelLine, tier, minClvMinor }: Criteria): boolean {
  if (search && !searchTextOf(c).includes(search)) return false;
  if (modelLine && !(c.vehicleCounts[modelLine] > 0)) return false;
  if (tier && c.value?.tier !== tier) return false;
  if (minClvMinor !== undefined && !(c.value && c.value.clvMinor >= minClvMinor)) return false;
  return true;
}

/** A dealer's customers, one page of links, loaded in one batch and filtered. */
export async function customersOfDealer(ctx: ServiceContext, dealerId: string, args: CustomerListArgs): Promise<Connection<CustomerRecord>> {
  if (!dealerPolicy.canListCustomers(ctx.principal, dealerId)) return empty();
  const criteria = criteriaOf(args.filter);
  const page = await ctx.repos.customers.customerIdsOfDealer(dealerId, args.first, args.after);
  const customers = await ctx.access.customers(page.items);
  return pageToConnection(page, customers.map((c) => (c && matches(c, criteria) ? c : null)));
}

/**
 * `Query.customers`: what the caller may list, by name.
 * - admins and analysts: all customers (the ByCollection index), or one dealer's, or by
 *   value (tier, minimum CLV: the ByValue index, highest CLV first);
 * - a dealer key: its own customers (a filter naming another dealer finds nothing);
 * - a customer token: itself, if it matches the filter.
 * With `dealerId`, a page may hold fewer edges than `first` when other filters drop some.
 */
export async function listCustomers(ctx: ServiceContext, args: CustomerListArgs): Promise<Connection<CustomerRecord>> {
  const p = ctx.principal;
  const criteria = criteriaOf(args.filter);
  const filterDealerId = args.filter?.dealerId ? keyOfGlobalId(args.filter.dealerId, 'Dealer') : undefined;
  if (filterDealerId === null) return empty();

  if (p.kind === 'customer') {
    const self = await ctx.access.customer(p.customerId);
    if (!self || args.after || !matches(self, criteria) || (filterDealerId && !self.dealerIds.includes(filterDealerId))) return empty();
    return toConnection([{ cursor: 'self', node: self }], false, null);
  }
  const dealerId = p.kind === 'dealer' ? p.dealerId : filterDealerId;
  if (p.kind === 'dealer' && filterDealerId && filterDealerId !== p.dealerId) return empty();
  if (dealerId) return customersOfDealer(ctx, dealerId, args);

  // By value (tier, minimum CLV): the ByValue index, highest CLV first; other filters apply within the page.
  if (criteria.tier || criteria.minClvMinor !== undefined) {
    const page = await ctx.repos.values.byValue(args.first, args.after, { tier: criteria.tier, minClvMinor: criteria.minClvMinor });
    return pageToConnection(page, page.items.map((c) => (matches(c, criteria) ? c : null)));
  }
  const page = await ctx.repos.customers.list(args.first, args.after, { search: criteria.search, modelLine: criteria.modelLine });
  return pageToConnection(page);
}
