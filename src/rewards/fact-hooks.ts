import type { FactHooks } from '../store/fact-hooks.js';
import { canonicalVoucherCode } from './voucher-code.js';
import { VoucherRepository } from './voucher-repository.js';
import { voucherUse } from './voucher-rules.js';

/**
 * The rewards' reaction to a service visit that carries a voucher code: the voucher is
 * marked used, with the visit and the discount, in the visit's own transaction — so a
 * voucher is used exactly once, and a visit whose voucher cannot be used is not recorded
 * at all (its user error lands on `voucherCode`).
 *
 * The hook reads the voucher to compute the discount, and its Update repeats every
 * condition of `voucherUse` that can change (still issued, the owner's, not expired at the
 * visit): two visits presenting one voucher at once cannot both succeed. A code that cannot
 * be used contributes a condition check that fails, so nothing is written, and explains
 * itself from a fresh read like the Update does.
 */
const rewardsFactHooks: FactHooks = {
  ServiceVisitRecorded: async ({ visit }, store) => {
    if (!visit.voucherCode) return [];
    const vouchers = new VoucherRepository(store);
    const code = canonicalVoucherCode(visit.voucherCode);
    const read = () => (code ? vouchers.get(code) : Promise.resolve(null));
    const voucher = await read();
    const use = voucherUse(voucher, visit);
    return [
      {
        item: use.ok ? vouchers.use(voucher!, visit, use.discount, visit.recordedAt) : vouchers.refuse(code ?? visit.voucherCode, voucher !== null),
        // Final only when the voucher itself now refuses; a conflict with a voucher still usable is the visit's to retry.
        explainFailure: async () => {
          const again = voucherUse(await read(), visit);
          return again.ok ? null : again.refusal;
        },
      },
    ];
  },
};

/** Collected for the composition root by `npm run codegen` (`src/__generated__/fact-hooks.ts`). */
export default rewardsFactHooks;
