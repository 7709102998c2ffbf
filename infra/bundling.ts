import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/**
 * How every Lambda function is bundled, in one place for the CDK stacks and the benchmark
 * (which measures exactly what is deployed). Plain values: no CDK import here.
 */
export const GRAPHQL_ENTRY = 'src/handlers/graphql.ts';

/** The directory of the copy of `name` that `fromPackage` resolves (its package.json's folder). */
function packageDirSeenBy(fromPackage: string, name: string): { dir: string; version: string } {
  const from = createRequire(import.meta.url).resolve(`${fromPackage}/package.json`);
  const manifest = createRequire(from).resolve(`${name}/package.json`);
  return { dir: dirname(manifest), version: (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version };
}

/**
 * One copy of a package that the install nests twice. `@graphql-tools/schema` and
 * `@graphql-tools/merge` each get their own copy of `@graphql-tools/utils` 12 (the top-level
 * one is the codegen's 11), identical files the bundle would otherwise carry twice. Aliased
 * only while both copies are the same version: if they ever differ, each keeps its own
 * and the bundle test reports the duplicate.
 */
function sharedCopies(): string[] {
  const bySchema = packageDirSeenBy('@graphql-tools/schema', '@graphql-tools/utils');
  const byMerge = packageDirSeenBy('@graphql-tools/merge', '@graphql-tools/utils');
  return bySchema.version === byMerge.version ? [`@graphql-tools/utils=${bySchema.dir}`] : [];
}

export const LAMBDA_BUNDLE = {
  target: 'node22',
  minify: true,
  mainFields: ['module', 'main'],
  // Bundle the AWS SDK instead of using the runtime's copy: the exact versions we test,
  // tree-shaken, and a faster cold start than loading the full SDK from the runtime.
  externalModules: [
    // Apollo's own plugins that the server factory switches off (GraphOS reporting, with its
    // 200 KiB protobuf encoder, and cache control). Apollo imports them lazily, with import()
    // of these paths in its own code, and only when no plugin of the same id is installed;
    // the factory installs their Disabled plugins, so these imports never run. They stay in
    // the bundle as imports that would fail loudly if they ever did.
    './plugin/usageReporting/index.js',
    './plugin/schemaReporting/index.js',
    './plugin/inlineTrace/index.js',
    './plugin/cacheControl/index.js',
  ],
  esbuildArgs: { '--alias': sharedCopies() },
  // A dependency's dynamic require() needs a real `require` inside an ESM bundle.
  banner: "import { createRequire as __paddockCreateRequire } from 'module'; const require = __paddockCreateRequire(import.meta.url);",
};
