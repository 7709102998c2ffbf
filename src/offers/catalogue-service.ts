import { authorOf, offerPolicy } from '../auth/policies.js';
import type { Principal } from '../auth/principal.js';
import { ForbiddenError } from '../shared/errors.js';
import type { ServiceContext } from '../shared/service-context.js';
import { userError, type UserError } from '../shared/user-error.js';
import { checkIntRange } from '../shared/validation.js';
import type { Page } from '../store/cursor.js';
import type { OfferDefinition } from './catalogue.js';
import { validateOfferInput, type OfferInput } from './catalogue-validation.js';

/**
 * The offer catalogue for the API: the brand's admins define, version and retire offers,
 * analysts read them; nobody else sees the rules (they say whom the brand targets and
 * how). Every change is a new version written beside the current one in one transaction
 * (`saveOffer`), so a decision always names a version that can still be read.
 */

export interface OfferResult {
  offer: OfferDefinition | null;
  userErrors: UserError[];
}

const failed = (...userErrors: UserError[]): OfferResult => ({ offer: null, userErrors });

/** Versions run 1, 2, …; the largest an admin can name is far beyond any real history. */
const MAX_VERSION = 1_000_000;
const CODE = /^[A-Z0-9_]{3,40}$/;

/** `createdBy` as stored: the author's role and id, e.g. `admin:jane`. */
const authorName = (p: Principal) => {
  const author = authorOf(p);
  return `${author.kind}:${author.id}`;
};

/** `Query.offerCatalogue`: current versions by code (retired ones when asked). */
export function offerCatalogue(ctx: ServiceContext, first: number, after?: string | null, includeRetired = false): Promise<Page<OfferDefinition>> {
  if (!offerPolicy.canReadCatalogue(ctx.principal)) throw new ForbiddenError();
  return ctx.repos.offers.listCatalogue(first, after, includeRetired);
}

/** `node(id)` of an `OfferDefinition`: its current version, for the brand's staff; null for everyone else (like an absent code). */
export async function visibleOfferDefinition(ctx: ServiceContext, code: string): Promise<OfferDefinition | null> {
  return offerPolicy.canReadCatalogue(ctx.principal) ? ctx.repos.offers.getOffer(code) : null;
}

const unknownOffer = (code: string) => userError('code', 'UNKNOWN_OFFER', `No offer with the code ${code.slice(0, 40)} in the catalogue.`);

/**
 * Why a versioned write lost (`saveOffer` answered STALE): the offer is gone from under
 * the caller's version (never created), or someone wrote a newer version meanwhile.
 */
async function staleAnswer(ctx: ServiceContext, code: string, field: string): Promise<UserError> {
  const current = await ctx.repos.offers.getOffer(code);
  return current ? userError(field, 'STALE_VERSION', `The offer is at version ${current.version} now; reload it and retry.`) : unknownOffer(code);
}

export interface DefineOfferInput extends OfferInput {
  expectedVersion?: number | null;
}

/**
 * Creates an offer (no `expectedVersion`: version 1, ALREADY_EXISTS when the code is
 * taken) or writes version n + 1 over version n. A new version is ACTIVE: defining a
 * retired offer again brings it back. Nothing is written while any field is wrong.
 */
export async function defineOffer(ctx: ServiceContext, input: DefineOfferInput): Promise<OfferResult> {
  if (!offerPolicy.canManageCatalogue(ctx.principal)) throw new ForbiddenError();
  const { expectedVersion, ...fields } = input;
  const checked = validateOfferInput(fields);
  const errors = [...checked.errors];
  if (expectedVersion != null) errors.push(...checkIntRange('expectedVersion', expectedVersion, 1, MAX_VERSION));
  if (errors.length || !checked.offer) return failed(...errors);

  const offer: OfferDefinition = { ...checked.offer, version: (expectedVersion ?? 0) + 1, status: 'ACTIVE', createdAt: ctx.clock().toISOString(), createdBy: authorName(ctx.principal) };
  const saved = await ctx.repos.offers.saveOffer(offer, expectedVersion ?? null);
  if (saved === 'EXISTS') return failed(userError('code', 'ALREADY_EXISTS', `The catalogue has an offer ${offer.code} already; give its expectedVersion to write a new version.`));
  if (saved === 'STALE') return failed(await staleAnswer(ctx, offer.code, 'expectedVersion'));
  ctx.logger.info('offer defined', { code: offer.code, version: offer.version });
  return { offer, userErrors: [] };
}

/**
 * Retires an offer as a new version: the nightly run decides it no more and withdraws
 * its open decisions; its versions stay readable for the decisions that name them.
 */
export async function retireOffer(ctx: ServiceContext, input: { code: string; expectedVersion: number }): Promise<OfferResult> {
  if (!offerPolicy.canManageCatalogue(ctx.principal)) throw new ForbiddenError();
  const errors = checkIntRange('expectedVersion', input.expectedVersion, 1, MAX_VERSION);
  if (errors.length) return failed(...errors);
  const code = input.code.trim().toUpperCase();
  const current = CODE.test(code) ? await ctx.repos.offers.getOffer(code) : null;
  if (!current) return failed(unknownOffer(code));
  if (current.version !== input.expectedVersion) return failed(userError('expectedVersion', 'STALE_VERSION', `The offer is at version ${current.version} now; reload it and retry.`));
  if (current.status === 'RETIRED') return failed(userError('code', 'INVALID_STATUS', `The offer ${code} is retired already.`));

  const offer: OfferDefinition = { ...current, version: current.version + 1, status: 'RETIRED', createdAt: ctx.clock().toISOString(), createdBy: authorName(ctx.principal) };
  const saved = await ctx.repos.offers.saveOffer(offer, current.version);
  if (saved !== 'SAVED') return failed(await staleAnswer(ctx, code, 'expectedVersion'));
  ctx.logger.info('offer retired', { code, version: offer.version });
  return { offer, userErrors: [] };
}
