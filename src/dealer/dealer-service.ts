import { callerDealerId, dealerPolicy } from '../auth/policies.js';
import { ForbiddenError } from '../shared/errors.js';
import { keyOfGlobalId, newId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { fixedPage, type Page } from '../store/cursor.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { checkText, parseInstant } from '../shared/validation.js';
import { displayPrefix, effectiveScopes, generateApiKey, hashApiKey, type DealerScope } from '../auth/api-key.js';
import type { ApiKeyRecord } from './api-key-record.js';
import type { DealerRecord } from './dealer.js';
import { DEALER_NODE } from './dealer.js';
import { DEALER_API_KEY_NODE } from './api-key-record.js';

const DEALER_CODE = /^[A-Z0-9][A-Z0-9-]{1,19}$/;
const COUNTRY = /^[A-Z]{2}$/;

function assertAdmin(ctx: ServiceContext) {
  if (!dealerPolicy.canAdminister(ctx.principal)) throw new ForbiddenError();
}

/** The global id of an API key names its dealer too, so a key is found without an index. */
export const apiKeyGlobalKey = (k: Pick<ApiKeyRecord, 'dealerId' | 'id'>) => `${k.dealerId}/${k.id}`;

export function parseApiKeyGlobalKey(key: string): { dealerId: string; id: string } | null {
  const [dealerId, id, ...rest] = key.split('/');
  return dealerId && id && rest.length === 0 ? { dealerId, id } : null;
}

/** `Query.dealers`: the directory; a dealer key sees one dealer, itself (see `dealerPolicy.canRead`). */
export async function listDealers(ctx: ServiceContext, first: number, after?: string | null): Promise<Page<DealerRecord>> {
  const own = callerDealerId(ctx.principal);
  if (own === undefined) return ctx.repos.dealers.list(first, after);
  const dealer = after ? null : await ctx.access.dealer(own);
  return fixedPage(dealer ? [{ item: dealer, cursor: 'self' }] : []);
}

export async function createDealer(
  ctx: ServiceContext,
  input: { code: string; name: string; city: string; country: string },
): Promise<{ dealer: DealerRecord | null; userErrors: UserError[] }> {
  assertAdmin(ctx);
  const errors = [...checkText('name', input.name, { max: 100 }), ...checkText('city', input.city, { max: 100 })];
  const code = input.code.trim().toUpperCase();
  if (!DEALER_CODE.test(code)) errors.push(userError('code', 'INVALID', 'A dealer code has 2–20 letters, digits and dashes, e.g. "DE-STR-01".'));
  if (!COUNTRY.test(input.country)) errors.push(userError('country', 'INVALID', 'Use an ISO 3166-1 alpha-2 country code such as "DE".'));
  if (errors.length) return { dealer: null, userErrors: errors };
  const dealer: DealerRecord = { id: newId(), code, name: input.name.trim(), city: input.city.trim(), country: input.country, createdAt: ctx.clock().toISOString() };
  if ((await ctx.repos.dealers.create(dealer)) === 'CODE_TAKEN') {
    return { dealer: null, userErrors: [userError('code', 'ALREADY_EXISTS', 'A dealer with this code already exists.')] };
  }
  ctx.loaders.dealer.prime(dealer.id, dealer);
  return { dealer, userErrors: [] };
}

export async function issueDealerApiKey(
  ctx: ServiceContext,
  input: { dealerId: string; name: string; scopes: readonly DealerScope[]; expiresAt?: string | null },
): Promise<{ apiKey: ApiKeyRecord | null; secret: string | null; userErrors: UserError[] }> {
  assertAdmin(ctx);
  const now = ctx.clock();
  const errors = checkText('name', input.name, { max: 60 });
  if (input.scopes.length === 0) errors.push(userError('scopes', 'REQUIRED', 'Grant at least one scope.'));
  let expiresAt: string | undefined;
  if (input.expiresAt != null) {
    const at = parseInstant(input.expiresAt);
    if (!at) errors.push(userError('expiresAt', 'INVALID_DATE', 'Use an ISO 8601 date-time with offset.'));
    else if (at.getTime() <= now.getTime()) errors.push(userError('expiresAt', 'INVALID', 'The expiry must be in the future.'));
    else expiresAt = at.toISOString();
  }
  const dealerId = keyOfGlobalId(input.dealerId, DEALER_NODE);
  if (!dealerId) errors.push(notFound('dealerId', 'dealer'));
  if (errors.length || !dealerId) return { apiKey: null, secret: null, userErrors: errors };

  const secret = generateApiKey();
  const record: ApiKeyRecord = {
    id: newId(),
    dealerId,
    name: input.name.trim(),
    prefix: displayPrefix(secret),
    keyHash: hashApiKey(secret),
    scopes: effectiveScopes(input.scopes),
    createdAt: now.toISOString(),
    expiresAt,
  };
  if ((await ctx.repos.dealers.issueApiKey(record)) === 'DEALER_NOT_FOUND') return { apiKey: null, secret: null, userErrors: [notFound('dealerId', 'dealer')] };
  ctx.logger.info('dealer API key issued', { dealerId, keyId: record.id, scopes: record.scopes });
  return { apiKey: record, secret, userErrors: [] };
}

export async function revokeDealerApiKey(ctx: ServiceContext, input: { id: string }): Promise<{ apiKey: ApiKeyRecord | null; userErrors: UserError[] }> {
  assertAdmin(ctx);
  const globalKey = keyOfGlobalId(input.id, DEALER_API_KEY_NODE);
  const ref = globalKey ? parseApiKeyGlobalKey(globalKey) : null;
  const key = ref ? await ctx.repos.dealers.getApiKey(ref.dealerId, ref.id) : null;
  if (!key) return { apiKey: null, userErrors: [notFound('id', 'API key')] };
  const revoked = await ctx.repos.dealers.revokeApiKey(key, ctx.clock().toISOString());
  ctx.logger.info('dealer API key revoked', { dealerId: key.dealerId, keyId: key.id });
  return { apiKey: revoked, userErrors: [] };
}
