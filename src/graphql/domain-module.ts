import type { NodeKey } from '../shared/ids.js';
import type { GraphQLContext } from './context.js';
import type { Resolvers, ResolversParentTypes } from './__generated__/resolvers-types.js';

/** Any record a `Node` resolves to (the mapped types of the types that implement it). */
export type NodeRecord = ResolversParentTypes['Node'];

/**
 * A GraphQL type that implements `Node`, as its domain declares it: its global ids (type
 * name and key shape, `shared/ids.ts`) and how `node(id:)` loads one for a caller.
 */
export interface NodeType {
  key: NodeKey;
  /** The node behind a well-shaped key, through the caller's access checks: `null` when absent or not the caller's to see (the same answer). */
  load: (ctx: GraphQLContext, key: string) => Promise<NodeRecord | null>;
}

/**
 * What a domain contributes to the GraphQL API, declared once in `src/<domain>/module.ts`
 * (`export default defineModule({...})`). The central lists are built from these: the
 * resolver map (`graphql/resolvers/index.ts`), the node types behind `node`/`nodes`
 * (`graphql/nodes.ts`). The list of modules itself is generated
 * (`npm run codegen` scans every `src/<domain>/module.ts` into
 * `graphql/__generated__/modules.ts`), so a new domain folder edits no central file.
 *
 * A domain's repositories are declared beside it, in `src/<domain>/repositories.ts` (a
 * `RepositoryFactory` as default export, plus its entries on the `Repositories` interface),
 * and collected the same way into `src/__generated__/repositories.ts` for `composition.ts`:
 * kept out of the module so that the jobs, which share the composition root, load no GraphQL.
 */
/**
 * Plain lists (`[X]`, not connections) whose real bound is above the default list size the
 * query cost assumes (`graphql/limits.ts`), keyed `Type.field`, each the constant that
 * enforces it.
 */
export type ListBounds = Readonly<Record<`${string}.${string}`, number>>;

export interface DomainModule {
  /** The folder's name; for messages and tests. */
  name: string;
  resolvers?: Resolvers;
  nodeTypes?: readonly NodeType[];
  /** Bounds of this domain's plain lists for the query cost; merged across modules, a field declared twice is refused. */
  listBounds?: ListBounds;
}

/** Identity, for type checking at the declaration (and a greppable name). */
export function defineModule<M extends DomainModule>(module: M): M {
  return module;
}
