/**
 * Bench sections 2 and 3: the GraphQL Lambda bundle as the CDK stacks build it, and its
 * cold start against an empty Node process.
 */
import { join, resolve } from 'node:path';
import { GRAPHQL_ENTRY } from '../../infra/bundling.js';
import { generateSigningKey, localAuthEnv, signLocalToken } from '../../src/local/jwt-signer.js';
import { apiGatewayEvent } from '../support/api.js';
import { buildLambdaBundle, duplicatePackages, emptyNodeProcess, invokeBundleInFreshProcess, packageCopies, type PackageCopy, type ProcessCost } from '../support/lambda-bundle.js';

type Print = (line?: string) => void;
const KIB = 1024;
const kib = (bytes: number) => `${(bytes / KIB).toFixed(0)} KiB`;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export interface GraphqlBundles {
  plain: { path: string; bytes: number };
  withMaps: { path: string; bytes: number };
}

/** Builds the bundle (with and without source maps) and prints its size and largest parts. */
export async function bundleSection(outdir: string, print: Print): Promise<GraphqlBundles> {
  const plain = await buildLambdaBundle({ entry: GRAPHQL_ENTRY, outdir: join(outdir, 'graphql') });
  const withMaps = await buildLambdaBundle({ entry: GRAPHQL_ENTRY, outdir: join(outdir, 'graphql-sourcemap'), sourcemap: true });
  const copies = packageCopies(plain.metafile);
  const duplicates = duplicatePackages(plain.metafile);
  print(`2. GraphQL Lambda bundle (esbuild with the CDK stacks' options): ${kib(plain.bytes)} minified (goal ≤ 800 KiB)`);
  print(`   largest parts: ${copies.slice(0, 8).map((c) => `${c.name} ${kib(c.bytes)}`).join(', ')}`);
  const protobuf = copies.filter((c) => c.name === '@apollo/usage-reporting-protobuf').reduce((s, c) => s + c.bytes, 0);
  print(`   Apollo usage-reporting protobuf: ${protobuf ? kib(protobuf) : 'not bundled'}`);
  const describe = (c: PackageCopy) => `${c.dir}${c.formats.length ? ` [${c.formats.join(' + ')}]` : ''} ${kib(c.bytes)}`;
  print(duplicates.length ? `   packages bundled more than once: ${duplicates.map((copies) => copies.map(describe).join(' and ')).join('; ')}` : '   packages bundled more than once: none (one copy, one module format each)');
  return { plain: { path: plain.path, bytes: plain.bytes }, withMaps: { path: withMaps.path, bytes: withMaps.bytes } };
}

/** A counter rewritten in place on a terminal, a line per step in a log. */
function progress(step?: string): void {
  if (!process.stdout.isTTY) {
    if (step) process.stdout.write(`   … ${step}\n`);
    return;
  }
  process.stdout.write(step ? `   … ${step}\r` : '\x1b[2K');
}

/**
 * Paired runs: each round starts an empty Node process and the bundle (without, then with
 * source maps and `--enable-source-maps`, as deployed) back to back, so a busy moment of a
 * shared machine weighs on both sides of a ratio; the figures are medians of the rounds.
 * Wall time is what a caller waits for on an idle machine; CPU time (user + system of the
 * process itself) is what a cold start costs whatever else the machine runs, and the
 * fairer figure on a shared one.
 */
export function coldStartSection(bundles: GraphqlBundles, print: Print, rounds = 11): void {
  const key = generateSigningKey();
  const event = apiGatewayEvent({ body: JSON.stringify({ query: '{ me { role } }' }), headers: { authorization: `Bearer ${signLocalToken(key, { role: 'admin' })}` } });
  const env = { TABLE_NAME: 'unused', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'eu-central-1', LOG_LEVEL: 'error', ...localAuthEnv(key) };
  const variants = [
    { label: 'without source maps', path: bundles.plain.path, nodeOptions: [] as string[] },
    { label: 'with source maps (as deployed: .map + --enable-source-maps)', path: bundles.withMaps.path, nodeOptions: ['--enable-source-maps'] },
  ];
  const empty: ProcessCost[] = [];
  const runs = variants.map(() => [] as (ProcessCost & { wallRatio: number; cpuRatio: number })[]);
  print(`3. Cold start (fresh process: import bundle + build server + first request) vs an empty Node process, ${rounds} paired rounds`);
  for (let round = 0; round < rounds; round++) {
    progress(`round ${round + 1}/${rounds}`);
    const floor = emptyNodeProcess();
    empty.push(floor);
    variants.forEach((variant, i) => {
      const run = invokeBundleInFreshProcess({ bundlePath: resolve(variant.path), event, env, nodeOptions: variant.nodeOptions });
      if (run.statusCode !== 200) throw new Error(`cold-start request answered ${run.statusCode}: ${run.body}`);
      runs[i]!.push({ ...run, wallRatio: run.wallMs / floor.wallMs, cpuRatio: run.cpuMs / floor.cpuMs });
    });
  }
  progress();
  const m = (xs: number[]) => median(xs).toFixed(0);
  print(`   empty node process: ${m(empty.map((e) => e.wallMs))} ms wall, ${m(empty.map((e) => e.cpuMs))} ms CPU`);
  variants.forEach((variant, i) => {
    const r = runs[i]!;
    print(`   ${variant.label}: ${m(r.map((x) => x.wallMs))} ms wall, ${m(r.map((x) => x.cpuMs))} ms CPU → ${median(r.map((x) => x.wallRatio)).toFixed(2)}× wall, ${median(r.map((x) => x.cpuRatio)).toFixed(2)}× CPU (goal ≤ 2.5×)`);
  });
}
