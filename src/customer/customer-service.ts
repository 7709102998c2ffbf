import { authorOf, callerDealerId, canLearnExistence, customerPolicy } from '../auth/policies.js';
import { ForbiddenError, InvariantError } from '../shared/errors.js';
import { keyOfGlobalId, newId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { emptyAggregates } from './profile-aggregates.js';
import { emptyVehicleCounts, type ConsentChannel, type CustomerRecord, CUSTOMER_NODE } from './customer.js';
import type { ConsentOutcome, ConsentStatement } from './consent.js';
import { EMAIL_CHANGE_TTL_MS, isUsable, newEmailChangeToken, parseEmailChangeToken, type PendingEmailChange } from './email-change.js';
import type { CustomerChanges } from './customer-repository.js';
import { checkConsents, checkCustomerFields, toAddress, type ConsentInput, type CustomerFieldsInput } from './customer-validation.js';
import { normaliseEmail } from '../shared/validation.js';
import { DEALER_NODE } from '../dealer/dealer.js';

export interface CustomerResult {
  customer: CustomerRecord | null;
  userErrors: UserError[];
}

const failed = (...userErrors: UserError[]): CustomerResult => ({ customer: null, userErrors });

/** Refuses, as a request error, callers whose role may never change customers (analysts, keys without the scope). */
function assertMayWriteCustomers(ctx: ServiceContext) {
  if (!customerPolicy.canWriteAny(ctx.principal)) throw new ForbiddenError();
}

/**
 * Loads a customer for a write, strongly consistent, and only if the caller may change it;
 * otherwise answers NOT_FOUND (the same as for an unknown id).
 */
export async function writableCustomer(ctx: ServiceContext, field: string, globalId: string): Promise<CustomerRecord | UserError> {
  const id = keyOfGlobalId(globalId, CUSTOMER_NODE);
  return writable(ctx, field, id ? await ctx.repos.customers.get(id) : null);
}

function writable(ctx: ServiceContext, field: string, customer: CustomerRecord | null | undefined): CustomerRecord | UserError {
  if (!customer || !ctx.access.canSeeCustomer(customer) || !ctx.access.canWriteCustomer(customer)) return notFound(field, 'customer');
  return customer;
}

/**
 * `writableCustomer` for many at once (a batch of facts), read in one consistent
 * BatchGetItem per 100: each answer in the order asked, with its own field.
 *
 * @example
 * const [ann, bob] = await writableCustomers(ctx, [{ field: 'events.0.customerId', globalId: a }, { field: 'events.1.customerId', globalId: b }]);
 */
export async function writableCustomers(ctx: ServiceContext, requests: readonly { field: string; globalId: string }[]): Promise<(CustomerRecord | UserError)[]> {
  const ids = requests.map((r) => keyOfGlobalId(r.globalId, CUSTOMER_NODE));
  const found = await ctx.repos.customers.getMany([...new Set(ids.filter((id): id is string => !!id))], { consistentRead: true });
  return requests.map((r, i) => writable(ctx, r.field, ids[i] ? found.get(ids[i]!) : null));
}

async function reload(ctx: ServiceContext, id: string): Promise<CustomerRecord | null> {
  const customer = await ctx.repos.customers.get(id);
  if (customer) ctx.loaders.customer.clear(id).prime(id, customer);
  return customer;
}

export async function createCustomer(ctx: ServiceContext, input: CustomerFieldsInput & { firstName: string; lastName: string; email: string }): Promise<CustomerResult> {
  if (!customerPolicy.canCreate(ctx.principal)) throw new ForbiddenError();
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
  const linkDealerId = callerDealerId(ctx.principal);
  const outcome = await ctx.repos.customers.create(customer, linkDealerId);
  if (outcome === 'EMAIL_TAKEN') return failed(await emailAlreadyRegistered(ctx, customer.email, linkDealerId));
  // The key authenticated, so its dealer existed a moment ago: a deleted dealer is a fault.
  if (outcome === 'DEALER_NOT_FOUND') throw new InvariantError('The calling dealer does not exist');
  ctx.logger.info('customer created', { customerId: customer.id });
  return { customer: await reload(ctx, customer.id), userErrors: [] };
}

/**
 * The answer to "this email already has a profile". Admins see every profile, so they are
 * told plainly. A dealer gets one answer whether or not the profile is linked to it (so it
 * learns nothing about other dealers' customers), and the customer is asked to link the
 * dealer: that is the way forward for the dealer either way.
 */
async function emailAlreadyRegistered(ctx: ServiceContext, email: string, dealerId: string | undefined): Promise<UserError> {
  if (canLearnExistence(ctx.principal) || !dealerId) return userError('email', 'ALREADY_EXISTS', 'A customer with this email address already exists.');
  const customerId = await ctx.repos.customers.customerIdByEmail(email);
  const holder = customerId ? await ctx.repos.customers.get(customerId) : null;
  if (holder && !holder.dealerIds.includes(dealerId)) {
    const request = await ctx.repos.customers.requestDealerLink(holder.id, dealerId, ctx.clock());
    if (request === 'REQUESTED') ctx.logger.info('dealer link requested', { customerId: holder.id, dealerId });
  }
  return userError(
    'email',
    'ALREADY_REGISTERED',
    'This email address is already registered with the brand. The customer has been asked to link their profile to your dealership; it appears among your customers once they (or the brand) approve.',
  );
}

export interface UpdateCustomerResult extends CustomerResult {
  emailChange: { email: string; expiresAt: string } | null;
}

export async function updateCustomer(ctx: ServiceContext, input: CustomerFieldsInput & { id: string; version: number }): Promise<UpdateCustomerResult> {
  assertMayWriteCustomers(ctx);
  const refused = (...userErrors: UserError[]) => ({ ...failed(...userErrors), emailChange: null });
  const now = ctx.clock();
  const errors = checkCustomerFields(input, now);
  if (errors.length) return refused(...errors);
  const current = await writableCustomer(ctx, 'id', input.id);
  if ('code' in current) return refused(current);
  if (current.version !== input.version) {
    return refused(userError('version', 'STALE_VERSION', `The customer changed since version ${input.version} (now ${current.version}); reload and retry.`));
  }
  const newEmail = input.email != null ? normaliseEmail(input.email) : undefined;
  const changes: CustomerChanges = {
    firstName: input.firstName?.trim() ?? undefined,
    lastName: input.lastName?.trim() ?? undefined,
    email: newEmail,
    phone: input.phone ?? undefined,
    birthDate: input.birthDate ?? undefined,
    preferredLanguage: input.preferredLanguage ?? undefined,
    address: input.address ? toAddress(input.address) : undefined,
  };
  const stale = () => refused(userError('version', 'STALE_VERSION', 'The customer was changed by someone else just now; reload and retry.'));

  if (newEmail !== undefined && newEmail !== normaliseEmail(current.email) && !customerPolicy.changesEmailDirectly(ctx.principal)) {
    // Not applied here: confirmed from the new mailbox (see email-change.ts); the other changes apply now.
    const { token, tokenHash } = newEmailChangeToken(current.id);
    const pending: PendingEmailChange = {
      customerId: current.id,
      fromEmail: normaliseEmail(current.email),
      toEmail: newEmail,
      tokenHash,
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + EMAIL_CHANGE_TTL_MS).toISOString(),
    };
    const event = { customerId: current.id, email: newEmail, token, expiresAt: pending.expiresAt, preferredLanguage: current.preferredLanguage ?? null };
    const outcome = await ctx.repos.customers.requestEmailChange(current, input.version, { ...changes, email: undefined }, pending, event, now);
    if (outcome === 'STALE_VERSION') return stale();
    if (outcome === 'TOO_SOON') return refused(userError('email', 'TOO_MANY', 'A confirmation email was sent less than a minute ago; wait a moment before asking again.'));
    ctx.logger.info('email change requested', { customerId: current.id });
    return { customer: await reload(ctx, current.id), userErrors: [], emailChange: { email: newEmail, expiresAt: pending.expiresAt } };
  }

  const outcome = await ctx.repos.customers.update(current, input.version, changes, now.toISOString());
  if (outcome === 'STALE_VERSION') return stale();
  if (outcome === 'EMAIL_TAKEN') return refused(userError('email', 'ALREADY_EXISTS', 'A customer with this email address already exists.'));
  return { customer: await reload(ctx, current.id), userErrors: [], emailChange: null };
}

/**
 * Applies an email change with the token from the confirmation mail. Every way a token
 * can be wrong (unknown, used, expired, someone else's, voided by a change made since)
 * gets the same answer; only the holder of the new mailbox reaches the uniqueness check.
 */
export async function confirmEmailChange(ctx: ServiceContext, input: { token: string }): Promise<CustomerResult> {
  const invalid = () => failed(userError('token', 'INVALID', 'This confirmation link is invalid or has expired; ask for a new one.'));
  const parsed = parseEmailChangeToken(input.token.trim());
  if (!parsed || !customerPolicy.canConfirmEmailChange(ctx.principal, parsed.customerId)) return invalid();
  const now = ctx.clock();
  const [pending, current] = await Promise.all([ctx.repos.customers.pendingEmailChange(parsed.customerId), ctx.repos.customers.get(parsed.customerId)]);
  if (!pending || !current || !isUsable(pending, parsed.tokenHash, now) || normaliseEmail(current.email) !== pending.fromEmail) return invalid();
  const outcome = await ctx.repos.customers.confirmEmailChange(current, pending, now.toISOString());
  if (outcome === 'EMAIL_TAKEN') return failed(userError('token', 'ALREADY_EXISTS', 'This email address now belongs to another profile.'));
  if (outcome === 'STALE_VERSION') return invalid();
  ctx.logger.info('email change confirmed', { customerId: current.id });
  return { customer: await reload(ctx, current.id), userErrors: [] };
}

export interface SetConsentsResult extends CustomerResult {
  results: { channel: ConsentChannel; outcome: ConsentOutcome }[];
}

export async function setConsents(ctx: ServiceContext, input: { customerId: string; consents: readonly ConsentInput[] }): Promise<SetConsentsResult> {
  assertMayWriteCustomers(ctx);
  const refused = (...userErrors: UserError[]) => ({ ...failed(...userErrors), results: [] });
  const now = ctx.clock();
  const errors = checkConsents(input.consents, now);
  if (errors.length) return refused(...errors);
  const current = await writableCustomer(ctx, 'customerId', input.customerId);
  if ('code' in current) return refused(current);
  const receivedAt = now.toISOString();
  const author = authorOf(ctx.principal);
  const statements: ConsentStatement[] = input.consents.map((c) => ({
    id: newId(),
    customerId: current.id,
    channel: c.channel as ConsentChannel,
    granted: c.granted,
    source: c.source.trim(),
    recordedAt: c.recordedAt ? new Date(c.recordedAt).toISOString() : receivedAt,
    receivedAt,
    author,
  }));
  const outcome = await ctx.repos.customers.recordConsents(current, statements, receivedAt);
  if (outcome.kind === 'NOT_FOUND') return refused(notFound('customerId', 'customer'));
  if (outcome.kind === 'CONTENDED') return refused(userError('customerId', 'STALE_VERSION', 'Consents of this customer changed several times while recording; retry.'));
  return {
    customer: await reload(ctx, current.id),
    userErrors: [],
    results: statements.map((s, i) => ({ channel: s.channel, outcome: outcome.outcomes[i]! })),
  };
}

export async function linkCustomerToDealer(
  ctx: ServiceContext,
  input: { customerId: string; dealerId: string },
): Promise<CustomerResult & { dealerId: string | null }> {
  const p = ctx.principal;
  if (!customerPolicy.canLinkAny(p)) throw new ForbiddenError();
  const customerId = keyOfGlobalId(input.customerId, CUSTOMER_NODE);
  const dealerId = keyOfGlobalId(input.dealerId, DEALER_NODE);
  if (!customerId || !customerPolicy.canLinkToDealer(p, customerId)) return { ...failed(notFound('customerId', 'customer')), dealerId: null };
  if (!dealerId) return { ...failed(notFound('dealerId', 'dealer')), dealerId: null };
  const outcome = await ctx.repos.customers.linkToDealer(customerId, dealerId, ctx.clock().toISOString());
  if (outcome === 'CUSTOMER_NOT_FOUND') return { ...failed(notFound('customerId', 'customer')), dealerId: null };
  if (outcome === 'DEALER_NOT_FOUND') return { ...failed(notFound('dealerId', 'dealer')), dealerId: null };
  return { customer: await reload(ctx, customerId), userErrors: [], dealerId };
}
