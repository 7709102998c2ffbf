import { MODEL_LINES, POWERTRAINS, type ModelLine, type Powertrain } from '../catalogue/model-lines.js';
import { CONSENT_CHANNELS, type ConsentChannel } from '../customer/customer.js';
import { userError, type UserError } from '../shared/user-error.js';
import { checkIntRange, checkText, isValidIsoDate } from '../shared/validation.js';
import { INTERACTION_TYPES } from '../value/value-service.js';
import { SEGMENTS, TIERS, type Segment, type Tier } from '../value/model.js';
import { CONVERSION_KINDS, OFFER_KINDS, type ConversionKind, type ConversionRule, type EligibilityRules, type InterestRule, type OfferDefinition, type OfferKind } from './catalogue.js';
import { OFFER_RULES } from './offer-rules.js';

/**
 * An admin's offer, checked: every problem as a user error with the path of its field
 * (`['input', 'eligibility', 'ownsModelLines', '1']`) and a code, nothing returned to
 * store while there is one. Enumerations arrive as strings — a model line above all, so
 * that a rule naming a line the brand does not make is `UNKNOWN_MODEL_LINE`, an answer the
 * console can show, not a GraphQL validation failure. `null` (GraphQL's "not given") and
 * `undefined` both mean an absent rule.
 */

export const MAX_NAME = 100;
export const MAX_DESCRIPTION = 500;
/** One conversion is worth at most EUR 10 M to the brand (a car's price); the follow-up sort key is bounded by it. */
export const MAX_VALUE_EUR = 10_000_000;
export const MAX_CAP = 100;
export const MAX_INTEREST_RULES = 5;
export const MAX_INTEREST_COUNT = 1_000;
/** A text to find in a variant, topic or SKU. */
export const MAX_MATCH_TEXT = 40;
export const MAX_FINANCE_MONTHS = 60;
/** Any single list of values in a rule (there are six model lines and four tiers; more is a typo or a probe). */
export const MAX_LIST = 20;
const MAX_CLV_EUR = 100_000_000;

const CODE = /^[A-Z0-9_]{3,40}$/;
const FAMILY = /^[A-Z0-9_]{2,40}$/;
const FINANCE_KINDS = ['LOAN', 'LEASE'] as const;

type Maybe<T> = T | null | undefined;

export interface InterestInput {
  modelLine?: Maybe<string>;
  detail?: Maybe<string>;
  minCount: number;
  withinDays: number;
}

export interface EligibilityInput {
  tiers?: Maybe<readonly string[]>;
  segments?: Maybe<readonly string[]>;
  ownsModelLines?: Maybe<readonly string[]>;
  notOwnsModelLines?: Maybe<readonly string[]>;
  ownsPowertrains?: Maybe<readonly string[]>;
  interests?: Maybe<readonly InterestInput[]>;
  financeEndingWithinMonths?: Maybe<number>;
  financeKinds?: Maybe<readonly string[]>;
  minSpentEur?: Maybe<number>;
  maxSpentEur?: Maybe<number>;
  minClvEur?: Maybe<number>;
  clubMember?: Maybe<boolean>;
}

export interface ConversionInput {
  kind: string;
  modelLines?: Maybe<readonly string[]>;
  variantContains?: Maybe<string>;
  financeKinds?: Maybe<readonly string[]>;
  interactionType?: Maybe<string>;
  skuPrefix?: Maybe<string>;
  attributionDays: number;
}

export interface OfferInput {
  code: string;
  name: string;
  description: string;
  kind: string;
  /** Defaults to the kind. */
  family?: Maybe<string>;
  channel: string;
  valueEur: number;
  validFrom: string;
  validUntil: string;
  frequencyCap: { max: number; periodDays: number };
  cooldownDaysAfterDecline: number;
  dealerFollowUp: boolean;
  eligibility?: Maybe<EligibilityInput>;
  conversion: ConversionInput;
}

/** What `validateOfferInput` returns to store: an offer without its version, status and authorship. */
export type OfferContent = Omit<OfferDefinition, 'version' | 'status' | 'createdAt' | 'createdBy'>;

/** Collects errors and values; a value is kept only when its checks passed. */
class Checks {
  readonly errors: UserError[] = [];
  add(errors: UserError[]): boolean {
    this.errors.push(...errors);
    return errors.length === 0;
  }
  error(field: string, code: UserError['code'], message: string): void {
    this.errors.push(userError(field, code, message));
  }
}

/**
 * A non-empty list of known values, without repeats. Each unknown value is an error at its
 * index (`indexed`; a single value checked as a list of one: at the field itself),
 * `unknownCode` (UNKNOWN_MODEL_LINE for model lines, INVALID otherwise).
 */
function enumList<T extends string>(c: Checks, field: string, values: Maybe<readonly string[]>, known: readonly T[], what: string, unknownCode: UserError['code'] = 'INVALID', indexed = true): T[] | undefined {
  if (values == null) return undefined;
  if (values.length === 0) return void c.error(field, 'REQUIRED', `Name at least one ${what}, or leave the rule out.`);
  if (values.length > MAX_LIST) return void c.error(field, 'TOO_MANY', `At most ${MAX_LIST} values.`);
  let ok = true;
  values.forEach((v, i) => {
    if (!(known as readonly string[]).includes(v)) {
      ok = false;
      c.error(indexed ? `${field}.${i}` : field, unknownCode, `Unknown ${what} "${v.slice(0, 40)}"; use one of ${known.join(', ')}.`);
    }
  });
  return ok ? [...new Set(values as readonly T[])] : undefined;
}

function enumValue<T extends string>(c: Checks, field: string, value: string, known: readonly T[], what: string): T | undefined {
  if ((known as readonly string[]).includes(value)) return value as T;
  c.error(field, 'INVALID', `Unknown ${what}; use one of ${known.join(', ')}.`);
  return undefined;
}

/** An optional short text to match; trimmed, never empty. */
function matchText(c: Checks, field: string, value: Maybe<string>): string | undefined {
  if (value == null) return undefined;
  return c.add(checkText(field, value, { max: MAX_MATCH_TEXT })) ? value.trim() : undefined;
}

function optionalInt(c: Checks, field: string, value: Maybe<number>, min: number, max: number): number | undefined {
  if (value == null) return undefined;
  return c.add(checkIntRange(field, value, min, max)) ? value : undefined;
}

function checkDay(c: Checks, field: string, value: string): boolean {
  if (isValidIsoDate(value)) return true;
  c.error(field, 'INVALID_DATE', 'Use a calendar date in the form YYYY-MM-DD (1900–9999).');
  return false;
}

/** Drops absent keys: a stored map holds no `undefined` (DynamoDB would refuse it). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function checkInterest(c: Checks, field: string, input: InterestInput): InterestRule | undefined {
  const before = c.errors.length;
  const modelLine = input.modelLine == null ? undefined : enumList<ModelLine>(c, `${field}.modelLine`, [input.modelLine], MODEL_LINES, 'model line', 'UNKNOWN_MODEL_LINE', false)?.[0];
  const detail = matchText(c, `${field}.detail`, input.detail);
  c.add(checkIntRange(`${field}.minCount`, input.minCount, 1, MAX_INTEREST_COUNT));
  c.add(checkIntRange(`${field}.withinDays`, input.withinDays, 1, OFFER_RULES.maxWindowDays));
  if (c.errors.length > before) return undefined;
  return defined({ modelLine, detail, minCount: input.minCount, withinDays: input.withinDays });
}

function checkEligibility(c: Checks, input: EligibilityInput): EligibilityRules {
  const f = 'eligibility';
  const rules: EligibilityRules = {
    tiers: enumList<Tier>(c, `${f}.tiers`, input.tiers, TIERS, 'tier'),
    segments: enumList<Segment>(c, `${f}.segments`, input.segments, SEGMENTS, 'segment'),
    ownsModelLines: enumList<ModelLine>(c, `${f}.ownsModelLines`, input.ownsModelLines, MODEL_LINES, 'model line', 'UNKNOWN_MODEL_LINE'),
    notOwnsModelLines: enumList<ModelLine>(c, `${f}.notOwnsModelLines`, input.notOwnsModelLines, MODEL_LINES, 'model line', 'UNKNOWN_MODEL_LINE'),
    ownsPowertrains: enumList<Powertrain>(c, `${f}.ownsPowertrains`, input.ownsPowertrains, POWERTRAINS, 'powertrain'),
    financeEndingWithinMonths: optionalInt(c, `${f}.financeEndingWithinMonths`, input.financeEndingWithinMonths, 1, MAX_FINANCE_MONTHS),
    financeKinds: enumList(c, `${f}.financeKinds`, input.financeKinds, FINANCE_KINDS, 'finance kind'),
    minSpentEur: optionalInt(c, `${f}.minSpentEur`, input.minSpentEur, 0, MAX_VALUE_EUR),
    maxSpentEur: optionalInt(c, `${f}.maxSpentEur`, input.maxSpentEur, 0, MAX_VALUE_EUR),
    minClvEur: optionalInt(c, `${f}.minClvEur`, input.minClvEur, 0, MAX_CLV_EUR),
    clubMember: input.clubMember ?? undefined,
  };
  if (input.interests != null) {
    if (input.interests.length > MAX_INTEREST_RULES) c.error(`${f}.interests`, 'TOO_MANY', `At most ${MAX_INTEREST_RULES} interest rules.`);
    else if (input.interests.length > 0) {
      const interests = input.interests.map((rule, i) => checkInterest(c, `${f}.interests.${i}`, rule));
      if (interests.every((r) => r !== undefined)) rules.interests = interests as InterestRule[];
    }
  }
  if (input.financeKinds != null && input.financeEndingWithinMonths == null) {
    c.error(`${f}.financeKinds`, 'INVALID', 'Finance kinds narrow the "finance contract ending" rule: give financeEndingWithinMonths too.');
  }
  if (rules.minSpentEur !== undefined && rules.maxSpentEur !== undefined && rules.minSpentEur > rules.maxSpentEur) {
    c.error(`${f}.maxSpentEur`, 'INVALID', 'The budget band ends below its start: maxSpentEur must be at least minSpentEur.');
  }
  const owns = rules.ownsModelLines ?? [];
  const clash = (rules.notOwnsModelLines ?? []).filter((line) => owns.includes(line));
  if (clash.length) c.error(`${f}.notOwnsModelLines`, 'INVALID', `${clash.join(', ')} cannot be both required and excluded.`);
  return defined(rules);
}

/** Which constraints each conversion kind reads: any other given is a mistake (it would never be checked). */
const CONVERSION_FIELDS: Record<ConversionKind, readonly (keyof ConversionInput)[]> = {
  VEHICLE_REGISTERED: ['modelLines', 'variantContains'],
  FINANCE_CONTRACT: ['financeKinds'],
  INTERACTION: ['interactionType', 'modelLines'],
  ORDER: ['skuPrefix'],
};

function checkConversion(c: Checks, input: ConversionInput): ConversionRule | undefined {
  const f = 'conversion';
  const before = c.errors.length;
  const kind = enumValue(c, `${f}.kind`, input.kind, CONVERSION_KINDS, 'conversion kind');
  if (kind) {
    for (const key of ['modelLines', 'variantContains', 'financeKinds', 'interactionType', 'skuPrefix'] as const) {
      if (input[key] != null && !CONVERSION_FIELDS[kind].includes(key)) c.error(`${f}.${key}`, 'INVALID', `A ${kind} conversion does not read ${key}.`);
    }
    if (kind === 'INTERACTION' && input.interactionType == null) c.error(`${f}.interactionType`, 'REQUIRED', 'Name the interaction that converts, e.g. TEST_DRIVE.');
  }
  const rule: ConversionRule = {
    kind: kind ?? 'ORDER',
    modelLines: enumList<ModelLine>(c, `${f}.modelLines`, input.modelLines, MODEL_LINES, 'model line', 'UNKNOWN_MODEL_LINE'),
    variantContains: matchText(c, `${f}.variantContains`, input.variantContains),
    financeKinds: enumList(c, `${f}.financeKinds`, input.financeKinds, FINANCE_KINDS, 'finance kind'),
    interactionType: input.interactionType == null ? undefined : enumValue(c, `${f}.interactionType`, input.interactionType, INTERACTION_TYPES, 'interaction type'),
    skuPrefix: matchText(c, `${f}.skuPrefix`, input.skuPrefix)?.toUpperCase(),
    attributionDays: input.attributionDays,
  };
  c.add(checkIntRange(`${f}.attributionDays`, input.attributionDays, 1, OFFER_RULES.maxWindowDays));
  return c.errors.length > before ? undefined : defined(rule);
}

/**
 * Checks an admin's offer. Codes and families are trimmed and upper-cased; texts trimmed.
 * Windows (cap period, cool-down, attribution, interest recency) are bounded by
 * `OFFER_RULES.maxWindowDays`, the time the offer book keeps a decision.
 *
 * @example
 * validateOfferInput({ ...input, eligibility: { ownsModelLines: ['CAYENNE', 'CAYMAN'] } }).errors
 * // [{ field: ['input', 'eligibility', 'ownsModelLines', '1'], code: 'UNKNOWN_MODEL_LINE', message: 'Unknown model line "CAYMAN"; …' }]
 */
export function validateOfferInput(input: OfferInput): { offer?: OfferContent; errors: UserError[] } {
  const c = new Checks();
  const code = input.code.trim().toUpperCase();
  if (!CODE.test(code)) c.error('code', 'INVALID', 'Use 3–40 capital letters, digits and underscores, e.g. TAYCAN_TEST_DRIVE.');
  c.add(checkText('name', input.name, { max: MAX_NAME }));
  c.add(checkText('description', input.description, { max: MAX_DESCRIPTION }));
  const kind = enumValue<OfferKind>(c, 'kind', input.kind, OFFER_KINDS, 'offer kind');
  const family = input.family == null ? kind : input.family.trim().toUpperCase();
  if (input.family != null && !FAMILY.test(family ?? '')) c.error('family', 'INVALID', 'Use 2–40 capital letters, digits and underscores, e.g. UPGRADE.');
  const channel = enumValue<ConsentChannel>(c, 'channel', input.channel, CONSENT_CHANNELS, 'channel');
  c.add(checkIntRange('valueEur', input.valueEur, 1, MAX_VALUE_EUR));
  const fromOk = checkDay(c, 'validFrom', input.validFrom);
  const untilOk = checkDay(c, 'validUntil', input.validUntil);
  if (fromOk && untilOk && input.validUntil < input.validFrom) {
    c.error('validUntil', 'INVALID', 'The offer ends before it starts: validUntil must be on or after validFrom.');
  }
  c.add(checkIntRange('frequencyCap.max', input.frequencyCap.max, 1, MAX_CAP));
  c.add(checkIntRange('frequencyCap.periodDays', input.frequencyCap.periodDays, 1, OFFER_RULES.maxWindowDays));
  c.add(checkIntRange('cooldownDaysAfterDecline', input.cooldownDaysAfterDecline, 0, OFFER_RULES.maxWindowDays));
  const eligibility = checkEligibility(c, input.eligibility ?? {});
  const conversion = checkConversion(c, input.conversion);
  if (c.errors.length || !kind || !channel || !family || !conversion) return { errors: c.errors };
  return {
    errors: [],
    offer: {
      code,
      name: input.name.trim(),
      description: input.description.trim(),
      kind,
      family,
      eligibility,
      channel,
      valueEur: input.valueEur,
      validFrom: input.validFrom,
      validUntil: input.validUntil,
      frequencyCap: { max: input.frequencyCap.max, periodDays: input.frequencyCap.periodDays },
      cooldownDaysAfterDecline: input.cooldownDaysAfterDecline,
      conversion,
      dealerFollowUp: input.dealerFollowUp,
    },
  };
}
