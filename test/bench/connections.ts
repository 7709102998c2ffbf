/**
 * `npm run bench -- --only connections`: what nested connections cost. The README's nested
 * examples and one query per connection type run through the real Lambda handler against
 * the demo brand (reminders made by the reminders job); for each, DynamoDB requests and
 * the rounds they came in, against a naive one-call-per-parent-and-item count, bytes of
 * DynamoDB JSON read, the size of the answer, and server CPU per request (this process:
 * Paddock, Apollo and the SDK; DynamoDB Local runs in its own).
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DEALER_SCOPES, displayPrefix, generateApiKey, hashApiKey } from '../../src/auth/api-key.js';
import { readConfig } from '../../src/config.js';
import { createGraphqlHandler } from '../../src/graphql/lambda-handler.js';
import { createRuntime } from '../../src/graphql/runtime.js';
import { startDynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { generateSigningKey, localAuthEnv, signLocalToken } from '../../src/local/jwt-signer.js';
import { seedDemoBrand } from '../../src/local/seed.js';
import { ensureTable } from '../../src/local/table-admin.js';
import { createRepositories } from '../../src/composition.js';
import { runRemindersJob } from '../../src/reminder/reminders-job.js';
import { createLogger } from '../../src/shared/logger.js';
import { newId, toGlobalId } from '../../src/shared/ids.js';
import { createDocumentClient } from '../../src/store/dynamo-client.js';
import { apiGatewayEvent, lambdaContext } from '../support/api.js';
import { countRequests } from '../support/request-counter.js';

type Print = (line?: string) => void;

/** How many values a dotted path reaches in an answer (lists are walked): `count(data, 'customers.edges.node')`. */
export function count(data: unknown, path: string): number {
  const walk = (value: unknown, parts: string[]): number => {
    if (value === null || value === undefined) return 0;
    if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + walk(v, parts), 0);
    if (parts.length === 0) return 1;
    return walk((value as Record<string, unknown>)[parts[0]!], parts.slice(1));
  };
  return walk(data, path.split('.'));
}

interface Case {
  label: string;
  who: 'admin' | 'dealer' | 'customer';
  query: string;
  variables?: Record<string, unknown>;
  /**
   * A resolver per parent and per item: one Query per list, one GetItem per object loaded
   * by key, one more GetItem per reminder/visit whose car is loaded to judge visibility.
   */
  naive: (data: Record<string, unknown>) => number;
}

const c = count;

function cases(ids: { dealerId: string }): Case[] {
  const reminderNode = 'edges { node { id dueDate status } }';
  return [
    {
      label: 'README: customers(first: 5, TAYCAN) → vehicles → odometer',
      who: 'admin',
      query: '{ customers(first: 5, filter: { modelLine: TAYCAN }) { edges { node { id firstName lastName vehicles { edges { node { vin variant odometer { km readAt } } } } } } pageInfo { hasNextPage endCursor } } }',
      naive: (d) => 1 + c(d, 'customers.edges.node.vehicles.edges.node'),
    },
    {
      label: "README: owners' app (me → vehicles → nextService, reminders)",
      who: 'customer',
      query: '{ me { customer { firstName vehicles { edges { node { vin variant nextService { item { name } dueDate basis recommendedProducts { name specification } } } } } reminders(status: OPEN) { edges { node { id dueDate items { item { name } } } } } } } }',
      naive: (d) => 1 + c(d, 'me.customer.vehicles.edges.node') + 1,
    },
    {
      label: 'README: customers(first: 20) → reminders(first: 5) → vehicle',
      who: 'admin',
      query: '{ customers(first: 20) { edges { node { lastName reminders(first: 5) { edges { node { dueDate status channel deliverable items { item { code } basis } vehicle { vin variant } } } } } } } }',
      naive: (d) => 1 + c(d, 'customers.edges.node') + 2 * c(d, 'customers.edges.node.reminders.edges.node'),
    },
    {
      label: 'issue 12: customers(first: 100) → reminders',
      who: 'admin',
      query: `{ customers(first: 100) { edges { node { id reminders { ${reminderNode} } } } } }`,
      naive: (d) => 1 + c(d, 'customers.edges.node') + c(d, 'customers.edges.node.reminders.edges.node'),
    },
    {
      label: 'README: dealer key, me + customers(first: 3) → vehicles',
      who: 'dealer',
      query: '{ me { role scopes dealer { name } } customers(first: 3) { edges { node { firstName lastName vehicles { edges { node { vin odometer { km } } } } } } } }',
      naive: (d) => 1 + 1 + c(d, 'customers.edges.node') + c(d, 'customers.edges.node.vehicles.edges.node'),
    },
    {
      label: 'dealer page: dealer → customers(first: 50) → vehicles → servicingDealer',
      who: 'admin',
      query: 'query($id: ID!) { dealer(id: $id) { name customers(first: 50) { edges { node { firstName lastName vehicles(first: 10) { edges { node { vin variant odometer { km } servicingDealer { name } } } } } } } } }',
      variables: { id: toGlobalId('Dealer', ids.dealerId) },
      naive: (d) => 2 + 2 * c(d, 'dealer.customers.edges.node') + 2 * c(d, 'dealer.customers.edges.node.vehicles.edges.node'),
    },
    {
      label: 'README: dealer forecast(30 days) → vehicles → owner',
      who: 'dealer',
      query: '{ me { dealer { serviceForecast(days: 30) { expectedVisits overdueVehicles days { date expectedVisits vehicles { vin variant owner { lastName } } } } } } }',
      naive: (d) => 2 + 2 * c(d, 'me.dealer.serviceForecast.days.vehicles'),
    },
    {
      label: 'Customer.serviceHistory + interactions + consentHistory (50 customers)',
      who: 'admin',
      query: '{ customers(first: 50) { edges { node { id serviceHistory(first: 5) { edges { node { id performedAt } } } interactions(first: 5) { edges { node { occurredAt } } } consentHistory(channel: EMAIL, first: 5) { edges { node { granted } } } } } } }',
      naive: (d) => 1 + 3 * c(d, 'customers.edges.node') + c(d, 'customers.edges.node.serviceHistory.edges.node'),
    },
    {
      label: 'Vehicle.odometerHistory + serviceHistory + reminders (10 customers → vehicles)',
      who: 'admin',
      query: `{ customers(first: 10) { edges { node { vehicles(first: 5) { edges { node { vin odometerHistory(first: 5) { edges { node { km } } } serviceHistory(first: 5) { edges { node { id } } } reminders(first: 5) { ${reminderNode} } } } } } } } }`,
      naive: (d) => 1 + 4 * c(d, 'customers.edges.node.vehicles.edges.node') + c(d, 'customers.edges.node.vehicles.edges.node.serviceHistory.edges.node') + c(d, 'customers.edges.node.vehicles.edges.node.reminders.edges.node'),
    },
    {
      label: 'Dealer.customers (dealers(first: 10) → customers(first: 20))',
      who: 'admin',
      query: '{ dealers(first: 10) { edges { node { name customers(first: 20) { edges { node { lastName } } } } } } }',
      naive: (d) => 1 + c(d, 'dealers.edges.node') + c(d, 'dealers.edges.node.customers.edges.node'),
    },
    {
      label: 'ClubMembership.ledger + vouchers + eventRegistrations (50 customers)',
      who: 'admin',
      query: '{ customers(first: 50) { edges { node { club { memberSince ledger(first: 5) { edges { node { points } } } vouchers(first: 5) { edges { node { code } } } eventRegistrations(first: 5) { edges { node { id } } } } } } } }',
      naive: (d) => 1 + 2 * c(d, 'customers.edges.node') + 3 * c(d, 'customers.edges.node.club'),
    },
    {
      label: 'ClubEvent.registrations (clubEvents(first: 20) → registrations)',
      who: 'admin',
      query: '{ clubEvents(first: 20, from: "2020-01-01T00:00:00Z") { edges { node { title registrations(first: 10) { edges { node { id } } } } } } }',
      naive: (d) => 1 + c(d, 'clubEvents.edges.node'),
    },
  ];
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export async function connections(print: Print) {
  const engine = await startDynamoDbLocal();
  try {
    const tableName = 'paddock-bench-connections';
    const doc = createDocumentClient({ endpoint: engine.endpoint, region: 'eu-central-1' });
    await ensureTable(doc as never, tableName);
    const store = { doc, tableName };
    const now = new Date('2026-11-21T08:00:00Z');
    print('8. Nested connections: seeding the demo brand (200 customers, 300 cars, club) and running the reminders job …');
    const seeded = await seedDemoBrand(store, { customers: 200, vehicles: 300, now });
    const repos = createRepositories(store);
    const logger = createLogger({}, { level: 'error' });
    await runRemindersJob({ reminders: repos.reminders, customers: repos.customers, logger }, { now: new Date('2026-12-01T06:00:00Z') });

    const perDealer = seeded.dealers.map((d) => ({ d, n: seeded.customers.filter((x) => x.dealerIds.includes(d.id)).length })).sort((a, b) => b.n - a.n);
    const dealer = perDealer[0]!.d;
    const apiKey = generateApiKey();
    await repos.dealers.issueApiKey({ id: newId(), dealerId: dealer.id, name: 'bench', prefix: displayPrefix(apiKey), keyHash: hashApiKey(apiKey), scopes: [...DEALER_SCOPES], createdAt: now.toISOString() });
    const withVehicles = seeded.customers.find((x) => x.vehicleVins.length > 1) ?? seeded.customers[0]!;

    const key = generateSigningKey();
    const config = readConfig({ TABLE_NAME: tableName, DYNAMODB_ENDPOINT: engine.endpoint, ...localAuthEnv(key) });
    const handler = createGraphqlHandler(createRuntime(config, { doc, logger, clock: () => new Date('2026-12-01T09:00:00Z') }));
    const headers = {
      admin: { authorization: `Bearer ${signLocalToken(key, { role: 'admin' })}` },
      customer: { authorization: `Bearer ${signLocalToken(key, { role: 'customer', customerId: withVehicles.id })}` },
      dealer: { 'x-api-key': apiKey },
    };
    const counter = countRequests(doc);
    const call = async (k: Case) => {
      const result = (await handler(apiGatewayEvent({ body: JSON.stringify({ query: k.query, variables: k.variables }), headers: headers[k.who] }), lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
      const body = JSON.parse(result.body!);
      if (body.errors?.length) throw new Error(`${k.label}: ${JSON.stringify(body.errors[0])}`);
      return { data: body.data as Record<string, unknown>, bytes: Buffer.byteLength(result.body!) };
    };

    const RUNS = 20;
    print(`   per query: requests (rounds) vs naive; DynamoDB JSON read vs answer; server CPU per request (mean of ${RUNS})`);
    const totals = { requests: 0, naive: 0, read: 0, answered: 0, cpu: 0 };
    for (const k of cases({ dealerId: dealer.id })) {
      await call(k); // warm: the API key lookup is cached per instance, as in Lambda
      counter.reset();
      const { data, bytes } = await call(k);
      const t = counter.tally();
      const naive = k.naive(data);
      const cpu = process.cpuUsage();
      for (let i = 0; i < RUNS; i++) await call(k);
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000 / RUNS;
      const ops = Object.entries(t.byOperation).map(([op, n]) => `${op} ${n}`).join(', ');
      print(`   ${k.label}`);
      print(`     ${t.requests} requests in ${t.waves} rounds (${ops}) vs naive ${naive}; read ${kib(t.bytesRead)} for an answer of ${kib(bytes)} (${(t.bytesRead / Math.max(1, bytes)).toFixed(1)}×); CPU ${cpuMs.toFixed(1)} ms`);
      totals.requests += t.requests;
      totals.naive += naive;
      totals.read += t.bytesRead;
      totals.answered += bytes;
      totals.cpu += cpuMs;
    }
    print(`   all: ${totals.requests} requests vs naive ${totals.naive}; read ${kib(totals.read)} for ${kib(totals.answered)} answered; CPU ${totals.cpu.toFixed(1)} ms for one of each`);
  } finally {
    await engine.stop();
  }
}
