import type { Principal } from '../auth/principal.js';
import type { ModelLine } from '../catalogue/model-lines.js';
import { createFactHooks, type Repositories } from '../composition.js';
import { CUSTOMER_NODE, type CustomerRecord } from '../customer/customer.js';
import { DEALER_NODE } from '../dealer/dealer.js';
import { createContext } from '../graphql/context.js';
import type { ConversionRule } from '../offers/catalogue.js';
import { DEFAULT_CATALOGUE } from '../offers/default-catalogue.js';
import type { BookEntry } from '../offers/offer-records.js';
import { offersRunFor, runOffersLocally } from '../offers/offers-job.js';
import { InvariantError } from '../shared/errors.js';
import { toGlobalId } from '../shared/ids.js';
import { inPool } from '../shared/in-pool.js';
import { createLogger } from '../shared/logger.js';
import type { Prng } from '../shared/prng.js';
import type { ServiceContext } from '../shared/service-context.js';
import type { UserError } from '../shared/user-error.js';
import type { Store } from '../store/store.js';
import { runScoresLocally, scoresRunFor } from '../value/scores-job.js';
import { recordFinanceContract, recordInteractions, recordOrder } from '../value/value-service.js';
import { registerVehicle } from '../vehicle/vehicle-service.js';
import { DEMO_VARIANTS } from './demo-brand.js';

/**
 * The demo brand's personalised offers, written through the offers' own repository and
 * job and the facts' own services, so that `offerKpis` shows what a season of offers
 * looks like:
 *
 * - the default catalogue, saved as an admin would (version 1 of each offer);
 * - the scores job and the offers job on two nights 31 days apart (106 and 75 days before
 *   now: the first night's decisions, open 30 days, have expired by the second): every consented, scored, eligible customer gets up to three decisions, a
 *   hashed 5 % of them in the holdout;
 * - before the next night, a deterministic share of customers do what the offer asks — a
 *   test drive, an order, a finance contract, a car bought — more often when they were
 *   shown the offer (treatment, 35 %) than not (holdout, 15 %): real facts, attributed by
 *   the offers' fact hooks in their own transactions;
 * - the scores job and the offers job again at now: the month's value KPIs (the offer-driven
 *   split's denominators), expired decisions closed, the next decisions made.
 */

export interface OffersSeedResult {
  offers: number;
  /** Decisions of the past nights, treatment and holdout. */
  decided: number;
  holdout: number;
  /** Facts recorded to convert them (each converts at least its decision). */
  facts: number;
  /** Of those, cars bought (registered to their owners beside the demo brand's 300). */
  carsBought: number;
}

const DAY = 86_400_000;
/** The past nights the offers job ran on (days before now): cohorts that have had time to convert and to expire. */
export const OFFERS_SEED_NIGHTS_BACK = [106, 75];
/** Chance that a customer does what the offer asks within its window: shown the offer, and not (the holdout's baseline). */
const CONVERSION_CHANCE = { treatment: 0.35, holdout: 0.15 } as const;
/** Segments of the seed's job runs, all worked at once (a small brand: the runs are short either way). */
const SEGMENTS = 8;
const SEED_ADMIN: Principal = { kind: 'admin', subject: 'seed' };

/** What a customer buys for an order-converting offer, by SKU prefix (EUR). */
const ORDER_GOODS: Record<string, { description: string; eur: number }> = {
  'SVC-PKG': { description: 'Service package, 3 years', eur: 1_290 },
  'WAP-OIL': { description: 'Approved engine oil 0W-40, 5 l', eur: 89 },
  'EXP-TRACK': { description: 'Track experience, one day', eur: 1_850 },
};

function ok<T extends { userErrors: readonly UserError[] }>(what: string, result: T): T {
  if (result.userErrors.length) throw new InvariantError(`Seeding the offers: ${what} failed: ${JSON.stringify(result.userErrors)}`);
  return result;
}

/** One fact to record for a decision, planned up front so that the draws do not depend on write order. */
interface PlannedFact {
  customer: CustomerRecord;
  rule: ConversionRule;
  at: Date;
  serial: number;
}

export async function seedOffers(store: Store, repos: Repositories, input: { customers: readonly CustomerRecord[]; now: Date; rand: Prng }): Promise<OffersSeedResult> {
  const { now, rand } = input;
  const logger = createLogger({ service: 'paddock-seed' }, { level: 'error' });
  /** An admin's request at `at`; the fact hooks see `at` as the time the fact is written. */
  const ctxAt = (at: Date): ServiceContext => createContext({ principal: SEED_ADMIN, repos, facts: createFactHooks(store, undefined, () => at), clock: () => at, logger, requestId: 'seed-offers' });
  const day = (daysBack: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysBack, 3));
  const SEED_NIGHTS = OFFERS_SEED_NIGHTS_BACK.map(day);
  const back = SEED_NIGHTS[0]!;

  // --- The catalogue, as an admin defined it a month before the first run.
  for (const offer of DEFAULT_CATALOGUE) {
    const saved = await repos.offers.saveOffer({ ...offer, version: 1, status: 'ACTIVE', createdAt: new Date(back.getTime() - 30 * DAY).toISOString(), createdBy: 'admin:seed' }, null);
    if (saved !== 'SAVED') throw new InvariantError(`Seeding the offers: ${offer.code} was ${saved}`);
  }

  // --- Two past nights a month apart (scores, then offers), each followed by what customers did before the next:
  // two cohorts, so the holdout (5 %) holds enough decisions for the uplift to mean something.
  const customers = [...input.customers].sort((a, b) => a.id.localeCompare(b.id));
  const plans: PlannedFact[][] = [];
  let decided = 0;
  let holdout = 0;
  let serial = 0;
  let carsBought = 0;
  const owed = { treatment: 0.5, holdout: 0.5 };
  for (const [index, night] of SEED_NIGHTS.entries()) {
    await runScoresLocally({ values: repos.values, logger }, scoresRunFor(night, SEGMENTS), SEGMENTS);
    await runOffersLocally({ offers: repos.offers, values: repos.values, logger }, offersRunFor(night, SEGMENTS), SEGMENTS);
    // What customers did: drawn in a fixed order (customers by id, their decisions by date and code), before the next night.
    const nextNight = SEED_NIGHTS[index + 1] ?? now;
    const books = new Map<string, Record<string, BookEntry>>();
    await inPool(customers, 16, async (c) => void books.set(c.id, (await repos.offers.getBook(c.id))?.entries ?? {}));
    const nightPlans: PlannedFact[][] = [];
    for (const customer of customers) {
      const entries = Object.values(books.get(customer.id)!)
        .filter((e) => e.decidedAt.slice(0, 10) === night.toISOString().slice(0, 10))
        .sort((a, b) => a.decidedAt.localeCompare(b.decidedAt) || a.offerCode.localeCompare(b.offerCode));
      const plan: PlannedFact[] = [];
      for (const entry of entries) {
        decided++;
        if (entry.holdout) holdout++;
        // Systematic, not drawn: each group converts its share exactly (a dozen holdout decisions
        // drawn at 15 % convert none one time in seven, and the demo's uplift would show nothing).
        const group = entry.holdout ? 'holdout' : 'treatment';
        const before = Math.floor(owed[group]);
        owed[group] += CONVERSION_CHANCE[group];
        const converts = Math.floor(owed[group]) > before;
        const decidedAt = Date.parse(entry.decidedAt);
        const lastDay = Math.min(Date.parse(entry.attributionUntil), nextNight.getTime() - DAY, now.getTime() - DAY);
        const days = Math.floor((lastDay - decidedAt) / DAY);
        const offset = rand.int(1, Math.max(1, days)) * DAY + rand.int(6, 12) * 3_600_000;
        if (converts && days >= 1) plan.push({ customer, rule: entry.conversionRule, at: new Date(decidedAt + offset), serial: serial++ });
      }
      if (plan.length) nightPlans.push(plan.sort((a, b) => a.at.getTime() - b.at.getTime()));
    }
    // The facts, through the services that record them (and so through the offers' hooks), a customer's in date order.
    await inPool(nightPlans, 16, async (plan) => {
      for (const fact of plan) await record(fact);
    });
    plans.push(...nightPlans);
  }

  async function record({ customer, rule, at, serial: n }: PlannedFact): Promise<void> {
    const ctx = ctxAt(at);
    const customerId = toGlobalId(CUSTOMER_NODE, customer.id);
    const day = at.toISOString().slice(0, 10);
    switch (rule.kind) {
      case 'INTERACTION': {
        const result = await recordInteractions(ctx, {
          events: [{ customerId, sourceSystem: 'demo-seed-offers', sourceEventId: `offer-${n}`, channel: rule.interactionType === 'TEST_DRIVE' ? 'DEALER' : 'EXPERIENCE_CENTRE', type: rule.interactionType ?? 'TEST_DRIVE', modelLine: rule.modelLines?.[0] ?? null, occurredAt: at.toISOString() }],
        });
        if (result.accepted !== 1) throw new InvariantError(`Seeding the offers: an interaction was not accepted: ${JSON.stringify(result.results)}`);
        return;
      }
      case 'ORDER': {
        const prefix = rule.skuPrefix ?? 'WAP';
        const good = ORDER_GOODS[prefix] ?? { description: 'Lifestyle collection', eur: 120 };
        ok('an order', await recordOrder(ctx, { customerId, channel: 'ONLINE', orderedAt: at.toISOString(), lines: [{ sku: `${prefix}-${n}`, description: good.description, quantity: 1, unitPrice: { amount: good.eur.toFixed(2), currency: 'EUR' } }] }));
        return;
      }
      case 'FINANCE_CONTRACT': {
        const vin = customer.vehicleVins[0];
        if (!vin) return;
        const kind = rule.financeKinds?.[0] ?? 'LOAN';
        const months = kind === 'LEASE' ? 36 : 48;
        const end = new Date(Date.parse(`${day}T00:00:00.000Z`) + months * 30.44 * DAY).toISOString().slice(0, 10);
        ok('a finance contract', await recordFinanceContract(ctx, { customerId, vin, kind, principal: { amount: '62000.00', currency: 'EUR' }, termMonths: months, monthlyPayment: { amount: '1190.00', currency: 'EUR' }, startDate: day, endDate: end }));
        return;
      }
      case 'VEHICLE_REGISTERED': {
        const line: ModelLine = rule.modelLines?.[0] ?? 'MACAN';
        const wanted = rule.variantContains?.toLowerCase();
        const variant = DEMO_VARIANTS.find((v) => v.modelLine === line && (!wanted || v.variant.toLowerCase().includes(wanted))) ?? DEMO_VARIANTS.find((v) => v.modelLine === line)!;
        const dealerId = customer.dealerIds[0];
        if (!dealerId) return;
        const vin = `WP0ZZZ${variant.vinCode}ZTS9${String(n).padStart(5, '0')}`;
        carsBought++;
        ok('a car bought', await registerVehicle(ctx, { vin, ownerId: customerId, modelLine: line, variant: variant.variant, powertrain: variant.powertrain, modelYear: at.getUTCFullYear() + 1, purchaseDate: day, purchasePrice: { amount: variant.priceEur.toFixed(2), currency: 'EUR' }, sellingDealerId: toGlobalId(DEALER_NODE, dealerId), odometerKm: 12 }));
        return;
      }
    }
  }

  // --- Tonight: scores (this month's value KPIs), then offers (expired decisions closed, the next ones made).
  await runScoresLocally({ values: repos.values, logger }, scoresRunFor(now, SEGMENTS), SEGMENTS);
  await runOffersLocally({ offers: repos.offers, values: repos.values, logger }, offersRunFor(now, SEGMENTS), SEGMENTS);

  return { offers: DEFAULT_CATALOGUE.length, decided, holdout, facts: plans.reduce((sum, p) => sum + p.length, 0), carsBought };
}
