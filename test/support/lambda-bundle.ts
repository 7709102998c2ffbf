import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { LAMBDA_BUNDLE } from '../../infra/bundling.js';

/**
 * Builds a Lambda entry point exactly as the CDK stacks do (`paddockFunction`: the shared
 * {@link LAMBDA_BUNDLE} options, ESM output), so the benchmark and the bundle test measure
 * and check what is deployed. `sourcemap` adds the linked `.map` file the stacks ship.
 */
export async function buildLambdaBundle({ entry, outdir, sourcemap = false }: { entry: string; outdir: string; sourcemap?: boolean }): Promise<{ path: string; bytes: number; metafile: Metafile }> {
  mkdirSync(outdir, { recursive: true });
  const path = resolve(outdir, 'index.mjs');
  const { '--alias': aliases, ...otherArgs } = LAMBDA_BUNDLE.esbuildArgs;
  // Every CDK option must have its esbuild equivalent here, or the bench would measure another bundle.
  if (Object.keys(otherArgs).length) throw new Error(`buildLambdaBundle does not translate esbuildArgs ${Object.keys(otherArgs).join(', ')}`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_BUNDLE.target,
    minify: LAMBDA_BUNDLE.minify,
    mainFields: LAMBDA_BUNDLE.mainFields,
    external: LAMBDA_BUNDLE.externalModules,
    alias: Object.fromEntries(aliases.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)])),
    banner: { js: LAMBDA_BUNDLE.banner },
    sourcemap: sourcemap ? 'linked' : false,
    outfile: path,
    metafile: true,
    logLevel: 'silent',
  });
  return { path, bytes: statSync(path).size, metafile: result.metafile };
}

/** A package's files in a bundle, from one directory under node_modules and one build format. */
export interface PackageCopy {
  name: string;
  /** The package's directory (`node_modules/…/name`): two directories are two copies. */
  dir: string;
  /** The build-format directories the files come from (`dist/cjs`, `dist-es` …); two are two copies. */
  formats: string[];
  bytes: number;
}

const FORMAT_DIR = /^(?:dist\/)?(?:cjs|esm|commonjs|esm5|es|node|browser)(?=\/)|^dist-(?:cjs|es)(?=\/)/;

/** Every package directory the bundle takes code from, biggest first. */
export function packageCopies(metafile: Metafile): PackageCopy[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint)!;
  const copies = new Map<string, PackageCopy>();
  for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
    const at = file.lastIndexOf('node_modules/');
    if (at < 0) {
      const own = copies.get('(paddock)') ?? { name: '(paddock)', dir: '(paddock)', formats: [], bytes: 0 };
      own.bytes += bytesInOutput;
      copies.set('(paddock)', own);
      continue;
    }
    const parts = file.slice(at + 'node_modules/'.length).split('/');
    const name = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
    const dir = file.slice(0, at + 'node_modules/'.length + name.length);
    const format = FORMAT_DIR.exec(file.slice(dir.length + 1))?.[0];
    const copy = copies.get(dir) ?? { name, dir, formats: [], bytes: 0 };
    copy.bytes += bytesInOutput;
    if (format && !copy.formats.includes(format)) copy.formats.push(format);
    copies.set(dir, copy);
  }
  return [...copies.values()].sort((a, b) => b.bytes - a.bytes);
}

/**
 * Packages bundled more than once: from two directories (two installed copies) or in two
 * build formats of one directory (an ESM import and a CommonJS require of one package).
 */
export function duplicatePackages(metafile: Metafile): PackageCopy[][] {
  const byName = new Map<string, PackageCopy[]>();
  for (const copy of packageCopies(metafile)) byName.set(copy.name, [...(byName.get(copy.name) ?? []), copy]);
  return [...byName.values()].filter((copies) => copies.length > 1 || copies[0]!.formats.length > 1);
}

/** Time and CPU of one process: wall time seen by its parent, CPU (user + system) it used itself. */
export interface ProcessCost {
  wallMs: number;
  cpuMs: number;
}

const cpuMsOf = 'const { userCPUTime, systemCPUTime } = process.resourceUsage(); const cpuMs = (userCPUTime + systemCPUTime) / 1000;';

/**
 * Runs a bundled GraphQL handler in a fresh Node process, as a Lambda cold start does:
 * import the bundle (configuration read, server built), answer one event. The process
 * exits as soon as it has answered: Lambda freezes it there, so what a dependency leaves
 * running afterwards is no part of a cold start. `env` configures the function as Lambda
 * would; the SDK's "Node 22 needed soon" warning is silenced as on Lambda's Node 22.
 */
export function invokeBundleInFreshProcess({ bundlePath, event, env, nodeOptions = [] }: { bundlePath: string; event: unknown; env: Record<string, string>; nodeOptions?: string[] }): ProcessCost & { insideMs: number; statusCode: number; headers: Record<string, string>; body: string } {
  const driver = join(resolve(bundlePath, '..'), 'invoke-once.mjs');
  writeFileSync(
    driver,
    `const started = performance.now();
const { handler } = await import(${JSON.stringify(pathToFileURL(bundlePath).href)});
const result = await handler(JSON.parse(process.env.PADDOCK_EVENT), { awsRequestId: 'cold-start', getRemainingTimeInMillis: () => 3000 });
${cpuMsOf}
process.stdout.write(JSON.stringify({ insideMs: performance.now() - started, cpuMs, statusCode: result.statusCode, headers: result.headers, body: result.body }), () => process.exit(0));
`,
  );
  const started = performance.now();
  const run = spawnSync(process.execPath, [...nodeOptions, driver], {
    env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env, PADDOCK_EVENT: JSON.stringify(event) },
    encoding: 'utf8',
  });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`the bundled handler failed (exit ${run.status}): ${run.stderr}`);
  return { wallMs, ...(JSON.parse(run.stdout) as { insideMs: number; cpuMs: number; statusCode: number; headers: Record<string, string>; body: string }) };
}

/** A Node process that does nothing: the floor every cold start stands on. */
export function emptyNodeProcess(): ProcessCost {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['-e', `${cpuMsOf} process.stdout.write(String(cpuMs));`], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (run.status !== 0) throw new Error(`empty node process failed: ${run.stderr}`);
  return { wallMs, cpuMs: Number(run.stdout) };
}
