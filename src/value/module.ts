import { defineModule } from '../graphql/domain-module.js';
import { valueFactHooks } from './fact-hooks.js';
import { FactRepository } from './fact-repository.js';
import { valueResolvers } from './graphql/resolvers.js';
import { ValueRepository } from './value-repository.js';

declare module '../composition.js' {
  interface Repositories {
    facts: FactRepository;
    values: ValueRepository;
  }
}

export default defineModule({
  name: 'value',
  resolvers: valueResolvers,
  repositories: (store) => ({ facts: new FactRepository(store), values: new ValueRepository(store) }),
  facts: valueFactHooks,
});
