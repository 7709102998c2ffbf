import type { ServiceVisitRecord } from '../service/service-visit.js';
import type { FactHooks, Refusal } from '../store/fact-hooks.js';
import type { Store } from '../store/store.js';
import type { VehicleRecord } from '../vehicle/vehicle.js';
import { limitMessage, type AggregateList, type PurchaseFact, type VisitFact } from '../customer/profile-aggregates.js';
import { appendToCustomer, customerAppendFailure } from './fact-repository.js';
import { toEurMinor } from './scoring.js';

/** A visit as the customer's aggregates count it. */
export function visitFact(visit: ServiceVisitRecord): VisitFact {
  return { at: visit.performedAt, dealerId: visit.dealerId, revenueMinor: toEurMinor(visit.total.amountMinor, visit.total.currency), waitMinutes: visit.waitTimeMinutes, firstTimeFix: visit.firstTimeFix };
}

/** A registration is the first owner's purchase. */
export function purchaseFact(v: VehicleRecord): PurchaseFact {
  return { at: `${v.purchaseDate}T00:00:00.000Z`, vin: v.vin, dealerId: v.sellingDealerId, modelLine: v.modelLine, variant: v.variant, powertrain: v.powertrain, priceMinor: toEurMinor(v.purchasePrice.amountMinor, v.purchasePrice.currency) };
}

/**
 * Why an append to a customer's list failed, when it is final: the list is at its cap
 * (`LIMIT_REACHED`, in words). A missing customer or a list with room is null: the fact's
 * own answer (the owner changed under it), or a concurrent write the writer retries.
 */
async function fullListRefusal(store: Store, customerId: string, list: AggregateList, ifGone: Refusal | null = null): Promise<Refusal | null> {
  const why = await customerAppendFailure(store, customerId, list);
  if (why === 'CUSTOMER_NOT_FOUND') return ifGone;
  return why === 'LIMIT_REACHED' ? { code: 'LIMIT_REACHED', message: limitMessage(list) } : null;
}

/**
 * A visit counts for the owner on its day, who may be a past owner whose profile was erased
 * since: no retry brings the profile back, so it is the caller's answer, not a conflict.
 */
export const VISIT_OWNER_GONE: Refusal = { code: 'NOT_FOUND', message: "The vehicle's owner on the visit's date has no customer profile any more; the visit cannot be counted for them." };

/**
 * The value domain's reactions: every fact that feeds a customer's scores is appended to
 * their aggregates in the fact's own transaction, so it is never counted without being
 * stored nor stored without being counted.
 */
const valueFactHooks: FactHooks = {
  // The owner at the time of the visit: the visit counts for them even after a sale.
  ServiceVisitRecorded: ({ visit }, store) => [
    {
      item: appendToCustomer(store.tableName, visit.customerId, 'visits', visitFact(visit)),
      // A full list (LIMIT_REACHED) and an owner without a profile (NOT_FOUND) are final; anything else the visit retries.
      explainFailure: () => fullListRefusal(store, visit.customerId, 'visits', VISIT_OWNER_GONE),
    },
  ],
  // The same profile item as the customer domain's count of the car: the registry merges the two updates.
  VehicleRegistered: ({ vehicle }, store) => [
    { item: appendToCustomer(store.tableName, vehicle.ownerId, 'purchases', purchaseFact(vehicle)), explainFailure: () => fullListRefusal(store, vehicle.ownerId, 'purchases') },
  ],
};

/** Collected for the composition root by `npm run codegen` (`src/__generated__/fact-hooks.ts`). */
export default valueFactHooks;
