import { dealerPolicy } from '../auth/policies.js';
import { pageToConnection, toConnection, type Connection } from '../graphql/connection.js';
import { keyOfGlobalId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import type { ModelLine } from '../vehicle/model-lines.js';
import { searchTextOf, type CustomerRecord } from './customer.js';

export interface CustomerListArgs {
  first: number;
  after?: string | null;
  filter?: { search?: string | null; dealerId?: string | null; modelLine?: ModelLine | null } | null;
}

const empty = (): Connection<CustomerRecord> => toConnection([], false, null);

function matches(c: CustomerRecord, search: string | undefined, modelLine: ModelLine | undefined): boolean {
  if (search && !searchTextOf(c).includes(search)) return false;
  if (modelLine && !(c.vehicleCounts[modelLine] > 0)) return false;
  return true;
}

/** A dealer's customers, one page of links, loaded in one batch and filtered. */
export async function customersOfDealer(ctx: ServiceContext, dealerId: string, args: CustomerListArgs): Promise<Connection<CustomerRecord>> {
  if (!dealerPolicy.canListCustomers(ctx.principal, dealerId)) return empty();
  const search = args.filter?.search?.trim().toLowerCase() || undefined;
  const modelLine = args.filter?.modelLine ?? undefined;
  const page = await ctx.repos.customers.customerIdsOfDealer(dealerId, args.first, args.after);
  const customers = await ctx.access.customers(page.items);
  return pageToConnection(page, customers.map((c) => (c && matches(c, search, modelLine) ? c : null)));
}

/**
 * `Query.customers`: what the caller may list, by name.
 * - admins and analysts: all customers (the ByCollection index), or one dealer's;
 * - a dealer key: its own customers (a filter naming another dealer finds nothing);
 * - a customer token: itself, if it matches the filter.
 * With `dealerId`, a page may hold fewer edges than `first` when other filters drop some.
 */
export async function listCustomers(ctx: ServiceContext, args: CustomerListArgs): Promise<Connection<CustomerRecord>> {
  const p = ctx.principal;
  const search = args.filter?.search?.trim().toLowerCase() || undefined;
  const modelLine = args.filter?.modelLine ?? undefined;
  const filterDealerId = args.filter?.dealerId ? keyOfGlobalId(args.filter.dealerId, 'Dealer') : undefined;
  if (filterDealerId === null) return empty();

  if (p.kind === 'customer') {
    const self = await ctx.access.customer(p.customerId);
    if (!self || args.after || !matches(self, search, modelLine) || (filterDealerId && !self.dealerIds.includes(filterDealerId))) return empty();
    return toConnection([{ cursor: 'self', node: self }], false, null);
  }
  const dealerId = p.kind === 'dealer' ? p.dealerId : filterDealerId;
  if (p.kind === 'dealer' && filterDealerId && filterDealerId !== p.dealerId) return empty();
  if (dealerId) return customersOfDealer(ctx, dealerId, args);

  const page = await ctx.repos.customers.list(args.first, args.after, { search, modelLine });
  return pageToConnection(page);
}
