/**
 * `npm run bench`: figures, no pass/fail (machines are shared and noisy).
 *
 * 1. DynamoDB requests for a nested query — a dealer's 50 customers with their vehicles and
 *    each vehicle's servicing dealer — through the real Lambda handler, against the count a
 *    naive one-call-per-item resolver would make.
 * 2. Size of the GraphQL Lambda bundle (esbuild, the CDK stacks' options), its largest parts,
 *    and any package bundled twice (bundle.ts).
 * 3. Cold start: a fresh Node process importing the bundle and answering one request, vs an
 *    empty Node process, with and without source maps (paired rounds, medians; bundle.ts).
 * 4. The reminders job over a 10,000-car fleet: time, and items read per reminder created.
 * 5. The scores job over 10,000 customers (customers per second, read and write units per customer), its KPI
 *    roll-ups at 1,000 dealers, and a first night at 1M customers projected onto the fan-out (scores.ts).
 * 6. Hostile documents (fragment bombs, alias floods): time to validate and refuse them.
 * 7. The owners' club: accruals per second through GraphQL (recordOrder for members, against
 *    the same for non-members), the read cost of a member's `club` with 24 months of history
 *    (read units from ReturnConsumedCapacity), and items the club job reads per lot expired.
 * 8. Nested connections (`connections.ts`): the README's nested examples and one query per
 *    connection type — requests vs naive, bytes read, CPU per request.
 * 9. Interactions (`interactions.ts`): requests and write units per event of `recordInteractions`
 *    at batch sizes 1, 10 and 100.
 * 10. The offers job over the scores bench's population (`offers.ts`): decisions per second, read
 *    units per customer against "each customer's data read once", write units per decision, and a
 *    first night at 1M customers projected onto the fan-out.
 * 11. Connected-car telemetry (`telemetry.ts`): readings per second through the Lambda handler,
 *    requests and write units per reading, batched, one reading a car, and re-sent.
 * 12. Reminder timing on a simulated fleet with known true mileage (`maintenance-fleet.ts`: every line and powertrain,
 *    the catalogue's items, a service history, long trips, daily telemetry), by category and schedule.
 */
import '../../src/local/quiet-sdk.js';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { typeDefs } from '../../src/graphql/__generated__/type-defs.js';
import { domainModules } from '../../src/graphql/__generated__/modules.js';
import { createQueryLimits, DEFAULT_LIMITS, listBoundsOf } from '../../src/graphql/limits.js';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bundleSection, coldStartSection } from './bundle.js';
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
import { scoresBench } from './scores.js';
import { CustomerRepository } from '../../src/customer/customer-repository.js';
import { ReminderRepository } from '../../src/reminder/reminder-repository.js';
import { runRemindersJob } from '../../src/reminder/reminders-job.js';
import { runClubJob } from '../../src/club/club-job.js';
import { membershipEntity, lotEntity, type LotRecord } from '../../src/club/club-records.js';
import { expiresOnFor } from '../../src/club/ledger.js';
import { lotItem } from '../../src/club/ledger-repository.js';
import { createRepositories } from '../../src/composition.js';
import { customerEntity, makeCustomer } from '../../src/customer/customer.js';
import { newId } from '../../src/shared/ids.js';
import { inPool } from '../../src/shared/in-pool.js';
import { batchPutItems } from '../../src/store/batch.js';
import { writeContributions } from '../../src/store/fact-hooks.js';
import { connections } from './connections.js';
import { interactionsBench } from './interactions.js';
import { offersBench } from './offers.js';
import { telemetryBench } from './telemetry.js';
import { maintenanceFleetBench } from './maintenance-fleet.js';

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
  await scoresBench({ withTable, print });
}

/** Counts a document client's requests by operation, and (for reads) asks for and sums the read units each consumed. */
function meter(doc: ReturnType<typeof createDocumentClient>) {
  const requests = new Map<string, number>();
  let readUnits = 0;
  let itemsRead = 0;
  const reads = new Set(['GetCommand', 'QueryCommand', 'BatchGetCommand', 'ScanCommand']);
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName);
      requests.set(op, (requests.get(op) ?? 0) + 1);
      if (!reads.has(op)) return next(args);
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[]; Items?: unknown[]; Item?: unknown; Responses?: Record<string, unknown[]> };
      for (const c of [output.ConsumedCapacity ?? []].flat()) readUnits += c.CapacityUnits ?? 0;
      itemsRead += output.Items?.length ?? (output.Item ? 1 : 0) + Object.values(output.Responses ?? {}).reduce((n, items) => n + items.length, 0);
      return result;
    },
    { step: 'initialize', name: 'benchMeter' },
  );
  return {
    reset: () => (requests.clear(), (readUnits = 0), (itemsRead = 0)),
    get: () => ({ requests: [...requests.entries()].map(([op, n]) => `${op.replace(/Command$/, '')} ${n}`).join(', '), total: [...requests.values()].reduce((a, b) => a + b, 0), readUnits, itemsRead }),
  };
}

async function clubBench() {
  const logger = createLogger({}, { level: 'error' });
  print("7. Owners' club");
  await withTable('paddock-bench-club', async ({ doc, tableName, endpoint }) => {
    const store = { doc, tableName };
    const repos = createRepositories(store);
    const key = generateSigningKey();
    const config = readConfig({ TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint, ...localAuthEnv(key) });
    const handler = createGraphqlHandler(createRuntime(config, { doc, logger }));
    const admin = { authorization: `Bearer ${signLocalToken(key, { role: 'admin' })}` };
    const call = async (query: string, variables: Record<string, unknown>) => {
      const res = (await handler(apiGatewayEvent({ body: JSON.stringify({ query, variables }), headers: admin }), lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
      const body = JSON.parse(res.body!);
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const now = new Date();
    const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * 86_400_000).toISOString();

    // a) Accruals per second: 100 members and 100 non-members, 4 orders each, 8 requests in flight.
    const customers = Array.from({ length: 200 }, (_, i) => makeCustomer({ id: newId(), email: `club${i}@example.com`, dealerIds: [] }));
    await batchPutItems(doc, tableName, customers.map(customerEntity.toItem));
    const members = customers.slice(0, 100);
    await inPool(members, 8, async (c) => {
      const joined = await repos.ledger.join({ customerId: c.id, consent: { source: 'APP', at: at(30), recordedBy: { kind: 'customer', id: c.id } }, at: at(30) });
      if (!joined.ok) throw new Error(`join: ${joined.reason}`);
    });
    const recordOrder = `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { userErrors { code message } } }`;
    const orders = async (who: typeof customers) => {
      const targets = [0, 1, 2, 3].flatMap(() => who);
      const started = performance.now();
      await inPool(targets, 8, async (c) => {
        const data = await call(recordOrder, { input: { customerId: toGlobalId('Customer', c.id), channel: 'ONLINE', orderedAt: at(1), lines: [{ sku: 'CAP', description: 'Motorsport cap', quantity: 1, unitPrice: { amount: '45.00', currency: 'EUR' } }] } });
        if (data.recordOrder.userErrors.length) throw new Error(JSON.stringify(data.recordOrder.userErrors));
      });
      return { n: targets.length, perSecond: targets.length / ((performance.now() - started) / 1000) };
    };
    const nonMembers = await orders(customers.slice(100));
    const memberOrders = await orders(members);
    const earned = [...(await repos.ledger.getMemberships(members.map((c) => c.id))).values()].reduce((sum, m) => sum + m.earnedTotal, 0);
    print(`   accruals through GraphQL (recordOrder, 8 in flight): members ${memberOrders.perSecond.toFixed(0)}/s over ${memberOrders.n} orders (each its order, marker, entry, lot and membership in one transaction; ${earned} points = ${memberOrders.n} × 90, ${earned === memberOrders.n * 90 ? 'every one' : 'NOT every one'} earned once); non-members ${nonMembers.perSecond.toFixed(0)}/s over ${nonMembers.n} (the order alone)`);

    // b) A member's club with 25 months of history: 4 documents a month, a redemption a month, the month that left expired.
    const member = makeCustomer({ id: newId(), email: 'club-history@example.com', dealerIds: [] });
    await batchPutItems(doc, tableName, [customerEntity.toItem(member)]);
    const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 25, 3, 9));
    await repos.ledger.join({ customerId: member.id, consent: { source: 'APP', at: since.toISOString(), recordedBy: { kind: 'customer', id: member.id } }, at: since.toISOString() });
    for (let month = 0; month <= 25; month++) {
      for (const day of [3, 10, 17, 24]) {
        const when = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth() + month, day, 9)).toISOString();
        if (when > now.toISOString()) continue;
        const m = (await repos.ledger.getMembership(member.id))!;
        const written = await writeContributions(store, repos.ledger.accrualContributions(m, { source: { type: 'SERVICE_VISIT', id: newId() }, basePoints: 150, at: when }));
        if (!written.ok) throw new Error('accrual refused');
      }
      const spendAt = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth() + month, 27, 12)).toISOString();
      if (spendAt < now.toISOString()) await repos.ledger.redeem({ customerId: member.id, points: 200, source: { type: 'REWARD', id: 'BENCH' }, at: spendAt, by: { kind: 'admin', id: 'bench' } });
    }
    await runClubJob({ clubSchedule: repos.clubSchedule, logger }, { now });
    const [lots, entries] = await Promise.all([repos.ledger.liveLots(member.id, now.toISOString()), repos.ledger.allEntries(member.id)]);
    const metered = meter(doc);
    const clubQuery = `query($id: ID!) { node(id: $id) { ... on Customer { club { balance { available pending } lots { points remaining expiresOn } expiringSoon(days: 30) { expiresOn points } ledger(first: 20) { edges { node { kind points at } } } } } } }`;
    const times: number[] = [];
    let cost = metered.get();
    for (let i = 0; i < 7; i++) {
      metered.reset();
      const started = performance.now();
      await call(clubQuery, { id: toGlobalId('Customer', member.id) });
      times.push(performance.now() - started);
      cost = metered.get();
    }
    print(`   Customer.club { balance lots expiringSoon ledger(first: 20) } of a member with 25 months of history (${entries.length} entries, ${lots.length} live lots): ${cost.total} requests (${cost.requests}), ${cost.itemsRead} items, ${cost.readUnits.toFixed(1)} read units (ReturnConsumedCapacity; the lots read eventually consistent), median ${median(times).toFixed(1)} ms`);
  });

  // c) The club job over a population with many lots to expire.
  await withTable('paddock-bench-club-job', async (store) => {
    const members = 1_000;
    const earnedDue = '2024-10-15T09:00:00.000Z'; // last day 2026-10-31: warned 2026-10-01, expired 2026-11-01
    const earnedLater = '2025-06-15T09:00:00.000Z'; // last day 2027-06-30: not due
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < members; i++) {
      const customerId = newId();
      const lot = (earnedAt: string): LotRecord => lotEntity.make({ customerId, id: newId(), points: 250, remaining: 250, earnedAt, availableFrom: earnedAt, expiresOn: expiresOnFor(earnedAt), source: { type: 'ORDER', id: newId() }, warned: false, expiredAt: undefined });
      const lots = [...Array.from({ length: 4 }, () => lot(earnedDue)), ...Array.from({ length: 4 }, () => lot(earnedLater))];
      items.push(membershipEntity.toItem(membershipEntity.make({ customerId, number: `PC${String(i).padStart(8, '0')}`, level: 'MEMBER', balance: 2_000, earnedTotal: 2_000, redeemedTotal: 0, expiredTotal: 0, owed: 0, qualifying: {}, levelReviewOn: undefined })), ...lots.map((l) => lotItem(l)));
    }
    await batchPutItems(store.doc, store.tableName, items as never);
    const clubSchedule = createRepositories(store).clubSchedule;
    print(`   club job over ${members} members with ${members * 8} lots, ${members * 4} of them expiring on one day (the other half later: not read):`);
    for (const [label, day] of [['warning day', '2026-10-01T01:00:00.000Z'], ['expiry day', '2026-11-01T01:00:00.000Z'], ['expiry day, again', '2026-11-01T02:00:00.000Z']] as const) {
      const started = performance.now();
      const stats = await runClubJob({ clubSchedule, logger }, { now: new Date(day) });
      const seconds = (performance.now() - started) / 1000;
      const acted = stats.lotsExpired + stats.lotsWarned;
      print(`     ${label}: ${stats.lotsWarned} warned, ${stats.lotsExpired} expired in ${seconds.toFixed(1)} s${acted ? ` (${(acted / seconds).toFixed(0)} lots/s)` : ''}; items read ${stats.itemsRead}${acted ? ` → ${(stats.itemsRead / acted).toFixed(2)} per lot acted on` : ''}`);
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
const SECTIONS = ['round-trips', 'bundle', 'cold-start', 'reminders', 'scores', 'hostile', 'club', 'connections', 'interactions', 'offers', 'telemetry', 'maintenance-fleet'] as const;

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const only = new Set(values.only ? values.only.split(',') : SECTIONS);
  const unknown = [...only].filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`Unknown section(s) ${unknown.join(', ')}; use ${SECTIONS.join(', ')}`);
  print(`Paddock benchmark — node ${process.version}, ${execFileSync('nproc').toString().trim()} cores`);
  print();
  if (only.has('round-trips')) (await roundTrips(), print());
  const bundles = only.has('bundle') || only.has('cold-start') ? await bundleSection(OUT, print) : null;
  if (bundles) print();
  if (bundles && only.has('cold-start')) (coldStartSection(bundles, print), print());
  if (only.has('reminders')) (await remindersJob(), print());
  if (only.has('scores')) (await scoresJob(), print());
  if (only.has('hostile')) (hostileDocuments(), print());
  if (only.has('club')) await clubBench();
  if (only.has('connections')) (print(), await connections(print));
  if (only.has('interactions')) (print(), await interactionsBench(print));
  if (only.has('offers')) (print(), await offersBench({ withTable, print }));
  if (only.has('telemetry')) (print(), await telemetryBench(print));
  if (only.has('maintenance-fleet')) (print(), maintenanceFleetBench(print));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
