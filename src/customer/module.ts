import { defineModule } from '../graphql/domain-module.js';
import { CustomerRepository } from './customer-repository.js';
import { CUSTOMER_NODE } from './customer.js';
import { customerResolvers } from './graphql/resolvers.js';

declare module '../composition.js' {
  interface Repositories {
    customers: CustomerRepository;
  }
}

export default defineModule({
  name: 'customer',
  resolvers: customerResolvers,
  repositories: (store) => ({ customers: new CustomerRepository(store) }),
  nodeTypes: [{ key: CUSTOMER_NODE, load: (ctx, id) => ctx.access.customer(id) }],
});
