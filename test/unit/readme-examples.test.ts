import { readFileSync } from 'node:fs';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from '../../src/graphql/__generated__/type-defs.js';
import { domainModules } from '../../src/graphql/__generated__/modules.js';
import { createQueryLimits, DEFAULT_LIMITS, listBoundsOf } from '../../src/graphql/limits.js';

/**
 * The README's example operations are what a new front-end developer pastes first: each
 * must stay valid against the schema and within the production query limits.
 */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function examples(): { where: string; source: string }[] {
  const found: { where: string; source: string }[] = [];
  for (const [i, block] of [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].entries()) found.push({ where: `graphql block ${i + 1}`, source: block[1]! });
  for (const [i, body] of [...readme.matchAll(/-d '(\{"query":[\s\S]*?\})'/g)].entries()) found.push({ where: `curl body ${i + 1}`, source: (JSON.parse(body[1]!) as { query: string }).query });
  return found;
}

describe('README example operations', () => {
  const schema = buildSchema(typeDefs);
  const rules = [...specifiedRules, createQueryLimits(DEFAULT_LIMITS, listBoundsOf(domainModules)).rule];
  const all = examples();

  it('finds the examples (so the check itself cannot pass by finding none)', () => {
    expect(all.length).toBeGreaterThanOrEqual(5);
  });

  it.each(all)('$where is valid and within the limits', ({ source }) => {
    expect(validate(schema, parse(source), rules).map((e) => e.message)).toEqual([]);
  });
});
