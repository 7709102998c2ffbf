import { loadPage } from '../auth/loaders.js';
import { customerPolicy, dealerPolicy } from '../auth/policies.js';
import { InvalidInputError } from '../shared/errors.js';
import { keyOfGlobalId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { fixedPage, type Page } from '../store/cursor.js';
import type { ModelLine } from '../catalogue/model-lines.js';
import { searchTextOf, type CustomerRecord } from './customer.js';
import { parseAmountMinor } from '../shared/money.js';
import type { Tier } from '../value/model.js';
import { DEALER_NODE } from '../dealer/dealer.js';

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
    if (parsed === null || parsed < 0) throw new InvalidInputError('`minClv` is a non-negative amount in EUR, e.g. "250000".', 'filter');
    minClvMinor = parsed;
  }
  // The search runs over every profile of a page in memory: a bounded needle keeps that bounded.
  if (filter?.search != null && filter.search.length > MAX_SEARCH_LENGTH) throw new InvalidInputError(`\`search\` is at most ${MAX_SEARCH_LENGTH} characters.`, 'filter');
  return { search: filter?.search?.trim().toLowerCase() || undefined, modelLine: filter?.modelLine ?? undefined, tier: filter?.tier ?? undefined, minClvMinor };
}

/**
 * A page of a customer listing. An entry is `null` where a customer was read but is
 * hidden from the caller or fails the filter: its cursor still lets the client move past it.
 */
export type CustomerPage = Page<CustomerRecord | null>;

const empty = (): CustomerPage => fixedPage();

function matches(c: CustomerRecord, { search, modelLine, tier, minClvMinor }: Criteria): boolean {
  if (search && !searchTextOf(c).includes(search)) return false;
  if (modelLine && !(c.vehicleCounts[modelLine] > 0)) return false;
  if (tier && c.value?.tier !== tier) return false;
  if (minClvMinor !== undefined && !(c.value && c.value.clvMinor >= minClvMinor)) return false;
  return true;
}

/** A dealer's customers, one page of links, loaded in one batch and filtered. */
export async function customersOfDealer(ctx: ServiceContext, dealerId: string, args: CustomerListArgs): Promise<CustomerPage> {
  if (!dealerPolicy.canListCustomers(ctx.principal, dealerId)) return empty();
  const criteria = criteriaOf(args.filter);
  const page = await loadPage(ctx.loaders, 'Dealer.customers', dealerId, { first: args.first, after: args.after }, () => ctx.repos.customers.customerIdsOfDealer(dealerId, args.first, args.after));
  const customers = await ctx.access.customers(page.items);
  return { ...page, items: customers.map((c) => (c && matches(c, criteria) ? c : null)) };
}

/**
 * `Query.customers`: what the caller may list, by name.
 * - admins and analysts: all customers (the ByCollection index), or one dealer's, or by
 *   value (tier, minimum CLV: the ByValue index, highest CLV first);
 * - a dealer key: its own customers (a filter naming another dealer finds nothing);
 * - a customer token: itself, if it matches the filter.
 * With `dealerId`, a page may hold fewer edges than `first` when other filters drop some.
 */
export async function listCustomers(ctx: ServiceContext, args: CustomerListArgs): Promise<CustomerPage> {
  const criteria = criteriaOf(args.filter);
  const filterDealerId = args.filter?.dealerId ? keyOfGlobalId(args.filter.dealerId, DEALER_NODE) : undefined;
  if (filterDealerId === null) return empty();

  const scope = customerPolicy.listScope(ctx.principal, filterDealerId);
  if (scope.kind === 'none') return empty();
  if (scope.kind === 'self') {
    const self = await ctx.access.customer(scope.customerId);
    if (!self || args.after || !matches(self, criteria) || (filterDealerId && !self.dealerIds.includes(filterDealerId))) return empty();
    return fixedPage([{ item: self, cursor: 'self' }]);
  }
  if (scope.kind === 'dealer') return customersOfDealer(ctx, scope.dealerId, args);

  // By value (tier, minimum CLV): the ByValue index, highest CLV first; other filters apply within the page.
  if (criteria.tier || criteria.minClvMinor !== undefined) {
    const page = await ctx.repos.values.byValue(args.first, args.after, { tier: criteria.tier, minClvMinor: criteria.minClvMinor });
    return { ...page, items: page.items.map((c) => (matches(c, criteria) ? c : null)) };
  }
  return ctx.repos.customers.list(args.first, args.after, { search: criteria.search, modelLine: criteria.modelLine });
}
