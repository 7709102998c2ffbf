// How the types of this schema folder resolve from domain records: `<Type>Mapper` is the
// record a resolver of `<Type>` receives as its parent (read by npm run codegen).
import type { RewardRecord, VoucherDiscount, VoucherRecord, VoucherTerms } from '../../src/rewards/reward-records.js';

export type RewardMapper = RewardRecord;
export type VoucherMapper = VoucherRecord;
export type VoucherTermsMapper = VoucherTerms;
export type VoucherDiscountTermsMapper = VoucherDiscount;
