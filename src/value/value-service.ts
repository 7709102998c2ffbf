import { writableCustomer, writableCustomers } from '../customer/customer-service.js';
import type { CustomerRecord } from '../customer/customer.js';
import { callerDealerId, sourceTenantOf, valuePolicy } from '../auth/policies.js';
import { ForbiddenError } from '../shared/errors.js';
import { keyOfGlobalId, newId } from '../shared/ids.js';
import type { ServiceContext } from '../shared/service-context.js';
import { notFound, userError, type UserError } from '../shared/user-error.js';
import { maxAmountMinor, multiplyWithin, sumWithin, type Currency } from '../shared/money.js';
import { amountOutOfRange, checkInstantNotInFuture, checkIntRange, checkMoney, checkText, isValidIsoDate } from '../shared/validation.js';
import { checkVin } from '../vehicle/vehicle-service.js';
import { limitMessage, type AggregateList, type FinanceFact, type OrderFact, type SurveyFact } from '../customer/profile-aggregates.js';
import { financeContractEntity, orderEntity, surveyEntity, type FinanceContractRecord, type InteractionRecord, type OrderRecord, type SurveyRecord } from './fact-repository.js';
import type { Refusal } from '../store/fact-hooks.js';
import { toEurMinor } from './scoring.js';
import { DEALER_NODE } from '../dealer/dealer.js';

export const MAX_INTERACTIONS = 100;
/** Bounds in euros (scaled per currency): lifestyle merchandise, and a whole order of it. */
const MAX_ORDER_UNIT_PRICE = 1_000_000;
const MAX_ORDER_TOTAL = 10_000_000;
/** A loan or lease finances one car: the principal is bounded like a car's price, the instalment like a tenth of it. */
const MAX_FINANCE_PRINCIPAL = 10_000_000;
const MAX_MONTHLY_PAYMENT = 1_000_000;
export const INTERACTION_CHANNELS = ['WEB', 'APP', 'DEALER', 'EXPERIENCE_CENTRE', 'SOCIAL', 'THIRD_PARTY', 'EMAIL'];
export const INTERACTION_TYPES = ['PAGE_VIEW', 'CONFIGURATOR_SESSION', 'TEST_DRIVE', 'BROCHURE_REQUEST', 'EVENT_ATTENDANCE', 'DEALER_VISIT', 'NEWSLETTER_CLICK'];

export interface FactResult {
  customer: CustomerRecord | null;
  userErrors: UserError[];
}

const failed = (...userErrors: UserError[]): FactResult => ({ customer: null, userErrors });

/** Revenue facts come from the brand's systems and dealers; analysts and customers may not write them. */
function assertMayRecordFacts(ctx: ServiceContext, { customersToo = false } = {}) {
  const allowed = customersToo ? valuePolicy.canSubmitSurvey(ctx.principal) : valuePolicy.canRecordFacts(ctx.principal);
  if (!allowed) throw new ForbiddenError();
}

/** The dealer a fact names: a dealer key's own (if it names one, it must be itself); otherwise one that exists. */
async function factDealer(ctx: ServiceContext, field: string, globalId: string | null | undefined): Promise<{ dealerId?: string; error?: UserError }> {
  const own = callerDealerId(ctx.principal);
  const named = globalId ? keyOfGlobalId(globalId, DEALER_NODE) : undefined;
  if (own !== undefined) return named === undefined || named === own ? { dealerId: own } : { error: notFound(field, 'dealer') };
  if (globalId === null || globalId === undefined) return {};
  return named && (await ctx.access.dealer(named)) ? { dealerId: named } : { error: notFound(field, 'dealer') };
}

async function recorded(ctx: ServiceContext, customerId: string, outcome: 'RECORDED' | 'CUSTOMER_NOT_FOUND' | 'LIMIT_REACHED' | Refusal, field: string, list: AggregateList): Promise<FactResult> {
  if (outcome === 'CUSTOMER_NOT_FOUND') return failed(notFound(field, 'customer'));
  if (outcome === 'LIMIT_REACHED') return failed(userError(field, 'LIMIT_REACHED', limitMessage(list)));
  // Another domain's item refused the fact (its own limit, in its words): on the customer, the fact's subject.
  if (typeof outcome === 'object') return failed(userError(field, outcome.code, outcome.message));
  const customer = await ctx.repos.customers.get(customerId);
  if (customer) ctx.loaders.customer.clear(customerId).prime(customerId, customer);
  return { customer, userErrors: [] };
}

export interface InteractionInput {
  customerId: string;
  sourceSystem: string;
  sourceEventId: string;
  channel: string;
  type: string;
  modelLine?: string | null;
  variant?: string | null;
  topic?: string | null;
  occurredAt: string;
}

export interface InteractionResult {
  index: number;
  outcome: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
  userErrors: UserError[];
}

/**
 * Records up to 100 interactions, each once per source event. Every event is checked and
 * authorised on its own (the customers read in one BatchGetItem); the accepted ones are
 * written per customer (`FactRepository.recordInteractions`: one transaction for a
 * customer's events), yet each event's answer is its own: accepted events are stored even
 * when others are rejected or duplicates, and the answer says per event what happened and
 * why. A fault (throttling, a timeout) never fails the call: the events it hit are
 * REJECTED with TEMPORARY_FAILURE and nothing of them was written, so the caller re-sends
 * them — safely, since a re-send of a stored event is a DUPLICATE.
 */
export async function recordInteractions(ctx: ServiceContext, input: { events: readonly InteractionInput[] }) {
  assertMayRecordFacts(ctx);
  if (input.events.length > MAX_INTERACTIONS || input.events.length === 0) {
    const error = input.events.length ? userError('events', 'TOO_MANY', `At most ${MAX_INTERACTIONS} events per call; nothing was recorded.`) : userError('events', 'REQUIRED', 'Send at least one event.');
    return { accepted: 0, duplicates: 0, rejected: input.events.length, results: [], userErrors: [error] };
  }
  const now = ctx.clock();
  const temporaryFailure = (index: number, error: unknown): InteractionResult => {
    ctx.logger.error('interaction not recorded', { index, error });
    return { index, outcome: 'REJECTED', userErrors: [userError(`events.${index}`, 'TEMPORARY_FAILURE', 'This event could not be stored just now; nothing of it was written. Send it again.')] };
  };
  const results: InteractionResult[] = new Array(input.events.length);
  const checked = input.events.map((event, index) => checkInteraction(event, index, now));
  const valid = checked.flatMap((c, index) => (c.errors.length ? ((results[index] = { index, outcome: 'REJECTED', userErrors: c.errors }), []) : [index]));
  const customers = await writableCustomers(ctx, valid.map((index) => ({ field: `events.${index}.customerId`, globalId: input.events[index]!.customerId }))).catch((error: unknown) => error);
  if (!Array.isArray(customers)) {
    for (const index of valid) results[index] = temporaryFailure(index, customers);
  } else {
    const writes: { index: number; interaction: InteractionRecord }[] = [];
    valid.forEach((index, i) => {
      const customer = customers[i]!;
      if ('code' in customer) results[index] = { index, outcome: 'REJECTED', userErrors: [customer] };
      else writes.push({ index, interaction: toInteraction(ctx, input.events[index]!, customer.id, checked[index]!.occurredAt!, now) });
    });
    const outcomes = await ctx.repos.facts.recordInteractions(writes.map(({ interaction }) => ({ interaction, hooks: () => ctx.facts.contributions('InteractionRecorded', { interaction }) })));
    writes.forEach(({ index }, i) => {
      const result = outcomes[i]!;
      if ('fault' in result) results[index] = temporaryFailure(index, result.fault);
      else if (result.outcome === 'CUSTOMER_NOT_FOUND') results[index] = { index, outcome: 'REJECTED', userErrors: [notFound(`events.${index}.customerId`, 'customer')] };
      else if (typeof result.outcome === 'object') results[index] = { index, outcome: 'REJECTED', userErrors: [userError(`events.${index}.customerId`, result.outcome.code, result.outcome.message)] };
      else results[index] = { index, outcome: result.outcome, userErrors: [] };
    });
  }
  const count = (outcome: InteractionResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  return { accepted: count('ACCEPTED'), duplicates: count('DUPLICATE'), rejected: count('REJECTED'), results, userErrors: [] };
}

/** One event of a batch checked on its own (pure): its field errors, and when it happened. */
function checkInteraction(event: InteractionInput, index: number, now: Date): { errors: UserError[]; occurredAt?: Date } {
  const at = `events.${index}`;
  const errors = [
    ...checkText(`${at}.sourceSystem`, event.sourceSystem, { max: 100 }),
    ...checkText(`${at}.sourceEventId`, event.sourceEventId, { max: 200 }),
    ...(event.variant != null ? checkText(`${at}.variant`, event.variant, { max: 100 }) : []),
    ...(event.topic != null ? checkText(`${at}.topic`, event.topic, { max: 100 }) : []),
  ];
  if (!INTERACTION_CHANNELS.includes(event.channel)) errors.push(userError(`${at}.channel`, 'INVALID', `Unknown channel; use one of ${INTERACTION_CHANNELS.join(', ')}.`));
  if (!INTERACTION_TYPES.includes(event.type)) errors.push(userError(`${at}.type`, 'INVALID', `Unknown type; use one of ${INTERACTION_TYPES.join(', ')}.`));
  const occurred = checkInstantNotInFuture(`${at}.occurredAt`, event.occurredAt, now);
  errors.push(...occurred.errors);
  return errors.length || !occurred.date ? { errors } : { errors, occurredAt: occurred.date };
}

function toInteraction(ctx: ServiceContext, event: InteractionInput, customerId: string, occurredAt: Date, now: Date): InteractionRecord {
  return {
    id: newId(),
    customerId,
    sourceTenant: sourceTenantOf(ctx.principal),
    sourceSystem: event.sourceSystem.trim(),
    sourceEventId: event.sourceEventId.trim(),
    channel: event.channel,
    type: event.type,
    modelLine: event.modelLine ?? undefined,
    variant: event.variant?.trim() || undefined,
    topic: event.topic?.trim().toLowerCase() || undefined,
    occurredAt: occurredAt.toISOString(),
    recordedAt: now.toISOString(),
  };
}

export async function recordOrder(
  ctx: ServiceContext,
  input: { customerId: string; lines: readonly { sku: string; description: string; quantity: number; unitPrice: { amount: string; currency: string } }[]; channel: 'ONLINE' | 'DEALER'; dealerId?: string | null; orderedAt: string },
): Promise<FactResult> {
  assertMayRecordFacts(ctx);
  const now = ctx.clock();
  const errors: UserError[] = [];
  if (input.lines.length === 0) errors.push(userError('lines', 'REQUIRED', 'An order has at least one line.'));
  if (input.lines.length > 100) errors.push(userError('lines', 'TOO_MANY', 'At most 100 lines per order.'));
  let currency: Currency | undefined;
  const lineTotals: number[] = [];
  input.lines.forEach((line, i) => {
    const quantity = checkIntRange(`lines.${i}.quantity`, line.quantity, 1, 1_000);
    errors.push(...checkText(`lines.${i}.sku`, line.sku, { max: 50 }), ...checkText(`lines.${i}.description`, line.description, { max: 200 }), ...quantity);
    const price = checkMoney(`lines.${i}.unitPrice`, line.unitPrice, { maxEuros: MAX_ORDER_UNIT_PRICE });
    errors.push(...price.errors);
    if (price.money) {
      if (currency && price.money.currency !== currency) errors.push(userError(`lines.${i}.unitPrice.currency`, 'INVALID', 'All lines must be in one currency.'));
      currency ??= price.money.currency;
      if (quantity.length === 0) {
        const maxLine = maxAmountMinor(MAX_ORDER_TOTAL, price.money.currency);
        const lineTotal = multiplyWithin(price.money.amountMinor, line.quantity, maxLine);
        if (lineTotal === null) errors.push(amountOutOfRange(`lines.${i}`, maxLine, price.money.currency, 'A line (quantity × unit price)'));
        else lineTotals.push(lineTotal);
      }
    }
  });
  let totalMinor = 0;
  if (currency && errors.length === 0) {
    // The running total is bounded too, so no sum of lines leaves safe integers or passes a plausible order.
    const maxTotal = maxAmountMinor(MAX_ORDER_TOTAL, currency);
    const orderTotal = sumWithin(lineTotals, maxTotal);
    if (orderTotal === null) errors.push(amountOutOfRange('lines', maxTotal, currency, 'The order total'));
    else totalMinor = toEurMinor(orderTotal, currency);
  }
  const ordered = checkInstantNotInFuture('orderedAt', input.orderedAt, now);
  errors.push(...ordered.errors);
  const dealer = await factDealer(ctx, 'dealerId', input.dealerId);
  if (dealer.error) errors.push(dealer.error);
  if (input.channel === 'DEALER' && !dealer.dealerId && !dealer.error) errors.push(userError('dealerId', 'REQUIRED', 'A dealer order names its dealer.'));
  if (errors.length || !ordered.date) return failed(...errors);
  const customer = await writableCustomer(ctx, 'customerId', input.customerId);
  if ('code' in customer) return failed(customer);
  const id = newId();
  const at = ordered.date.toISOString();
  const fact: OrderFact = { at, amountMinor: totalMinor, ...(dealer.dealerId ? { dealerId: dealer.dealerId } : {}) };
  const order: OrderRecord = { id, customerId: customer.id, channel: input.channel, lines: input.lines, totalEurMinor: totalMinor, ...(dealer.dealerId ? { dealerId: dealer.dealerId } : {}), orderedAt: at };
  const outcome = await ctx.repos.facts.record(orderEntity, order, 'orders', fact, () => ctx.facts.contributions('OrderRecorded', { order }));
  return recorded(ctx, customer.id, outcome, 'customerId', 'orders');
}

export async function recordFinanceContract(
  ctx: ServiceContext,
  input: { customerId: string; vin: string; kind: 'LOAN' | 'LEASE'; principal: { amount: string; currency: string }; termMonths: number; monthlyPayment: { amount: string; currency: string }; startDate: string; endDate: string },
): Promise<FactResult> {
  assertMayRecordFacts(ctx);
  const { vin, errors } = checkVin('vin', input.vin);
  const principal = checkMoney('principal', input.principal, { maxEuros: MAX_FINANCE_PRINCIPAL });
  const monthly = checkMoney('monthlyPayment', input.monthlyPayment, { maxEuros: MAX_MONTHLY_PAYMENT });
  errors.push(...principal.errors, ...monthly.errors, ...checkIntRange('termMonths', input.termMonths, 1, 120));
  if (!isValidIsoDate(input.startDate)) errors.push(userError('startDate', 'INVALID_DATE', 'Use a calendar date in the form YYYY-MM-DD.'));
  if (!isValidIsoDate(input.endDate)) errors.push(userError('endDate', 'INVALID_DATE', 'Use a calendar date in the form YYYY-MM-DD.'));
  else if (isValidIsoDate(input.startDate) && input.endDate <= input.startDate) errors.push(userError('endDate', 'INVALID_DATE', 'The contract must end after it starts.'));
  if (errors.length || !principal.money || !monthly.money) return failed(...errors);
  const customer = await writableCustomer(ctx, 'customerId', input.customerId);
  if ('code' in customer) return failed(customer);
  if (!customer.vehicleVins.includes(vin)) return failed(notFound('vin', "customer's vehicle"));
  const dealerId = callerDealerId(ctx.principal);
  const fact: FinanceFact = {
    kind: input.kind,
    vin,
    ...(dealerId ? { dealerId } : {}),
    principalMinor: toEurMinor(principal.money.amountMinor, principal.money.currency),
    monthlyMinor: toEurMinor(monthly.money.amountMinor, monthly.money.currency),
    startDate: input.startDate,
    endDate: input.endDate,
  };
  const id = newId();
  const contract: FinanceContractRecord = { id, customerId: customer.id, ...fact, principal: principal.money, monthlyPayment: monthly.money, termMonths: input.termMonths };
  const outcome = await ctx.repos.facts.record(financeContractEntity, contract, 'finance', fact, () => ctx.facts.contributions('FinanceContractRecorded', { contract }));
  return recorded(ctx, customer.id, outcome, 'customerId', 'finance');
}

export async function submitSurvey(
  ctx: ServiceContext,
  input: { customerId: string; kind: 'NPS' | 'CSAT'; score: number; touchpoint: string; dealerId?: string | null; comment?: string | null; submittedAt?: string | null },
): Promise<FactResult> {
  assertMayRecordFacts(ctx, { customersToo: true });
  const now = ctx.clock();
  const errors = input.kind === 'NPS' ? checkIntRange('score', input.score, 0, 10) : checkIntRange('score', input.score, 1, 5);
  if (input.comment != null) errors.push(...checkText('comment', input.comment, { max: 2_000, required: false }));
  const submitted = input.submittedAt ? checkInstantNotInFuture('submittedAt', input.submittedAt, now) : { errors: [], date: now };
  errors.push(...submitted.errors);
  const dealer = await factDealer(ctx, 'dealerId', input.dealerId);
  if (dealer.error) errors.push(dealer.error);
  if (errors.length || !submitted.date) return failed(...errors);
  const customer = await writableCustomer(ctx, 'customerId', input.customerId);
  if ('code' in customer) return failed(customer);
  const at = submitted.date.toISOString();
  const fact: SurveyFact = { at, kind: input.kind, score: input.score, touchpoint: input.touchpoint, ...(dealer.dealerId ? { dealerId: dealer.dealerId } : {}) };
  const id = newId();
  // Nothing but the value domain reacts to a survey yet: it stays a plain write until a domain needs a SurveySubmitted fact.
  const survey: SurveyRecord = { id, customerId: customer.id, ...fact, ...(input.comment?.trim() ? { comment: input.comment.trim() } : {}) };
  const outcome = await ctx.repos.facts.record(surveyEntity, survey, 'surveys', fact);
  return recorded(ctx, customer.id, outcome, 'customerId', 'surveys');
}

