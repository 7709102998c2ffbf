import { customerPolicy } from '../auth/policies.js';
import { forbidden } from '../graphql/errors.js';
import { keyOfGlobalId, newId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { emptyAggregates } from '../value/aggregates.js';
import { emptyVehicleCounts, type Consent, type ConsentChannel, type CustomerRecord } from './customer.js';
import type { CustomerChanges } from './customer-repository.js';
import { checkConsents, checkCustomerFields, toAddress, type ConsentInput, type CustomerFieldsInput } from './customer-validation.js';
import { normaliseEmail } from '../shared/validation.js';

export interface CustomerResult {
  customer: CustomerRecord | null;
  userErrors: UserError[];
}

const failed = (...userErrors: UserError[]): CustomerResult => ({ customer: null, userErrors });

/** Refuses, as a request error, callers whose role may never change customers (analysts, keys without the scope). */
function assertMayWriteCustomers(ctx: ServiceContext) {
  const p = ctx.principal;
  if (p.kind === 'analyst' || (p.kind === 'dealer' && !p.scopes.includes('customers:write'))) throw forbidden();
}

/**
 * Loads a customer for a write, strongly consistent, and only if the caller may change it;
 * otherwise answers NOT_FOUND (the same as for an unknown id).
 */
export async function writableCustomer(ctx: ServiceContext, field: string, globalId: string): Promise<CustomerRecord | UserError> {
  const id = keyOfGlobalId(globalId, 'Customer');
  const customer = id ? await ctx.repos.customers.get(id) : null;
  if (!customer || !ctx.access.canSeeCustomer(customer) || !ctx.access.canWriteCustomer(customer)) return notFound(field, 'customer');
  return customer;
}

async function reload(ctx: ServiceContext, id: string): Promise<CustomerRecord | null> {
  const customer = await ctx.repos.customers.get(id);
  if (customer) ctx.loaders.customer.clear(id).prime(id, customer);
  return customer;
}

export async function createCustomer(ctx: ServiceContext, input: CustomerFieldsInput & { firstName: string; lastName: string; email: string }): Promise<CustomerResult> {
  if (!customerPolicy.canCreate(ctx.principal)) throw forbidden();
  const now = ctx.clock();
  const errors = checkCustomerFields(input, now);
  if (errors.length) return failed(...errors);

  const at = now.toISOString();
  const customer: CustomerRecord = {
    id: newId(),
    firstName: input.firstName.trim(),
    lastName: input.lastName.trim(),
    email: normaliseEmail(input.email),
    phone: input.phone ?? undefined,
    birthDate: input.birthDate ?? undefined,
    preferredLanguage: input.preferredLanguage ?? undefined,
    address: input.address ? toAddress(input.address) : undefined,
    consents: {},
    vehicleCounts: emptyVehicleCounts(),
    vehicleVins: [],
    dealerIds: [],
    aggregates: emptyAggregates(),
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  // A dealer's new customer is linked to that dealer, or the dealer could not see it.
  const linkDealerId = ctx.principal.kind === 'dealer' ? ctx.principal.dealerId : undefined;
  const outcome = await ctx.repos.customers.create(customer, linkDealerId);
  if (outcome === 'EMAIL_TAKEN') return failed(userError('email', 'ALREADY_EXISTS', 'A customer with this email address already exists.'));
  if (outcome === 'DEALER_NOT_FOUND') throw new Error('The calling dealer does not exist');
  ctx.logger.info('customer created', { customerId: customer.id });
  return { customer: await reload(ctx, customer.id), userErrors: [] };
}

export async function updateCustomer(ctx: ServiceContext, input: CustomerFieldsInput & { id: string; version: number }): Promise<CustomerResult> {
  assertMayWriteCustomers(ctx);
  const now = ctx.clock();
  const errors = checkCustomerFields(input, now);
  if (errors.length) return failed(...errors);
  const current = await writableCustomer(ctx, 'id', input.id);
  if ('code' in current) return failed(current);
  if (current.version !== input.version) {
    return failed(userError('version', 'STALE_VERSION', `The customer changed since version ${input.version} (now ${current.version}); reload and retry.`));
  }
  const changes: CustomerChanges = {
    firstName: input.firstName?.trim() ?? undefined,
    lastName: input.lastName?.trim() ?? undefined,
    email: input.email != null ? normaliseEmail(input.email) : undefined,
    phone: input.phone ?? undefined,
    birthDate: input.birthDate ?? undefined,
    preferredLanguage: input.preferredLanguage ?? undefined,
    address: input.address ? toAddress(input.address) : undefined,
  };
  const outcome = await ctx.repos.customers.update(current, input.version, changes, now.toISOString());
  if (outcome === 'STALE_VERSION') return failed(userError('version', 'STALE_VERSION', 'The customer was changed by someone else just now; reload and retry.'));
  if (outcome === 'EMAIL_TAKEN') return failed(userError('email', 'ALREADY_EXISTS', 'A customer with this email address already exists.'));
  return { customer: await reload(ctx, current.id), userErrors: [] };
}

export async function setConsents(ctx: ServiceContext, input: { customerId: string; consents: readonly ConsentInput[] }): Promise<CustomerResult> {
  assertMayWriteCustomers(ctx);
  const now = ctx.clock();
  const errors = checkConsents(input.consents, now);
  if (errors.length) return failed(...errors);
  const current = await writableCustomer(ctx, 'customerId', input.customerId);
  if ('code' in current) return failed(current);
  const consents: Consent[] = input.consents.map((c) => ({
    channel: c.channel as ConsentChannel,
    granted: c.granted,
    source: c.source.trim(),
    recordedAt: c.recordedAt ? new Date(c.recordedAt).toISOString() : now.toISOString(),
  }));
  const outcome = await ctx.repos.customers.setConsents(current.id, consents, now.toISOString());
  if (outcome === 'NOT_FOUND') return failed(notFound('customerId', 'customer'));
  return { customer: await reload(ctx, current.id), userErrors: [] };
}

export async function linkCustomerToDealer(
  ctx: ServiceContext,
  input: { customerId: string; dealerId: string },
): Promise<CustomerResult & { dealerId: string | null }> {
  const p = ctx.principal;
  if (p.kind !== 'admin' && p.kind !== 'customer') throw forbidden();
  const customerId = keyOfGlobalId(input.customerId, 'Customer');
  const dealerId = keyOfGlobalId(input.dealerId, 'Dealer');
  if (!customerId || !customerPolicy.canLinkToDealer(p, customerId)) return { ...failed(notFound('customerId', 'customer')), dealerId: null };
  if (!dealerId) return { ...failed(notFound('dealerId', 'dealer')), dealerId: null };
  const outcome = await ctx.repos.customers.linkToDealer(customerId, dealerId, ctx.clock().toISOString());
  if (outcome === 'CUSTOMER_NOT_FOUND') return { ...failed(notFound('customerId', 'customer')), dealerId: null };
  if (outcome === 'DEALER_NOT_FOUND') return { ...failed(notFound('dealerId', 'dealer')), dealerId: null };
  return { customer: await reload(ctx, customerId), userErrors: [], dealerId };
}
