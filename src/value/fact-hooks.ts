import type { ServiceVisitRecord } from '../service/service-visit.js';
import type { FactHooks } from '../store/fact-hooks.js';
import type { VisitFact } from './aggregates.js';
import { appendToCustomer, customerAppendFailure } from './fact-repository.js';
import { toEurMinor } from './scoring.js';

/** A visit as the customer's aggregates count it. */
export function visitFact(visit: ServiceVisitRecord): VisitFact {
  return { at: visit.performedAt, dealerId: visit.dealerId, revenueMinor: toEurMinor(visit.total.amountMinor, visit.total.currency), waitMinutes: visit.waitTimeMinutes, firstTimeFix: visit.firstTimeFix };
}

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
      // A full list is final (LIMIT_REACHED); a missing owner is the visit's own answer (the car changed under it).
      explainFailure: async () => ((await customerAppendFailure(store, visit.customerId)) === 'LIMIT_REACHED' ? 'LIMIT_REACHED' : null),
    },
  ],
};

/** Collected for the composition root by `npm run codegen` (`src/__generated__/fact-hooks.ts`). */
export default valueFactHooks;
