import { customerEntity, makeCustomer, type CustomerRecord } from '../../src/customer/customer.js';
import { batchPutItems } from '../../src/store/batch.js';
import type { Store } from '../../src/store/store.js';
import { emptyAggregates, type CustomerAggregates } from '../../src/customer/profile-aggregates.js';
import { MODEL_LINES } from '../../src/catalogue/model-lines.js';

/**
 * A generated population for the scores job: customers with varied aggregates (cars,
 * visits, orders, finance, surveys, interests), written straight to the table.
 */
export function makePopulation(count: number, dealerIds: string[], seed = 11): CustomerRecord[] {
  let state = seed;
  const rand = () => ((state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const pick = <T>(values: readonly T[]) => values[Math.floor(rand() * values.length)]!;
  // Dates spread over the last months, as in a real population (not all on one day).
  const recent = (maxDays: number) => new Date(Date.parse('2026-11-30T12:00:00Z') - Math.floor(rand() * maxDays) * 86_400_000).toISOString();
  return Array.from({ length: count }, (_, i) => {
    const line = pick(MODEL_LINES);
    const interestAt = recent(150);
    const aggregates: CustomerAggregates = {
      ...emptyAggregates(),
      purchases: [{ at: `20${20 + Math.floor(rand() * 6)}-0${1 + Math.floor(rand() * 9)}-15T00:00:00.000Z`, vin: `VIN${i}`, dealerId: pick(dealerIds), modelLine: line, variant: rand() < 0.1 ? '911 Turbo S' : line, powertrain: line === 'TAYCAN' ? 'ELECTRIC' : 'PETROL', priceMinor: 7_000_000 + Math.floor(rand() * 15_000_000) }],
      visits: rand() < 0.7 ? [{ at: recent(400), dealerId: pick(dealerIds), revenueMinor: 40_000 + Math.floor(rand() * 80_000), waitMinutes: 30 + Math.floor(rand() * 120), firstTimeFix: rand() < 0.9 }] : [],
      orders: rand() < 0.3 ? [{ at: recent(300), amountMinor: 20_000 + Math.floor(rand() * 100_000) }] : [],
      surveys: rand() < 0.4 ? [{ at: recent(60), kind: 'NPS', score: Math.floor(rand() * 11), touchpoint: 'SERVICE', dealerId: pick(dealerIds) }] : [],
      interestCounts: rand() < 0.5 ? { 'NINE_ELEVEN|911 Turbo': 1 + Math.floor(rand() * 5) } : {},
      interestLast: { 'NINE_ELEVEN|911 Turbo': interestAt },
    };
    return makeCustomer({ id: `POP${String(i).padStart(23, '0')}`, email: `pop${i}@example.com`, dealerIds: [pick(dealerIds)], aggregates });
  });
}

export async function writePopulation(store: Store, customers: CustomerRecord[]): Promise<void> {
  await batchPutItems(store.doc, store.tableName, customers.map(customerEntity.toItem));
}
