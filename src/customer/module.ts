import { defineModule } from '../graphql/domain-module.js';
import { CUSTOMER_NODE } from './customer.js';
import { MAX_INTERESTS } from './profile-aggregates.js';
import { customerResolvers } from './graphql/resolvers.js';

export default defineModule({
  name: 'customer',
  resolvers: customerResolvers,
  nodeTypes: [{ key: CUSTOMER_NODE, load: (ctx, id) => ctx.access.customer(id) }],
  listBounds: { 'Customer.interests': MAX_INTERESTS },
});
