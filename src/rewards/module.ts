import { defineModule } from '../graphql/domain-module.js';
import { canSeeReward } from './catalogue-service.js';
import { rewardsResolvers } from './graphql/resolvers.js';
import { REWARD_NODE } from './reward-records.js';

export default defineModule({
  name: 'rewards',
  resolvers: rewardsResolvers,
  nodeTypes: [
    {
      key: REWARD_NODE,
      load: async (ctx, id) => {
        const reward = await ctx.repos.rewards.get(id);
        return reward && canSeeReward(ctx.principal, reward) ? reward : null;
      },
    },
  ],
});
