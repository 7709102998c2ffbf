import { decodeGlobalId } from '../shared/ids.js';
import { PaddockError } from '../shared/errors.js';
import type { GraphQLContext } from './context.js';
import type { DomainModule, NodeRecord, NodeType } from './domain-module.js';
import { badUserInput } from './errors.js';
import { MAX_NODE_IDS } from './limits.js';
import type { NodeResolvers, Resolvers } from './__generated__/resolvers-types.js';

type NodeTypeName = ReturnType<NodeResolvers['__resolveType']> extends infer R ? Exclude<Awaited<R>, null> : never;

/**
 * The type each record was loaded as by `node`/`nodes`. Records carry no type tag of their
 * own, and guessing one from their fields breaks as soon as two types share a field name;
 * the loader knows, so it says. A WeakMap keeps the records themselves untouched (they are
 * the DataLoaders' cached objects) and lets them go with the request.
 */
const loadedAs = new WeakMap<object, NodeTypeName>();

/** Two modules declaring the same type name would make global ids ambiguous. */
export function nodeTypesOf(modules: readonly DomainModule[]): ReadonlyMap<string, NodeType> {
  const byType = new Map<string, NodeType>();
  for (const module of modules) {
    for (const nodeType of module.nodeTypes ?? []) {
      if (byType.has(nodeType.key.type)) throw new PaddockError(`Node type ${nodeType.key.type} is declared twice (again by module ${module.name}).`);
      byType.set(nodeType.key.type, nodeType);
    }
  }
  return byType;
}

/**
 * `Query.node`, `Query.nodes` and `Node.__resolveType`, from the node types the modules
 * declare. An id of an unknown type or a malformed key is `null` before any read, exactly
 * like an id that names nothing or something the caller may not see.
 */
export function nodeResolvers(modules: readonly DomainModule[]): Resolvers {
  const byType = nodeTypesOf(modules);
  async function loadNode(ctx: GraphQLContext, id: string): Promise<NodeRecord | null> {
    const decoded = decodeGlobalId(id);
    const nodeType = decoded ? byType.get(decoded.type) : undefined;
    if (!decoded || !nodeType || !nodeType.key.isKey(decoded.key)) return null;
    const node = await nodeType.load(ctx, decoded.key);
    if (node) loadedAs.set(node, decoded.type as NodeTypeName);
    return node;
  }
  return {
    Node: {
      __resolveType: (node) => {
        const type = loadedAs.get(node);
        // Only node/nodes return `Node`, and they tag what they return: this is a programming fault.
        if (!type) throw new PaddockError('A Node was returned without being loaded as a node type.');
        return type;
      },
    },
    Query: {
      node: (_, { id }, ctx) => loadNode(ctx, id),
      nodes: (_, { ids }, ctx) => {
        if (ids.length > MAX_NODE_IDS) throw badUserInput(`At most ${MAX_NODE_IDS} ids per call.`, 'ids');
        return Promise.all(ids.map((id) => loadNode(ctx, id)));
      },
    },
  };
}
