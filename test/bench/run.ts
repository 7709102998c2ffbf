/**
 * `npm run bench`: figures, no pass/fail (machines are shared and noisy).
 *
 * 1. DynamoDB requests for a nested query — a dealer's 50 customers with their vehicles and
 *    each vehicle's servicing dealer — through the real Lambda handler, against the count a
 *    naive one-call-per-item resolver would make.
 * 2. Size of the GraphQL Lambda bundle (esbuild, the CDK stack's options).
 * 3. Cold start: a fresh Node process importing the bundle and answering one request, vs an
 *    empty Node process (median of several runs).
 * 4. The reminders job over a 10,000-car fleet: time, and items read per reminder created.
 * 5. The scores job over 10,000 customers: customers scored per second, read units per customer.
 * 6. Hostile documents (fragment bombs, alias floods): time to validate and refuse them.
 */
import '../../src/local/quiet-sdk.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { typeDefs } from '../../src/graphql/__generated__/type-defs.js';
import { domainModules } from '../../src/graphql/__generated__/modules.js';
import { createQueryLimits, DEFAULT_LIMITS, listBoundsOf } from '../../src/graphql/limits.js';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { LAMBDA_BUNDLE, GRAPHQL_ENTRY } from '../../infra/bundling.js';
import { readConfig } from '../../src/config.js';
import { createGraphqlHandler } from '../../src/graphql/lambda-handler.js';
import { createRuntime } from '../../src/graphql/runtime.js';
import { startDynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { generateSigningKey, localAuthEnv, signLocalToken } from '../../src/local/jwt-signer.js';
import { seedDemoBrand } from '../../src/local/seed.js';
import { ensureTable } from '../../src/local/table-admin.js';
import { createLogger } from '../../src/shared/logger.js';
import { toGlobalId } from '../../src/shared/ids.js';
import { createDocumentClient } from '../../src/store/dynamo-client.js';
import { apiGatewayEvent, lambdaContext } from '../support/api.js';
import { makeFleet, writeFleet } from '../support/fleet.js';
import { makePopulation, writePopulation } from '../support/population.js';
import { runScoresLocally, scoresRunFor } from '../../src/value/scores-job.js';
import { ValueRepository } from '../../src/value/value-repository.js';
import { CustomerRepository } from '../../src/customer/customer-repository.js';
import { ReminderRepository } from '../../src/reminder/reminder-repository.js';
import { runRemindersJob } from '../../src/reminder/reminders-job.js';

const OUT = resolve('.paddock/bench');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const print = (line = '') => process.stdout.write(`${line}\n`);

/** Runs `work` against a fresh DynamoDB Local and table, stopping the engine afterwards. */
async function withTable<T>(tableName: string, work: (store: { doc: ReturnType<typeof createDocumentClient>; tableName: string; endpoint: string }) => Promise<T>): Promise<T> {
  const engine = await startDynamoDbLocal();
  try {
    const doc = createDocumentClient({ endpoint: engine.endpoint, region: 'eu-central-1' });
    await ensureTable(doc as never, tableName);
    return await work({ doc, tableName, endpoint: engine.endpoint });
  } finally {
    await engine.stop();
  }
}

async function roundTrips() {
  await withTable('paddock-bench', async ({ doc, tableName, endpoint }) => {
    // Seed enough customers that one dealer has at least 50 of them.
    const seeded = await seedDemoBrand({ doc, tableName }, { customers: 400, vehicles: 600, now: new Date('2026-11-21T08:00:00Z') });
    const perDealer = seeded.dealers.map((d) => ({ d, n: seeded.customers.filter((c) => c.dealerIds.includes(d.id)).length })).sort((a, b) => b.n - a.n);
    const dealer = perDealer[0]!.d;

    // Count every request the SDK sends, by operation.
    const counts = new Map<string, number>();
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        counts.set(String(context.commandName), (counts.get(String(context.commandName)) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'benchCounter' },
    );
    const key = generateSigningKey();
    const config = readConfig({ TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint, ...localAuthEnv(key) });
    const handler = createGraphqlHandler(createRuntime(config, { doc, logger: createLogger({}, { level: 'error' }) }));
    const query = `query($id: ID!) { dealer(id: $id) { name customers(first: 50) { edges { node { firstName lastName vehicles(first: 10) { edges { node { vin variant odometer { km } servicingDealer { name } } } } } } } } }`;
    const event = () => apiGatewayEvent({ body: JSON.stringify({ query, variables: { id: toGlobalId('Dealer', dealer.id) } }), headers: { authorization: `Bearer ${signLocalToken(key, { role: 'admin' })}` } });

    counts.clear();
    const first = (await handler(event(), lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
    const body = JSON.parse(first.body!);
    const customers = body.data.dealer.customers.edges as { node: { vehicles: { edges: unknown[] } } }[];
    const vehicles = customers.reduce((sum, e) => sum + e.node.vehicles.edges.length, 0);
    const measured = [...counts.values()].reduce((a, b) => a + b, 0);
    const byOperation = [...counts.entries()].map(([op, n]) => `${op} ${n}`).join(', ');
    // A resolver per item: GetItem dealer, Query links, GetItem per customer, Query per
    // customer's vehicles, GetItem per vehicle's servicing dealer.
    const naive = 1 + 1 + customers.length + customers.length + vehicles;

    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      await handler(event(), lambdaContext(), () => undefined);
      times.push(performance.now() - started);
    }
    print('1. DynamoDB requests for one nested query (dealer → 50 customers → vehicles → servicing dealer)');
    print(`   result: ${customers.length} customers, ${vehicles} vehicles`);
    print(`   measured: ${measured} requests (${byOperation})`);
    print(`   naive one-call-per-item: ${naive} requests → ${(naive / measured).toFixed(1)}× fewer`);
    print(`   latency against DynamoDB Local: median ${median(times).toFixed(1)} ms over ${times.length} runs`);
  });
}

async function bundle() {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, 'graphql.mjs');
  // The CDK stack's bundling options, so the figure is the deployed bundle's.
  await build({
    entryPoints: [GRAPHQL_ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: LAMBDA_BUNDLE.target,
    minify: LAMBDA_BUNDLE.minify,
    mainFields: LAMBDA_BUNDLE.mainFields,
    external: LAMBDA_BUNDLE.externalModules,
    outfile,
    logLevel: 'silent',
    banner: { js: LAMBDA_BUNDLE.banner },
  });
  const size = statSync(outfile).size;
  print(`2. GraphQL Lambda bundle: ${(size / 1024).toFixed(0)} KiB minified (AWS SDK v3 bundled and tree-shaken)`);
  return outfile;
}

function coldStart(bundlePath: string) {
  const key = generateSigningKey();
  const driver = join(OUT, 'cold-start.mjs');
  const event = apiGatewayEvent({ body: JSON.stringify({ query: '{ me { role } }' }), headers: { authorization: `Bearer ${signLocalToken(key, { role: 'admin' })}` } });
  writeFileSync(
    driver,
    `const t0 = performance.now();
const { handler } = await import(${JSON.stringify(bundlePath)});
const res = await handler(${JSON.stringify(event)}, { awsRequestId: 'bench', getRemainingTimeInMillis: () => 3000 });
if (res.statusCode !== 200) { console.error(res.body); process.exit(1); }
console.log((performance.now() - t0).toFixed(1));
`,
  );
  const env = { ...process.env, TABLE_NAME: 'unused', DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'eu-central-1', ...localAuthEnv(key), LOG_LEVEL: 'error' };
  const wall = (args: string[]) => {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`cold-start run failed: ${result.stderr}`);
    return { ms: performance.now() - started, inner: Number(result.stdout.trim() || 0) };
  };
  const runs = 7;
  const empty = Array.from({ length: runs }, () => wall(['-e', '']).ms);
  const cold = Array.from({ length: runs }, () => wall([driver]));
  const coldWall = median(cold.map((c) => c.ms));
  print(`3. Cold start (fresh process: import bundle + build server + first request), median of ${runs}:`);
  print(`   bundle: ${coldWall.toFixed(0)} ms wall (${median(cold.map((c) => c.inner)).toFixed(0)} ms inside the process)`);
  print(`   empty node process: ${median(empty).toFixed(0)} ms wall → ratio ${(coldWall / median(empty)).toFixed(1)}×`);
}

async function remindersJob() {
  await withTable('paddock-bench-jobs', async (store) => {
    const fleet = makeFleet({ vehicles: 10_000, today: '2026-12-01', dealerIds: ['D1', 'D2', 'D3', 'D4', 'D5'] });
    await writeFleet(store, fleet);
    const deps = { reminders: new ReminderRepository(store), customers: new CustomerRepository(store), logger: createLogger({}, { level: 'error' }) };
    print('4. Reminders job over a fleet of 10,000 cars (due dates spread from 20 days ago to 70 days ahead)');
    for (const day of ['2026-12-01', '2026-12-02']) {
      const started = performance.now();
      const stats = await runRemindersJob(deps, { now: new Date(`${day}T06:00:00Z`) });
      const seconds = (performance.now() - started) / 1000;
      const itemsRead = stats.vehiclesRead + stats.ownersRead;
      print(`   ${day}: ${stats.remindersCreated} reminders in ${seconds.toFixed(1)} s (${(stats.remindersCreated / seconds).toFixed(0)}/s); items read ${itemsRead} (${stats.vehiclesRead} cars + ${stats.ownersRead} owners) → ${(itemsRead / Math.max(1, stats.remindersCreated)).toFixed(2)} per reminder; cars read without a reminder: ${stats.vehiclesRead - stats.remindersCreated}`);
    }
  });
}

async function scoresJob() {
  await withTable('paddock-bench-scores', async (store) => {
    const population = makePopulation(10_000, ['D1', 'D2', 'D3', 'D4', 'D5']);
    await writePopulation(store, population);
    const deps = { values: new ValueRepository(store), logger: createLogger({}, { level: 'error' }) };
    print('5. Scores job over 10,000 customers (8 segments, 4 workers at a time, as locally)');
    for (const [label, now] of [['first night (all scores new)', '2026-12-01T02:00:00Z'], ['next night (only changes written)', '2026-12-02T02:00:00Z']] as const) {
      const started = performance.now();
      const stats = await runScoresLocally(deps, scoresRunFor(new Date(now), 8));
      const seconds = (performance.now() - started) / 1000;
      const read = stats.reduce((s, x) => s + x.customersRead, 0);
      const changed = stats.reduce((s, x) => s + x.changed, 0);
      const units = stats.reduce((s, x) => s + x.readUnits, 0);
      print(`   ${label}: ${read} scored in ${seconds.toFixed(1)} s (${(read / seconds).toFixed(0)}/s), ${changed} written; read units ${units.toFixed(0)} → ${(units / read).toFixed(2)} per customer`);
    }
  });
}

/** A document of `levels` fragments, each spreading the next twice: 2^levels expansions in under 1 kB. */
function fragmentBomb(levels: number): string {
  let query = 'query Q { ...F0 }';
  for (let i = 0; i < levels; i++) query += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`;
  return `${query} fragment F${levels} on Query { __typename }`;
}

function hostileDocuments() {
  const schema = buildSchema(typeDefs);
  const rules = [...specifiedRules, createQueryLimits(DEFAULT_LIMITS, listBoundsOf(domainModules)).rule];
  print('6. Hostile documents: time to parse and validate (where the API refuses them), median of 7');
  for (const [label, source] of [
    ['fragment bomb, 23 levels (2^23 expansions, 0.9 kB)', fragmentBomb(23)],
    ['fragment bomb, 40 levels (2^40 expansions, 1.6 kB)', fragmentBomb(40)],
    ['30 aliases x nested connections', `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: customers(first: 100) { edges { node { id serviceHistory { edges { node { id } } } } } }`).join(' ')} }`],
  ] as const) {
    const times: number[] = [];
    let errors: readonly { message: string }[] = [];
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      errors = validate(schema, parse(source), rules);
      times.push(performance.now() - started);
    }
    print(`   ${label}: ${median(times).toFixed(2)} ms → ${errors.length ? `refused: ${errors[0]!.message}` : 'accepted'}`);
  }
}

/** `npm run bench -- --only bundle,cold-start` runs just those sections. */
const SECTIONS = ['round-trips', 'bundle', 'cold-start', 'reminders', 'scores', 'hostile'] as const;

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const only = new Set(values.only ? values.only.split(',') : SECTIONS);
  const unknown = [...only].filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`Unknown section(s) ${unknown.join(', ')}; use ${SECTIONS.join(', ')}`);
  print(`Paddock benchmark — node ${process.version}, ${execFileSync('nproc').toString().trim()} cores`);
  print();
  if (only.has('round-trips')) (await roundTrips(), print());
  const bundlePath = only.has('bundle') || only.has('cold-start') ? await bundle() : null;
  if (bundlePath) print();
  if (bundlePath && only.has('cold-start')) (coldStart(bundlePath), print());
  if (only.has('reminders')) (await remindersJob(), print());
  if (only.has('scores')) (await scoresJob(), print());
  if (only.has('hostile')) hostileDocuments();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
