import { defineModule } from '../graphql/domain-module.js';
import { valueFactHooks } from './fact-hooks.js';
import { valueResolvers } from './graphql/resolvers.js';

export default defineModule({
  name: 'value',
  resolvers: valueResolvers,
  facts: valueFactHooks,
});
