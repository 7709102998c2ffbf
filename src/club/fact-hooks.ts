import type { Contribution, FactHooks, HookContext } from '../store/fact-hooks.js';
import type { Store } from '../store/store.js';
import { toEurMinor } from '../value/scoring.js';
import type { AccrualSourceRef } from './club-records.js';
import { basePointsFor, earnsOnDocumentOf } from './ledger.js';
import { LedgerRepository } from './ledger-repository.js';

/**
 * Points for what members buy and do, earned in the fact's own transaction: a service
 * visit, a lifestyle order, a car bought (its first registration, for its owner), a
 * finance contract. Each hook reads the membership (non-members and members who left earn
 * nothing; the level sets the multiplier) and the source's marker (a document that earned
 * once earns nothing again), then adds the ledger's accrual items. The hooks are asked
 * again on every attempt of the fact's transaction, so a race lost to a concurrent accrual
 * of the same member is decided again on fresh reads, and the marker's condition makes the
 * same document earn once whatever retries or concurrent requests do.
 *
 * Accrual is dated by the document's date (its lot's return window and expiry run from
 * it), and a document earns only if that date falls on a day the customer was a member
 * (`earnsOnDocumentOf`): a document dated before the day the member joined earns nothing
 * (joining does not pay out the purchase history, nor make lots expired at birth), nor one
 * dated between the day after they left and the day before they rejoined.
 */
/**
 * The day a document earns on: its own date, but never after now — a finance contract may
 * start next month, and points dated in the future would be pending for months, count for a
 * level the member does not hold yet and push the qualifying window past today.
 */
export function accrualDate(documentAt: string, context: HookContext | undefined): string {
  const now = (context?.now ?? new Date()).toISOString();
  return documentAt < now ? documentAt : now;
}

async function accrual(store: Store, customerId: string, source: AccrualSourceRef, eurMinor: number, documentAt: string, context: HookContext | undefined): Promise<Contribution[]> {
  const ledger = new LedgerRepository(store);
  const base = basePointsFor(source.type, eurMinor, ledger.rules);
  if (base <= 0) return [];
  const at = accrualDate(documentAt, context);
  // The membership first: most customers are not members, and they cost one read.
  const membership = await ledger.getMembership(customerId);
  if (membership?.status !== 'ACTIVE' || !earnsOnDocumentOf(membership, at) || (await ledger.getAccrual(customerId, source))) return [];
  return ledger.accrualContributions(membership, { source, basePoints: base, at, asOf: (context?.now ?? new Date()).toISOString() });
}

const clubFactHooks: FactHooks = {
  // The owner on the visit's date earns, on the invoice total in euros.
  ServiceVisitRecorded: ({ visit }, store, context) => accrual(store, visit.customerId, { type: 'SERVICE_VISIT', id: visit.id }, toEurMinor(visit.total.amountMinor, visit.total.currency), visit.performedAt, context),
  OrderRecorded: ({ order }, store, context) => accrual(store, order.customerId, { type: 'ORDER', id: order.id }, order.totalEurMinor, order.orderedAt, context),
  // A first registration is the purchase: the VIN is registered once, so it earns once.
  VehicleRegistered: ({ vehicle }, store, context) =>
    accrual(store, vehicle.ownerId, { type: 'VEHICLE_PURCHASE', id: vehicle.vin }, toEurMinor(vehicle.purchasePrice.amountMinor, vehicle.purchasePrice.currency), `${vehicle.purchaseDate}T00:00:00.000Z`, context),
  // A contract starting next month earns today (see `accrualDate`).
  FinanceContractRecorded: ({ contract }, store, context) =>
    accrual(store, contract.customerId, { type: 'FINANCE_CONTRACT', id: contract.id }, toEurMinor(contract.principal.amountMinor, contract.principal.currency), `${contract.startDate}T00:00:00.000Z`, context),
};

/** Collected for the composition root by `npm run codegen` (`src/__generated__/fact-hooks.ts`). */
export default clubFactHooks;
