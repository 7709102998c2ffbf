import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { bookEntryOf } from '../../src/offers/decide.js';
import { bookEntity, decisionEntity, offerNodeKey, type OfferDecisionRecord } from '../../src/offers/offer-records.js';
import { newId, toGlobalId } from '../../src/shared/ids.js';
import type { Store } from '../../src/store/store.js';

/**
 * Decisions and offer books written straight through the entities, as the nightly run
 * would leave them, so the API tests depend on neither the job nor the planner. All of a
 * customer's decisions are written at once with the book that mirrors them.
 */

const DAY = 86_400_000;

/** One decision as the run records it: DECIDED, valid 30 days from `decidedAt`, treatment, no dealer unless given. */
export function makeDecision(customerId: string, overrides: Partial<OfferDecisionRecord> = {}): OfferDecisionRecord {
  const decidedAt = overrides.decidedAt ?? '2026-11-01T04:00:00.000Z';
  const base = decisionEntity.make({
    id: newId(),
    customerId,
    decidedAt,
    decidedOn: decidedAt.slice(0, 10),
    statusAt: decidedAt,
    validUntil: new Date(Date.parse(decidedAt) + 30 * DAY).toISOString(),
    attributionUntil: new Date(Date.parse(decidedAt) + 60 * DAY).toISOString(),
    followUp: false,
  });
  const { dealerId: _dealer, ...withoutDealer } = base;
  return { ...withoutDealer, ...overrides };
}

/** Writes the decisions and the customer's book (version 1) holding one entry per decision. */
export async function writeDecisions(store: Store, customerId: string, decisions: readonly OfferDecisionRecord[]): Promise<OfferDecisionRecord[]> {
  for (const d of decisions) await store.doc.send(new PutCommand({ TableName: store.tableName, Item: decisionEntity.toItem(d) }));
  const entries = Object.fromEntries(decisions.map((d) => [d.id, bookEntryOf(d)]));
  await store.doc.send(new PutCommand({ TableName: store.tableName, Item: bookEntity.toItem({ customerId, entries, decidedOn: decisions.at(-1)?.decidedOn ?? '2026-11-01', version: 1 }) }));
  return [...decisions];
}

/** The `Offer` global id of a decision. */
export const offerGlobalId = (d: Pick<OfferDecisionRecord, 'customerId' | 'id'>) => toGlobalId('Offer', offerNodeKey(d));

/** The fields the tests read of an `Offer`. */
export const OFFER_FIELDS = 'id code version name kind channel status rank propensity expectedValue { amount currency } reasons { factor detail } decidedAt validUntil responses { status channel channelEventId at } holdout followUpDealer { id } customer { id }';

/** A catalogue offer as `defineOffer` takes it: a Cayenne → Cayenne Turbo upgrade, overridable field by field. */
export function offerInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code: 'CAYENNE_TURBO_UPGRADE',
    name: 'Cayenne Turbo upgrade',
    description: 'Move up to the Cayenne Turbo with a finance plan.',
    kind: 'UPGRADE',
    channel: 'EMAIL',
    valueEur: 25_000,
    validFrom: '2026-01-01',
    validUntil: '2027-12-31',
    frequencyCap: { max: 2, periodDays: 180 },
    cooldownDaysAfterDecline: 90,
    dealerFollowUp: true,
    eligibility: { ownsModelLines: ['CAYENNE'], tiers: ['GOLD', 'PLATINUM'], interests: [{ modelLine: 'CAYENNE', detail: 'turbo', minCount: 2, withinDays: 90 }] },
    conversion: { kind: 'VEHICLE_REGISTERED', modelLines: ['CAYENNE'], variantContains: 'Turbo', attributionDays: 120 },
    ...overrides,
  };
}
