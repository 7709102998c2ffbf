import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSchema, getNamedType, getNullableType, GraphQLScalarType, isListType, isObjectType } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { createRepositories, PORTS } from '../../src/composition.js';
import type { GraphQLContext } from '../../src/graphql/context.js';
import { defineModule, type DomainModule, type NodeRecord } from '../../src/graphql/domain-module.js';
import { listBoundsOf } from '../../src/graphql/limits.js';
import { nodeResolvers, nodeTypesOf } from '../../src/graphql/nodes.js';
import { mergeResolvers } from '../../src/graphql/resolvers/index.js';
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
  it('refuses two modules resolving the same Type.field or defining the same scalar (the later would silently win)', () => {
    const field = () => 'x';
    expect(() => mergeResolvers({ Customer: { id: field } }, { Customer: { email: field } })).not.toThrow();
    expect(() => mergeResolvers({ Customer: { id: field } }, { Customer: { id: field } })).toThrow(/Customer\.id is defined twice/);
    const scalar = () => new GraphQLScalarType({ name: 'Date' });
    expect(() => mergeResolvers({ Date: scalar() }, { Date: scalar() })).toThrow(PaddockError);
    expect(() => mergeResolvers({ Date: scalar() }, { Date: { x: field } } as never)).toThrow(/Scalar Date is defined twice/);
  });

  it('merges the list bounds of every module, each naming a plain list of objects in the schema', () => {
    const schema = buildSchema(typeDefs);
    const bounds = listBoundsOf(domainModules);
    for (const key of Object.keys(bounds)) {
      const [type, name] = key.split('.');
      const owner = schema.getType(type!);
      const field = owner && isObjectType(owner) ? owner.getFields()[name!] : undefined;
      expect(field && isListType(getNullableType(field.type)) && isObjectType(getNamedType(field.type)), key).toBe(true);
    }
    expect(bounds).toMatchObject({ 'Customer.interests': 50, 'ServiceForecast.days': 90, 'Dealer.apiKeys': 50, 'Vehicle.ownerHistory': 100 });
  });

  it('refuses two modules bounding the same list', () => {
    const bounding = (name: string) => defineModule({ name, listBounds: { 'Pet.toys': 5 } });
    expect(() => listBoundsOf([bounding('a'), bounding('b')])).toThrow(/Pet\.toys is declared twice/);
  });
});
