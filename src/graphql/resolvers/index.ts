import type { DomainModule } from '../domain-module.js';
import { nodeResolvers } from '../nodes.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { domainModules } from '../__generated__/modules.js';

/** Resolver maps merged by type: several domains add fields to one type (`Customer`, `Vehicle`, `Query`…). */
export function mergeResolvers(...maps: Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      // Scalars are class instances, not field maps: keep them whole.
      if (fields && typeof fields === 'object' && fields.constructor !== Object) {
        merged[type] = fields as Record<string, unknown>;
        continue;
      }
      merged[type] = { ...merged[type], ...(fields as Record<string, unknown>) };
    }
  }
  return merged as Resolvers;
}

/** Every module's resolvers, plus `node`/`nodes`/`Node` built from their node types. */
export function resolversOf(modules: readonly DomainModule[]): Resolvers {
  return mergeResolvers(...modules.flatMap((m) => (m.resolvers ? [m.resolvers] : [])), nodeResolvers(modules));
}

export const resolvers = resolversOf(domainModules);
