import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSchema, isObjectType } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { createRepositories, PORTS } from '../../src/composition.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { defineModule, type DomainModule, type NodeRecord } from '../../src/graphql/domain-module.js';
import { nodeResolvers, nodeTypesOf } from '../../src/graphql/nodes.js';
import { domainModules } from '../../src/graphql/__generated__/modules.js';
import { domainRepositories } from '../../src/__generated__/repositories.js';
import { typeDefs } from '../../src/graphql/__generated__/type-defs.js';
import { PaddockError } from '../../src/shared/errors.js';
import { isUlid, newId, nodeKey, toGlobalId } from '../../src/shared/ids.js';

const SRC = resolve(import.meta.dirname, '../../src');
const ctx = {} as GraphQLContext;
const info = {} as never;

/** Two node types whose records look alike: no field tells them apart. */
function lookalikes() {
  const loads = { Pet: vi.fn(), Toy: vi.fn() };
  const modules: DomainModule[] = (['Pet', 'Toy'] as const).map((type) =>
    defineModule({
      name: type.toLowerCase(),
      nodeTypes: [
        {
          key: nodeKey(type, isUlid),
          load: async (_ctx, id) => {
            loads[type](id);
            return { id } as unknown as NodeRecord;
          },
        },
      ],
    }),
  );
  const resolvers = nodeResolvers(modules) as unknown as {
    Query: { node: (parent: unknown, args: { id: string }, c: GraphQLContext, i: never) => Promise<NodeRecord | null>; nodes: (parent: unknown, args: { ids: string[] }, c: GraphQLContext, i: never) => Promise<(NodeRecord | null)[]> };
    Node: { __resolveType: (node: NodeRecord, c: GraphQLContext, i: never) => string };
  };
  return { loads, resolvers };
}

describe('Domain modules', () => {
  it('lists every src/<folder>/module.ts, once (the generated list is not stale)', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(SRC, e.name, 'module.ts')));
    expect(domainModules).toHaveLength(folders.length);
    expect(new Set(domainModules.map((m) => m.name)).size).toBe(domainModules.length);
  });

  it('declares exactly one node type for every type that implements Node in the schema', () => {
    const schema = buildSchema(typeDefs);
    const implementors = Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Node'))
      .map((t) => t.name)
      .sort();

    const declared = [...nodeTypesOf(domainModules).keys()].sort();

    expect(declared).toEqual(implementors);
  });

  it('resolves a node to the type it was loaded as, even when records look alike', async () => {
    // Prepare
    const { loads, resolvers } = lookalikes();
    const key = newId();

    // Act
    const pet = await resolvers.Query.node({}, { id: toGlobalId('Pet', key) }, ctx, info);
    const [toy] = await resolvers.Query.nodes({}, { ids: [toGlobalId('Toy', key)] }, ctx, info);

    // Assess
    expect(resolvers.Node.__resolveType(pet!, ctx, info)).toBe('Pet');
    expect(resolvers.Node.__resolveType(toy!, ctx, info)).toBe('Toy');
    expect(loads.Pet).toHaveBeenCalledWith(key);
    expect(loads.Toy).toHaveBeenCalledWith(key);
  });

  it('answers null for unknown types and malformed keys without loading anything', async () => {
    const { loads, resolvers } = lookalikes();

    const answers = await resolvers.Query.nodes({}, { ids: [toGlobalId('Cat', newId()), toGlobalId('Pet', 'x#PROFILE'), toGlobalId('Toy', newId().toLowerCase()), 'not-an-id!'] }, ctx, info);

    expect(answers).toEqual([null, null, null, null]);
    expect(loads.Pet).not.toHaveBeenCalled();
    expect(loads.Toy).not.toHaveBeenCalled();
  });

  it('refuses to guess the type of a record that was not loaded as a node', () => {
    const { resolvers } = lookalikes();
    expect(() => resolvers.Node.__resolveType({ id: 'x' } as unknown as NodeRecord, ctx, info)).toThrow(PaddockError);
  });

  it('refuses two modules declaring the same node type (global ids would be ambiguous)', () => {
    const twice = (name: string) => defineModule({ name, nodeTypes: [{ key: nodeKey('Pet', isUlid), load: async () => null }] });
    expect(() => nodeTypesOf([twice('a'), twice('b')])).toThrow(/Pet is declared twice/);
  });

  it('builds the repositories from every src/<folder>/repositories.ts, each name from one domain only', () => {
    const store = { doc: {} as never, tableName: 'paddock-test' };
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('__') && existsSync(join(SRC, e.name, 'repositories.ts')));
    const names = domainRepositories.flatMap((create) => Object.keys(create(store, PORTS)));

    const repos = createRepositories(store);

    expect(domainRepositories).toHaveLength(folders.length);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(repos).sort()).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['customers', 'dealers', 'vehicles', 'reminders']));
  });
});
