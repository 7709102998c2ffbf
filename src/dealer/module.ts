import { dealerPolicy } from '../auth/policies.js';
import { defineModule } from '../graphql/domain-module.js';
import { DEALER_API_KEY_NODE } from './api-key-record.js';
import { MAX_LISTED_API_KEYS } from './dealer-repository.js';
import { parseApiKeyGlobalKey } from './dealer-service.js';
import { DEALER_NODE } from './dealer.js';
import { dealerResolvers } from './graphql/resolvers.js';

export default defineModule({
  name: 'dealer',
  resolvers: dealerResolvers,
  nodeTypes: [
    { key: DEALER_NODE, load: (ctx, id) => ctx.access.dealer(id) },
    {
      key: DEALER_API_KEY_NODE,
      load: async (ctx, key) => {
        const ref = parseApiKeyGlobalKey(key);
        // Checked before the read: another dealer's key ids learn nothing, not even existence.
        return ref && dealerPolicy.canSeeApiKeys(ctx.principal, ref.dealerId) ? ctx.repos.dealers.getApiKey(ref.dealerId, ref.id) : null;
      },
    },
  ],
  listBounds: { 'Dealer.apiKeys': MAX_LISTED_API_KEYS },
});
