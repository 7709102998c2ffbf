import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering of `src/` (STYLE.md, "Layers point one way"), read from the import lines
 * themselves so that a new file cannot slip past it:
 * - folders do not import each other in circles;
 * - `shared/` and `store/` (the ground floor) import no domain;
 * - domain services know no GraphQL (they throw domain errors and return pages);
 * - faults are `PaddockError`s, never a bare `Error`.
 *
 * `import type` lines are left out: TypeScript erases them (`verbatimModuleSyntax` keeps
 * every other import, even `import { type A }`, as a module load), so they create no
 * dependency at run time. Dynamic `import()` counts: it loads the module all the same.
 */
const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const STATIC_IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The modules of `src/` a file loads at run time, as paths relative to `src/`. */
export function runtimeImports(file: string, text: string): string[] {
  const specifiers = [
    ...[...text.matchAll(STATIC_IMPORT)].filter((m) => !m[1]).map((m) => m[2]!),
    ...[...text.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]!),
  ];
  return specifiers.filter((s) => s.startsWith('.')).map((s) => relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
}

/**
 * A file's layer: its top-level folder of `src/` (`graphql/__generated__` is graphql), or the
 * file itself at the top. A domain's GraphQL edge — its `module.ts` and its `graphql/`
 * subfolder (resolvers) — lives in the domain's folder but is part of the GraphQL layer:
 * it imports the domain's services, and nothing in the domain may import it.
 */
const DOMAIN_EDGE = /^[^/]+\/(?:module\.ts$|graphql\/)/;
const folderOf = (path: string) => (DOMAIN_EDGE.test(path) ? 'graphql' : path.split('/')[0]!.replace(/\.ts$/, ''));

const files = sourceFiles(SRC).map((path) => {
  const text = readFileSync(path, 'utf8');
  return { path: relative(SRC, path), text, imports: runtimeImports(path, text) };
});

/** CommonJS sources under src/ (codegen plugins): not part of the import graph, but scanned for bare errors. */
function commonJsPaths(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return commonJsPaths(path);
    return entry.name.endsWith('.cjs') ? [path] : [];
  });
}
const commonJsFiles = commonJsPaths(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));

/** Entry points that build a process; they import everything and nothing may import them. */
const COMPOSITION_ROOTS = ['handlers', 'local'];
const GROUND_FLOOR = ['shared', 'store'];
/** The brand's product data (model lines, powertrains): below every domain, above nothing but the ground floor. */
const CATALOGUE = 'catalogue';
/** Folders that are not a domain: the ground floor, the catalogue, authentication, the GraphQL edge, the roots. */
const NOT_DOMAINS = new Set([...GROUND_FLOOR, CATALOGUE, 'auth', 'graphql', 'composition', 'config', ...COMPOSITION_ROOTS]);

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = folderOf(file.path);
    for (const target of file.imports) {
      const to = folderOf(target);
      if (to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

/** The groups of folders that import each other in a circle (strongly connected components of more than one folder). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const folders = [...new Set([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])])].sort();
  const reaches = (from: string) => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) for (const next of graph.get(stack.pop()!) ?? []) if (!seen.has(next) && seen.add(next)) stack.push(next);
    return seen;
  };
  const reach = new Map(folders.map((f) => [f, reaches(f)]));
  const groups = new Map<string, string[]>();
  for (const f of folders) {
    const group = folders.filter((g) => g === f || (reach.get(f)!.has(g) && reach.get(g)!.has(f)));
    if (group.length > 1) groups.set(group.join(), group);
  }
  return [...groups.values()];
}

/** Which file makes `from` import `to` (for a readable failure). */
const culprits = (from: string, to: string) =>
  files.filter((f) => folderOf(f.path) === from && f.imports.some((i) => folderOf(i) === to)).map((f) => `${f.path} → ${f.imports.filter((i) => folderOf(i) === to).join(', ')}`);

describe('Layers of src/', () => {
  it('reads the import graph: runtime imports count, type-only imports do not', () => {
    // Prepare
    const text = [
      "import { a } from '../shared/a.js';",
      "import type { B } from '../customer/b.js';",
      "import {\n  c,\n  type C,\n} from '../vehicle/c.js';",
      "export { d } from './d.js';",
      "const e = await import('../value/e.js');",
      "import DataLoader from 'dataloader';",
    ].join('\n');

    // Act
    const imports = runtimeImports(join(SRC, 'service/x.ts'), text);

    // Assess
    expect(imports).toEqual(['shared/a.ts', 'vehicle/c.ts', 'service/d.ts', 'value/e.ts']);
  });

  it('has no cycle between top-level folders', () => {
    // Act
    const found = cycles(folderGraph());

    // Assess: every import between two folders of the same circle, as evidence.
    const evidence = found.flatMap((group) => group.flatMap((from) => group.filter((to) => to !== from).flatMap((to) => culprits(from, to))));
    expect({ cycles: found.map((g) => g.join(' ↔ ')), evidence }).toEqual({ cycles: [], evidence: [] });
  });

  it('imports the composition roots (handlers/, local/) from nowhere else', () => {
    const offenders = files.filter((f) => !COMPOSITION_ROOTS.includes(folderOf(f.path)) && f.imports.some((i) => COMPOSITION_ROOTS.includes(folderOf(i))));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('keeps shared/ and store/ free of domains, auth and GraphQL', () => {
    const offenders = files
      .filter((f) => GROUND_FLOOR.includes(folderOf(f.path)))
      .flatMap((f) => f.imports.filter((i) => !GROUND_FLOOR.includes(folderOf(i))).map((i) => `${f.path} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it("counts a domain's module.ts and graphql/ subfolder as the GraphQL layer, and nothing else of the domain", () => {
    expect(['customer/module.ts', 'customer/graphql/resolvers.ts', 'graphql/nodes.ts'].map(folderOf)).toEqual(['graphql', 'graphql', 'graphql']);
    expect(['customer/customer-service.ts', 'customer/module-like.ts', 'customer/graphql.ts'].map(folderOf)).toEqual(['customer', 'customer', 'customer']);
  });

  it('keeps catalogue/ below every domain: it imports only the ground floor', () => {
    const catalogue = files.filter((f) => folderOf(f.path) === CATALOGUE);
    // The check must see the catalogue, or it passes by finding nothing.
    expect(catalogue.map((f) => f.path)).toContain('catalogue/model-lines.ts');
    const offenders = catalogue.flatMap((f) => f.imports.filter((i) => ![CATALOGUE, ...GROUND_FLOOR].includes(folderOf(i))).map((i) => `${f.path} → ${i}`));
    expect(offenders).toEqual([]);
  });

  it('keeps domain services free of GraphQL (domain errors, pages and records only)', () => {
    const domainFiles = files.filter((f) => !NOT_DOMAINS.has(folderOf(f.path)));
    // The check must see the services, or it passes by finding nothing.
    expect(domainFiles.filter((f) => f.path.endsWith('-service.ts')).length).toBeGreaterThanOrEqual(8);
    const offenders = domainFiles.flatMap((f) => [
      ...f.imports.filter((i) => folderOf(i) === 'graphql').map((i) => `${f.path} → ${i}`),
      // Type-only imports too: a service's signature must not speak GraphQL (Connection, GraphQLContext).
      ...(/from\s+['"](?:\.\.\/)+graphql\/|from\s+['"]graphql['"]/.test(f.text) ? [`${f.path} mentions graphql`] : []),
    ]);
    expect([...new Set(offenders)]).toEqual([]);
  });

  it('makes the service context independent of GraphQL', () => {
    const context = files.find((f) => f.path === 'shared/service-context.ts')!;
    // Not even a type: the context is defined by what services need, and GraphQL's extends it.
    expect(context.text).not.toMatch(/from\s+['"][^'"]*graphql/);
  });

  it('throws PaddockError subclasses for faults, never a bare Error, in TypeScript and CommonJS alike', () => {
    // CommonJS under src/ is build tooling: the codegen plugins run inside graphql-codegen,
    // which cannot load our TypeScript errors; a plugin's refusal is a build failure, not a fault.
    const BUILD_PLUGINS = /^graphql\/codegen\/[^/]+\.cjs$/;
    const scanned = [...files, ...commonJsFiles.filter((f) => !BUILD_PLUGINS.test(f.path))];
    const bare = /\bnew Error\(|\bclass\s+\w+\s+extends\s+Error\b/;
    const offenders = scanned.filter((f) => f.path !== 'shared/errors.ts' && bare.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
    expect(commonJsFiles.length).toBeGreaterThan(0);
    expect(bare.test('class FieldProblem extends Error {}')).toBe(true);
  });

  it('makes role checks through auth/policies.ts, not inline', () => {
    // `kind` of a principal compared to a role, anywhere outside auth/ (the GraphQL Viewer
    // type is the principal itself and may tell its variants apart to pick fields).
    const inline = /\b(?:principal|p)\.kind\s*[!=]==\s*'(?:admin|analyst|customer|dealer)'/;
    const offenders = files
      .filter((f) => folderOf(f.path) !== 'auth' && f.path !== 'graphql/base-resolvers.ts')
      .filter((f) => inline.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});
