import {
  buildSchema,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  Kind,
  parse,
  validate,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from '../../src/graphql/__generated__/type-defs.js';
import { MAX_PAGE_SIZE } from '../../src/graphql/connection.js';
import { DEFAULT_LIMITS, DEFAULT_LIST_SIZE, DEFAULT_PAGE_SIZE, listBoundsOf, listMultiplier, measureOperation, queryLimitsRule, type QueryLimits } from '../../src/graphql/limits.js';
import { domainModules } from '../../src/graphql/__generated__/modules.js';

const schema = buildSchema(`
  type Query { customers(first: Int): NConnection  me: V  plain: [N!]! }
  type V { c: Q2 }
  type Q2 { x: Int d: V }
  type NConnection { edges: [E] }
  type E { node: N }
  type N { name: String vehicles(first: Int): NConnection }
`);
const small: QueryLimits = { maxDepth: 7, maxAliases: 2, maxCost: 500, maxSelections: 200 };
const check = (query: string, limits = small, on = schema) => validate(on, parse(query), [queryLimitsRule(limits)]).map((e) => e.message);

/** Measures the first operation of a document against a schema. */
function measure(query: string, on = schema, maxSelections = DEFAULT_LIMITS.maxSelections) {
  const document = parse(query);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return measureOperation(on, fragments, operation, { maxSelections });
}

/** `query Q { ...F0 }`, each fragment spreading the next twice: 2^levels expansions. */
function fragmentBomb(levels: number): string {
  let query = 'query Q { ...F0 }';
  for (let i = 0; i < levels; i++) query += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`;
  return `${query} fragment F${levels} on Query { __typename }`;
}

const paddock = buildSchema(typeDefs);

describe('Rule: query limits', () => {
  it('passes a query within every limit', () => {
    expect(check('{ customers(first: 10) { edges { node { name } } } }')).toEqual([]);
  });

  it('measures depth through fragments and refuses past the limit', () => {
    expect(check('query { me { c { d { c { d { c { x } } } } } } }')).toEqual([]);
    expect(check('query { me { c { d { c { d { c { d { c { x } } } } } } } } }')).toEqual(['Query depth 9 exceeds the limit of 7.']);
    expect(check('query { me { ...F } } fragment F on V { c { d { c { d { c { d { c { x } } } } } } } }')).toEqual(['Query depth 9 exceeds the limit of 7.']);
  });

  it('counts aliases', () => {
    expect(check('{ a: me { c { x } } b: me { c { x } } c: me { c { x } } }')).toEqual(['Query uses 3 aliases; the limit is 2.']);
  });

  it('multiplies cost by the page sizes above a field, assuming the maximum for variables', () => {
    expect(check('{ customers(first: 10) { edges { node { vehicles(first: 10) { edges { node { name } } } } } } }')).toEqual([]);
    expect(check('{ customers(first: 100) { edges { node { vehicles(first: 100) { edges { node { name } } } } } } }')[0]).toMatch(/^Query cost \d+ exceeds the limit of 500\.$/);
    expect(check('query($n: Int) { customers(first: $n) { edges { node { vehicles(first: $n) { edges { node { name } } } } } } }')[0]).toMatch(/cost/);
  });

  it('costs a connection without `first` at the default page size, and its edges once', () => {
    // Prepare: customers → edges → node → name, no `first` and no schema default
    // Act
    const m = measure('{ customers { edges { node { name } } } }');
    // Assess: 1 + 20 × (edges 1 + node 1 + name 1)
    expect(m.cost).toBe(1 + DEFAULT_PAGE_SIZE * 3);
  });

  it('costs a plain list of objects at the default list size, or at its declared bound', () => {
    expect(measure('{ plain { name } }').cost).toBe(1 + DEFAULT_LIST_SIZE);
    const document = parse('{ plain { name } }');
    expect(validate(schema, document, [queryLimitsRule({ ...small, maxCost: 40 }, { 'Query.plain': 45 })]).map((e) => e.message)).toEqual(['Query cost 46 exceeds the limit of 40.']);
  });

  it('does not loop on a fragment that spreads itself', () => {
    expect(() => validate(schema, parse('{ me { ...F } } fragment F on V { c { d { ...F } } }'), [queryLimitsRule(small)])).not.toThrow();
  });

  it('measures each fragment once: a fragment bomb is refused after visiting each selection once', () => {
    // Prepare: 2^40 expansions of `__typename` in a document of 81 selections
    const query = fragmentBomb(40);
    // Act
    const m = measure(query);
    const errors = validate(schema, parse(query), [queryLimitsRule(small)]);
    // Assess: the work is the document's size, not the expansion's
    expect(m.visited).toBe(1 + 40 * 2 + 1);
    expect(m.cost).toBe(2 ** 40);
    expect(errors.map((e) => e.extensions.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(errors[0]?.extensions.cost).toEqual({ requestedQueryCost: 2 ** 40, limit: 500 });
  });

  it('keeps the cost an exact integer however far spreads multiply', () => {
    expect(measure(fragmentBomb(200)).cost).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a document with more selections than the cap, without measuring the rest', () => {
    const query = `{ ${Array.from({ length: 300 }, () => 'me { c { x } }').join(' ')} }`;
    const m = measure(query, schema, 200);
    expect(m.truncated).toBe(true);
    expect(m.visited).toBe(201);
    expect(check(query)).toEqual(['Query has more than 200 selections.']);
  });

  it('exempts introspection-only operations from depth, and only when an introspection cost limit is set', () => {
    const introspection = getIntrospectionQuery();
    expect(check(introspection, { ...DEFAULT_LIMITS }, paddock)).toContain('Query depth 15 exceeds the limit of 12.');
    expect(check(introspection, { ...DEFAULT_LIMITS, maxIntrospectionCost: 100_000 }, paddock)).toEqual([]);
    // Mixing in a real field loses the exemption.
    expect(check(introspection.replace('__schema {', 'me { role } __schema {'), { ...DEFAULT_LIMITS, maxIntrospectionCost: 100_000 }, paddock)[0]).toMatch(/depth 15/);
  });

  it('still bounds the cost of nested introspection', () => {
    // Each level of `fields { type … }` multiplies by the schema's average field count.
    let nested = '{ name }';
    for (let level = 0; level < 6; level++) nested = `{ fields { type ${nested} } }`;
    nested = `{ __schema { types ${nested} } }`;
    expect(check(nested, { ...DEFAULT_LIMITS, maxIntrospectionCost: 100_000 }, paddock)[0]).toMatch(/^Query cost \d+ exceeds the limit of 100000\.$/);
  });
});

describe('Costs from the Paddock schema', () => {
  it('costs every connection field at its page size: schema default without `first`, the value when given, the maximum for a variable', () => {
    // Walks the whole schema, so a connection added later cannot be forgotten.
    const connections: string[] = [];
    for (const type of Object.values(paddock.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const returned = getNamedType(field.type);
        const hasFirst = field.args.some((a) => a.name === 'first');
        if (!hasFirst && !returned.name.endsWith('Connection')) continue;
        connections.push(`${type.name}.${field.name}`);
        const fieldNode = (args: string) => (parse(`{ ${field.name}${args} }`).definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
        const declared = field.args.find((a) => a.name === 'first')?.defaultValue;
        expect(listMultiplier(type, field, fieldNode(''), paddock), `${type.name}.${field.name} without first`).toBe(typeof declared === 'number' ? declared : DEFAULT_PAGE_SIZE);
        expect(listMultiplier(type, field, fieldNode(''), paddock)).toBeGreaterThan(1);
        if (hasFirst) {
          expect(listMultiplier(type, field, fieldNode('(first: 7)'), paddock), `${type.name}.${field.name}(first: 7)`).toBe(7);
          expect(listMultiplier(type, field, fieldNode('(first: $n)'), paddock), `${type.name}.${field.name}(first: $n)`).toBe(MAX_PAGE_SIZE);
        }
      }
    }
    // The fields the hand-kept list had forgotten are among them.
    expect(connections).toEqual(expect.arrayContaining(['Customer.reminders', 'Vehicle.reminders', 'Customer.serviceHistory', 'Vehicle.serviceHistory', 'Customer.interactions', 'Query.customers']));
  });

  it('costs every plain list of objects above 1, except the edges a connection already counts', () => {
    const bounds = listBoundsOf(domainModules);
    // A bound a module declares is what the cost uses (these were drifting in a central list).
    const forecast = paddock.getType('ServiceForecast');
    if (!isObjectType(forecast)) throw new Error('ServiceForecast is not an object type');
    const days = (parse('{ days }').definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
    expect(listMultiplier(forecast, forecast.getFields()['days']!, days, paddock, bounds)).toBe(90);
    for (const type of Object.values(paddock.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!isListType(getNullableType(field.type)) || !isObjectType(getNamedType(field.type))) continue;
        const node = (parse(`{ ${field.name} }`).definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
        const expected = type.name.endsWith('Connection') ? 1 : expect.any(Number);
        const multiplier = listMultiplier(type, field, node, paddock, bounds);
        expect(multiplier, `${type.name}.${field.name}`).toEqual(expected);
        // A list paged by `first` (`Customer.nextBestOffers`) costs its page size, like a connection; any other plain list at least the default size.
        const first = field.args.find((a) => a.name === 'first');
        if (first) expect(multiplier, `${type.name}.${field.name}`).toBe(first.defaultValue);
        else if (!type.name.endsWith('Connection')) expect(multiplier, `${type.name}.${field.name}`).toBeGreaterThanOrEqual(DEFAULT_LIST_SIZE);
      }
    }
  });

  it('costs the nested service history without `first` as much as with `first: 20` written out (issue 8, item 8)', () => {
    const implicit = measure('{ customers(first:50){ edges { node { serviceHistory { edges { node { vehicle { serviceHistory { edges { node { id }}}}}}}}}}}', paddock);
    const explicit = measure('{ customers(first:50){ edges { node { serviceHistory(first:20) { edges { node { vehicle { serviceHistory(first:20) { edges { node { id }}}}}}}}}}}', paddock);
    expect(implicit.cost).toBe(explicit.cost);
    expect(implicit.cost).toBeGreaterThan(DEFAULT_LIMITS.maxCost);
  });

  it('costs nodes(ids:) by the number of ids', () => {
    expect(measure('{ nodes(ids: ["a", "b", "c"]) { id } }', paddock).cost).toBe(1 + 3);
    expect(measure('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', paddock).cost).toBe(1 + 100);
  });

  it('lets graphql-js\'s introspection query through the development limits', () => {
    const m = measure(getIntrospectionQuery(), paddock);
    expect(m.introspectionOnly).toBe(true);
    expect(m.cost).toBeLessThan(100_000);
  });
});
