import { PaddockError } from '../../shared/errors.js';
import type { DomainModule } from '../domain-module.js';
import { nodeResolvers } from '../nodes.js';
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { domainModules } from '../__generated__/modules.js';

/**
 * Resolver maps merged by type: several domains add fields to one type (`Customer`, `Vehicle`, `Query`…).
 * Two maps resolving the same `Type.field`, or both defining one scalar, would silently
 * let the later one win depending on folder order: that is refused as a programming fault.
 */
export function mergeResolvers(...maps: Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      // Scalars are class instances, not field maps: keep them whole.
      if (fields && typeof fields === 'object' && fields.constructor !== Object) {
        if (Object.hasOwn(merged, type)) throw new PaddockError(`Scalar ${type} is defined twice.`);
        merged[type] = fields as Record<string, unknown>;
        continue;
      }
      const into = merged[type] ?? {};
      if (into.constructor !== Object) throw new PaddockError(`Scalar ${type} is defined twice.`);
      for (const field of Object.keys(fields as Record<string, unknown>)) {
        if (Object.hasOwn(into, field)) throw new PaddockError(`Resolver ${type}.${field} is defined twice.`);
      }
      merged[type] = { ...into, ...(fields as Record<string, unknown>) };
    }
  }
  return merged as Resolvers;
}

/** Every module's resolvers, plus `node`/`nodes`/`Node` built from their node types. */
function resolversOf(modules: readonly DomainModule[]): Resolvers {
  return mergeResolvers(...modules.flatMap((m) => (m.resolvers ? [m.resolvers] : [])), nodeResolvers(modules));
}

export const resolvers = resolversOf(domainModules);
