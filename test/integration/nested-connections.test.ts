import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEALER_SCOPES, displayPrefix, generateApiKey, hashApiKey } from '../../src/auth/api-key.js';
import { readConfig } from '../../src/config.js';
import { createGraphqlHandler } from '../../src/graphql/lambda-handler.js';
import { createRuntime } from '../../src/graphql/runtime.js';
import { generateSigningKey, localAuthEnv, signLocalToken } from '../../src/local/jwt-signer.js';
import { seedDemoBrand, type SeedResult } from '../../src/local/seed.js';
import { runRemindersJob } from '../../src/reminder/reminders-job.js';
import { createLogger } from '../../src/shared/logger.js';
import { newId, toGlobalId } from '../../src/shared/ids.js';
import { CUSTOMER_NODE } from '../../src/customer/customer.js';
import { apiGatewayEvent, lambdaContext } from '../support/api.js';
import { countRequests } from '../support/request-counter.js';
import { ownEngine, type TestStore } from '../support/store.js';

/**
 * Requests per nested query, counted by a middleware on the real client against DynamoDB
 * Local. A level of nested connections is one wave: a Query per parent sent together, then
 * one BatchGetItem for what the whole level refers to — not one per Query that answered in
 * its own tick (`customers(first: 100) { reminders }` made 101 Queries and 26 BatchGetItems).
 */
describe('Nested connections: one wave per level', () => {
  const engine = ownEngine();
  let store: TestStore;
  let seeded: SeedResult;
  let call: (query: string, headers: Record<string, string>) => Promise<Record<string, any>>;
  let counter: ReturnType<typeof countRequests>;
  let admin: Record<string, string>;
  let dealerKey: Record<string, string>;

  // The demo brand (≈ 2,000 items, club included) and a reminders run: a bound against a hung seed, not a timing.
  beforeAll(async () => {
    store = await engine.createStore();
    const now = new Date('2026-11-21T08:00:00Z');
    seeded = await seedDemoBrand(store, { customers: 120, vehicles: 180, now });
    const logger = createLogger({}, { level: 'error', write: () => true });
    await runRemindersJob({ reminders: store.repos.reminders, customers: store.repos.customers, logger }, { now: new Date('2026-12-01T06:00:00Z') });
    const dealer = seeded.dealers.map((d) => ({ d, n: seeded.customers.filter((c) => c.dealerIds.includes(d.id)).length })).sort((a, b) => b.n - a.n)[0]!.d;
    const apiKey = generateApiKey();
    await store.repos.dealers.issueApiKey({ id: newId(), dealerId: dealer.id, name: 'test', prefix: displayPrefix(apiKey), keyHash: hashApiKey(apiKey), scopes: [...DEALER_SCOPES], createdAt: now.toISOString() });
    const key = generateSigningKey();
    const config = readConfig({ TABLE_NAME: store.tableName, DYNAMODB_ENDPOINT: store.endpoint, API_KEY_CACHE_TTL_SECONDS: '60', ...localAuthEnv(key) });
    const handler = createGraphqlHandler(createRuntime(config, { doc: store.doc, logger, clock: () => new Date('2026-12-01T09:00:00Z') }));
    counter = countRequests(store.doc);
    admin = { authorization: `Bearer ${signLocalToken(key, { role: 'admin' })}` };
    dealerKey = { 'x-api-key': apiKey };
    call = async (query, headers) => {
      const result = (await handler(apiGatewayEvent({ body: JSON.stringify({ query }), headers }), lambdaContext(), () => undefined)) as APIGatewayProxyStructuredResultV2;
      const body = JSON.parse(result.body!);
      expect(body.errors).toBeUndefined();
      return body.data;
    };
    await call('{ me { role } }', dealerKey); // the key lookup is cached per instance, as in Lambda
  }, 600_000);
  afterAll(() => store.drop());

  it('answers customers(first: 100) { reminders { vehicle } } with a Query per customer in one wave and one BatchGetItem', async () => {
    // Prepare
    counter.reset();

    // Act
    const data = await call('{ customers(first: 100) { edges { node { id reminders { edges { node { id dueDate vehicle { vin variant } } } } } } } }', admin);

    // Assess
    const customers = data.customers.edges as { node: { reminders: { edges: { node: { vehicle: { vin: string } } }[] } } }[];
    const reminders = customers.flatMap((c) => c.node.reminders.edges);
    expect(customers).toHaveLength(100);
    expect(reminders.length).toBeGreaterThan(10);
    expect(reminders.every((r) => r.node.vehicle.vin)).toBe(true);
    const { byOperation, requests } = counter.tally();
    expect(byOperation).toEqual({ Query: 1 + 100, BatchGetItem: 1 });
    expect(requests).toBeLessThanOrEqual(102);
  });

  it('answers a dealer page (its customers, their cars, servicing dealers and visits) with one BatchGetItem per level', async () => {
    // Prepare
    counter.reset();

    // Act
    const data = await call(
      '{ me { dealer { name customers(first: 50) { edges { node { id lastName vehicles { edges { node { vin servicingDealer { name } serviceHistory(first: 3) { edges { node { id } } } } } } serviceHistory(first: 3) { edges { node { id vehicle { vin } } } } } } } } } }',
      dealerKey,
    );

    // Assess
    const customers = data.me.dealer.customers.edges as { node: { vehicles: { edges: { node: { serviceHistory: { edges: unknown[] } } }[] }; serviceHistory: { edges: unknown[] } } }[];
    const vehicles = customers.flatMap((c) => c.node.vehicles.edges);
    expect(customers.length).toBeGreaterThan(10);
    expect(vehicles.length).toBeGreaterThan(10);
    expect(customers.some((c) => c.node.serviceHistory.edges.length > 0)).toBe(true);
    const { byOperation } = counter.tally();
    // Levels: the dealer; its links (Query); its customers; their cars and their visits (a Query each);
    // the cars' servicing dealers, the cars' visits (a Query each) and the cars behind the customers' visits.
    // A visit on a car the customer has since sold adds one level: the car's new owner decides
    // whether the dealer may see it (and so the visit, which is left out when it may not).
    const formerOwners = new Set(seeded.vehicles.flatMap((v) => v.ownerHistory.slice(0, -1).map((o) => toGlobalId(CUSTOMER_NODE, o.customerId))));
    const sold = (customers as unknown as { node: { id: string } }[]).some((c) => formerOwners.has(c.node.id));
    expect(byOperation.BatchGetItem).toBeLessThanOrEqual(sold ? 5 : 4);
    expect(byOperation.Query).toBe(1 + customers.length + vehicles.length);
  });

  it('reads one page once when two aliases ask a parent for the same page', async () => {
    // Prepare
    counter.reset();

    // Act
    await call('{ customers(first: 10) { edges { node { a: reminders(first: 5) { edges { node { id } } } b: reminders(first: 5) { edges { node { id } } } } } } }', admin);

    // Assess
    expect(counter.tally().byOperation.Query).toBe(1 + 10);
  });
});
