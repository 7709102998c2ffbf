import type { RepositoryFactory } from '../composition.js';
import { RewardRepository } from './reward-repository.js';
import { VoucherRepository } from './voucher-repository.js';

declare module '../composition.js' {
  interface Repositories {
    rewards: RewardRepository;
    vouchers: VoucherRepository;
  }
}

/** The rewards domain's repositories (collected for `composition.ts` by `npm run codegen`; GraphQL-free, so jobs load no GraphQL). */
const repositories: RepositoryFactory = (store) => ({ rewards: new RewardRepository(store), vouchers: new VoucherRepository(store) });
export default repositories;
