import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { queryLimitsRule } from '../../src/graphql/limits.js';

const schema = buildSchema(`
  type Query { customers(first: Int): C  me: V }
  type V { c: Q2 }
  type Q2 { x: Int d: V }
  type C { edges: [E] }
  type E { node: N }
  type N { name: String vehicles(first: Int): C }
`);
const check = (query: string, limits = { maxDepth: 7, maxAliases: 2, maxCost: 500 }) => validate(schema, parse(query), [queryLimitsRule(limits)]).map((e) => e.message);

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

  it('does not loop on a fragment that spreads itself', () => {
    expect(() => validate(schema, parse('{ me { ...F } } fragment F on V { c { d { ...F } } }'), [queryLimitsRule({ maxDepth: 5, maxAliases: 2, maxCost: 500 })])).not.toThrow();
  });
});
