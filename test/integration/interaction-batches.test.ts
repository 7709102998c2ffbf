import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerKeys, makeCustomer } from '../../src/customer/customer.js';
import { newId, toGlobalId } from '../../src/shared/ids.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import type { FactHooks } from '../../src/store/fact-hooks.js';
import { sourceEventItem, type InteractionRecord } from '../../src/value/fact-repository.js';
import { recordInteractions, type InteractionInput } from '../../src/value/value-service.js';
import { countRequests } from '../support/request-counter.js';
import { createTestStore, type TestStore } from '../support/store.js';
import { adminServiceContext } from '../support/service-context.js';

/**
 * A batch of interactions is written per customer — one transaction for a customer's
 * events — yet every event keeps its own answer: a neighbour's duplicate, refusal or a
 * conflict with another writer never changes it.
 */
describe('Function: recordInteractions, batched per customer (DynamoDB Local)', () => {
  let store: TestStore;
  const now = new Date('2026-11-20T12:00:00.000Z');

  const context = (hooks: FactHooks = {}): ServiceContext => adminServiceContext(store, now, hooks);

  async function newCustomer() {
    const customer = makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com` });
    await store.repos.customers.create(customer);
    return customer;
  }

  const event = (customerId: string, overrides: Partial<InteractionInput> = {}): InteractionInput => ({
    customerId: toGlobalId('Customer', customerId),
    sourceSystem: 'web',
    sourceEventId: `e-${newId()}`,
    channel: 'WEB',
    type: 'PAGE_VIEW',
    modelLine: 'TAYCAN',
    topic: 'electric',
    occurredAt: '2026-11-19T10:00:00.000Z',
    ...overrides,
  });

  /** Runs `act` with a middleware on the store's client for its duration. */
  type Middleware = (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>;
  async function withMiddleware<T>(name: string, middleware: Middleware, act: () => Promise<T>): Promise<T> {
    store.doc.middlewareStack.add(middleware as never, { step: 'initialize', name });
    try {
      return await act();
    } finally {
      store.doc.middlewareStack.remove(name);
    }
  }

  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  it('accepts two events of one customer in one batch and counts both on the profile', async () => {
    // Prepare
    const customer = await newCustomer();

    // Act
    const result = await recordInteractions(context(), { events: [event(customer.id), event(customer.id, { channel: 'APP', occurredAt: '2026-11-19T11:00:00.000Z' })] });

    // Assess
    expect(result.results.map((r) => r.outcome)).toEqual(['ACCEPTED', 'ACCEPTED']);
    const { aggregates } = (await store.repos.customers.get(customer.id))!;
    expect(aggregates.interestCounts).toEqual({ 'TAYCAN|electric': 2 });
    expect(aggregates.interestLast).toEqual({ 'TAYCAN|electric': '2026-11-19T11:00:00.000Z' });
    expect(aggregates.channels).toEqual({ WEB: 1, APP: 1 });
    expect((await store.repos.facts.interactionsOf(customer.id, 10)).items).toHaveLength(2);
  });

  it('answers a re-sent event DUPLICATE and accepts its neighbours of the same customer', async () => {
    // Prepare
    const customer = await newCustomer();
    const sent = event(customer.id);
    await recordInteractions(context(), { events: [sent] });

    // Act
    const result = await recordInteractions(context(), { events: [event(customer.id), sent, event(customer.id)] });

    // Assess
    expect(result).toMatchObject({ accepted: 2, duplicates: 1, rejected: 0 });
    expect(result.results.map((r) => r.outcome)).toEqual(['ACCEPTED', 'DUPLICATE', 'ACCEPTED']);
    expect((await store.repos.customers.get(customer.id))!.aggregates.interestCounts).toEqual({ 'TAYCAN|electric': 3 });
  });

  it('answers DUPLICATE for an event stored by another writer between the check and the write, and accepts its neighbours', async () => {
    // Prepare: right after the batch looks its source events up (its second read, after the
    // customers'), another writer stores the second one
    const customer = await newCustomer();
    const events = [event(customer.id), event(customer.id), event(customer.id)];
    const raced: InteractionRecord = { id: newId(), customerId: customer.id, sourceTenant: 'BRAND', sourceSystem: 'web', sourceEventId: events[1]!.sourceEventId, channel: 'WEB', type: 'PAGE_VIEW', occurredAt: events[1]!.occurredAt, recordedAt: now.toISOString() };
    let reads = 0;
    let raceDone = false;

    // Act
    const result = await withMiddleware(
      'racer',
      (next, ctx) => async (args) => {
        const output = await next(args);
        if (ctx.commandName === 'BatchGetItemCommand' && ++reads === 2) {
          raceDone = true;
          await store.doc.send(new PutCommand({ TableName: store.tableName, Item: sourceEventItem(raced) }));
        }
        return output;
      },
      () => recordInteractions(context(), { events }),
    );

    // Assess: the dedup Put failed inside the customer's transaction; only that event is a duplicate
    expect(raceDone).toBe(true);
    expect(result.results.map((r) => r.outcome)).toEqual(['ACCEPTED', 'DUPLICATE', 'ACCEPTED']);
    expect((await store.repos.customers.get(customer.id))!.aggregates.interestCounts).toEqual({ 'TAYCAN|electric': 2 });
  });

  it('stores a source event sent twice in one batch once, the second answered DUPLICATE', async () => {
    // Prepare
    const customer = await newCustomer();
    const twice = event(customer.id);

    // Act
    const result = await recordInteractions(context(), { events: [twice, event(customer.id), twice] });

    // Assess
    expect(result.results.map((r) => r.outcome)).toEqual(['ACCEPTED', 'ACCEPTED', 'DUPLICATE']);
    expect((await store.repos.facts.interactionsOf(customer.id, 10)).items).toHaveLength(2);
  });

  it("refuses only the event a hook refuses, accepting the customer's other events", async () => {
    // Prepare: a domain that refuses interactions on the topic 'refused', explaining itself
    const customer = await newCustomer();
    const refusing: FactHooks = {
      InteractionRecorded: ({ interaction }, s) =>
        interaction.topic === 'refused'
          ? [{ item: { ConditionCheck: { TableName: s.tableName, Key: { PK: 'NOWHERE', SK: 'NOWHERE' }, ConditionExpression: 'attribute_exists(PK)' } }, explainFailure: async () => ({ code: 'LIMIT_REACHED' as const, message: 'No more of those.' }) }]
          : [],
    };

    // Act
    const result = await recordInteractions(context(refusing), { events: [event(customer.id), event(customer.id, { topic: 'refused' }), event(customer.id)] });

    // Assess
    expect(result.results).toEqual([
      { index: 0, outcome: 'ACCEPTED', userErrors: [] },
      { index: 1, outcome: 'REJECTED', userErrors: [expect.objectContaining({ field: ['input', 'events', '1', 'customerId'], code: 'LIMIT_REACHED' })] },
      { index: 2, outcome: 'ACCEPTED', userErrors: [] },
    ]);
    expect((await store.repos.customers.get(customer.id))!.aggregates.interestCounts).toEqual({ 'TAYCAN|electric': 2 });
  });

  it('writes again after a transaction conflict instead of answering that the customer does not exist', async () => {
    // Prepare: the first transaction loses to a concurrent one, as two writers on one profile do in DynamoDB
    const customer = await newCustomer();
    let conflicts = 0;

    // Act
    const result = await withMiddleware(
      'conflict',
      (next, ctx) => async (args) => {
        if (ctx.commandName === 'TransactWriteItemsCommand' && conflicts++ === 0) {
          const items = (args.input as { TransactItems: unknown[] }).TransactItems;
          throw new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: items.map((_, i) => ({ Code: i === 0 ? 'TransactionConflict' : 'None' })) });
        }
        return next(args);
      },
      () => recordInteractions(context(), { events: [event(customer.id), event(customer.id)] }),
    );

    // Assess
    expect(conflicts).toBe(2);
    expect(result.results.map((r) => r.outcome)).toEqual(['ACCEPTED', 'ACCEPTED']);
  });

  it('answers NOT_FOUND for the events of a customer whose profile is gone, accepting the other customers', async () => {
    // Prepare: a customer readable when checked but deleted before the write
    const kept = await newCustomer();
    const gone = await newCustomer();
    let deleted = false;

    // Act
    const result = await withMiddleware(
      'deleter',
      (next, ctx) => async (args) => {
        const output = await next(args);
        if (ctx.commandName === 'BatchGetItemCommand' && !deleted) {
          deleted = true;
          await store.doc.send(new DeleteCommand({ TableName: store.tableName, Key: customerKeys.profile(gone.id) }));
        }
        return output;
      },
      () => recordInteractions(context(), { events: [event(gone.id), event(kept.id), event(gone.id)] }),
    );

    // Assess
    expect(result.results.map((r) => r.outcome)).toEqual(['REJECTED', 'ACCEPTED', 'REJECTED']);
    expect(result.results[0]!.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
  });

  it('records 100 events of 10 customers in a bounded number of requests (one per event and more before batching)', async () => {
    // Prepare
    const customers = await Promise.all(Array.from({ length: 10 }, () => newCustomer()));
    const events = Array.from({ length: 100 }, (_, i) => event(customers[i % 10]!.id, { topic: `topic ${i % 7}`, channel: i % 2 ? 'WEB' : 'APP' }));
    const counter = countRequests(store.doc);

    // Act
    counter.reset();
    const result = await recordInteractions(context(), { events });

    // Assess: the customers' read, the source events' read, the offer books' read (one for
    // every hook of the batch: what each event may convert), one transaction per customer
    // (was 200: a read and a transaction per event)
    expect(result).toMatchObject({ accepted: 100, rejected: 0 });
    expect(counter.tally().byOperation).toEqual({ BatchGetItem: 3, TransactWriteItems: 10 });
    expect(counter.tally().requests).toBeLessThanOrEqual(13);
    for (const c of customers) expect(Object.values((await store.repos.customers.get(c.id))!.aggregates.channels).reduce((a, b) => a + b, 0)).toBe(10);
  });
});
