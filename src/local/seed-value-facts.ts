import type { CustomerRecord } from '../customer/customer.js';
import type { ServiceVisitRecord } from '../service/service-visit.js';
import type { Item } from '../store/table.js';
import { financeContractEntity, interactionEntity, orderEntity, surveyEntity, interestKey, sourceEventItem, type InteractionRecord } from '../value/fact-repository.js';
import { MODEL_LINES, type ModelLine } from '../catalogue/model-lines.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import type { Rng } from './seed-service-history.js';

const DAY = 86_400_000;
const CHANNELS = ['WEB', 'APP', 'APP', 'DEALER', 'SOCIAL', 'EMAIL'];
const TYPES = ['PAGE_VIEW', 'CONFIGURATOR_SESSION', 'TEST_DRIVE', 'BROCHURE_REQUEST', 'EVENT_ATTENDANCE', 'NEWSLETTER_CLICK'];
const INTEREST_VARIANTS: Record<ModelLine, string[]> = {
  NINE_ELEVEN: ['911 Carrera S', '911 Turbo S', '911 GT3'],
  SEVEN_EIGHTEEN: ['718 Cayman GT4 RS', '718 Boxster GTS 4.0'],
  TAYCAN: ['Taycan 4S', 'Taycan Turbo'],
  PANAMERA: ['Panamera 4 E-Hybrid', 'Panamera Turbo E-Hybrid'],
  MACAN: ['Macan 4 Electric', 'Macan Turbo Electric'],
  CAYENNE: ['Cayenne Turbo', 'Cayenne Turbo GT'],
};

/**
 * The demo brand's value facts, written the way the API writes them: purchases and visits
 * (from the cars and their service history) plus orders, finance contracts, surveys and
 * interactions — as fact items and in each customer's aggregates — so that after
 * `npm run job:scores` every customer has a value and the KPIs are populated.
 */
export function seedValueFacts(rand: Rng & { pick<T>(values: readonly T[]): T }, customers: CustomerRecord[], vehicles: VehicleRecord[], visits: ServiceVisitRecord[], now: Date, newId: (at: number) => string): Item[] {
  const items: Item[] = [];
  const byId = new Map(customers.map((c) => [c.id, c]));
  const iso = (t: number) => new Date(t).toISOString();

  for (const v of vehicles) {
    const buyer = byId.get(v.ownerHistory[0]!.customerId)!;
    buyer.aggregates.purchases.push({ at: `${v.purchaseDate}T00:00:00.000Z`, vin: v.vin, dealerId: v.sellingDealerId, modelLine: v.modelLine, variant: v.variant, powertrain: v.powertrain, priceMinor: v.purchasePrice.amountMinor });
    if (rand.chance(0.45)) {
      const kind = rand.chance(0.5) ? 'LEASE' : 'LOAN';
      const months = rand.pick([36, 48]);
      const start = Date.parse(`${v.purchaseDate}T00:00:00.000Z`);
      const fact = { kind, vin: v.vin, dealerId: v.sellingDealerId, principalMinor: Math.round(v.purchasePrice.amountMinor * (0.5 + rand.next() * 0.3)), monthlyMinor: Math.round(v.purchasePrice.amountMinor / months / 1.4), startDate: v.purchaseDate, endDate: iso(start + months * 30.44 * DAY).slice(0, 10) } as const;
      buyer.aggregates.finance.push(fact);
      const id = newId(start);
      const euros = (amountMinor: number) => ({ amountMinor, currency: 'EUR' as const });
      items.push(financeContractEntity.toItem({ id, customerId: buyer.id, ...fact, principal: euros(fact.principalMinor), monthlyPayment: euros(fact.monthlyMinor), termMonths: months }));
    }
  }

  for (const visit of visits) {
    const customer = byId.get(visit.customerId);
    if (!customer) continue;
    customer.aggregates.visits.push({ at: visit.performedAt, dealerId: visit.dealerId, revenueMinor: visit.total.amountMinor, waitMinutes: visit.waitTimeMinutes, firstTimeFix: visit.firstTimeFix });
    // One visit in three is followed by a survey: mostly happy, some not.
    if (rand.chance(0.33)) {
      const at = iso(Date.parse(visit.performedAt) + rand.int(1, 5) * DAY);
      if (at > now.toISOString()) continue;
      const nps = rand.chance(0.6) ? rand.int(9, 10) : rand.chance(0.6) ? rand.int(7, 8) : rand.int(0, 6);
      const fact = rand.chance(0.7) ? ({ at, kind: 'NPS', score: nps, touchpoint: 'SERVICE', dealerId: visit.dealerId } as const) : ({ at, kind: 'CSAT', score: Math.max(1, Math.min(5, Math.round(nps / 2))), touchpoint: 'SERVICE', dealerId: visit.dealerId } as const);
      customer.aggregates.surveys.push(fact);
      const id = newId(Date.parse(at));
      items.push(surveyEntity.toItem({ id, customerId: customer.id, ...fact }));
    }
  }

  for (const customer of customers) {
    if (rand.chance(0.4)) {
      for (let n = rand.int(1, 3); n > 0; n--) {
        const at = iso(now.getTime() - rand.int(5, 700) * DAY);
        const fact = { at, amountMinor: rand.int(80, 900) * 100 };
        customer.aggregates.orders.push(fact);
        const id = newId(Date.parse(at));
        const line = { sku: 'LIFESTYLE', description: 'Lifestyle collection', quantity: 1, unitPrice: { amount: (fact.amountMinor / 100).toFixed(2), currency: 'EUR' } };
        items.push(orderEntity.toItem({ id, customerId: customer.id, channel: 'ONLINE', lines: [line], totalEurMinor: fact.amountMinor, orderedAt: at }));
      }
    }
    // Interactions in the last six months, often with a higher model than the one owned.
    for (let n = rand.chance(0.7) ? rand.int(1, 8) : 0; n > 0; n--) {
      const occurredAt = iso(now.getTime() - rand.int(1, 180) * DAY - rand.int(0, 86_399) * 1000);
      const modelLine = rand.pick(MODEL_LINES);
      const interaction: InteractionRecord = {
        id: newId(Date.parse(occurredAt)),
        customerId: customer.id,
        sourceTenant: 'BRAND',
        sourceSystem: 'demo-seed',
        sourceEventId: `${customer.id}-${n}`,
        channel: rand.pick(CHANNELS),
        type: rand.pick(TYPES),
        modelLine,
        variant: rand.pick(INTEREST_VARIANTS[modelLine]),
        occurredAt,
        recordedAt: occurredAt,
      };
      const key = interestKey(interaction)!;
      const a = customer.aggregates;
      a.interestCounts[key] = (a.interestCounts[key] ?? 0) + 1;
      if (!a.interestLast[key] || a.interestLast[key]! < occurredAt) a.interestLast[key] = occurredAt;
      a.channels[interaction.channel] = (a.channels[interaction.channel] ?? 0) + 1;
      items.push(
        interactionEntity.toItem(interaction),
        sourceEventItem(interaction),
      );
    }
  }
  return items;
}
