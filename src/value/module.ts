import { defineModule } from '../graphql/domain-module.js';
import { valueResolvers } from './graphql/resolvers.js';

export default defineModule({
  name: 'value',
  resolvers: valueResolvers,
});
