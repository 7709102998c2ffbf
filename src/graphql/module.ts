import { baseResolvers } from './base-resolvers.js';
import { defineModule } from './domain-module.js';

/** The base module (`schema/base`): scalars, `Viewer`, `Money`. The `Node` interface's resolvers come from every module's node types. */
export default defineModule({
  name: 'base',
  resolvers: baseResolvers,
});
