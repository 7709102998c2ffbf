import { defineModule } from '../graphql/domain-module.js';
import { valueResolvers } from './graphql/resolvers.js';
import type { Tier } from './model.js';

/** The `detail` of `CustomerTierChanged`, which `value-repository.ts` writes with the new scores. */
export interface CustomerTierChanged {
  customerId: string;
  previousTier: Tier | null;
  tier: Tier;
  clvMinor: number;
  modelVersion: string;
}

declare module '../store/outbox.js' {
  interface PaddockEvents {
    CustomerTierChanged: CustomerTierChanged;
  }
}

export default defineModule({
  name: 'value',
  resolvers: valueResolvers,
});
