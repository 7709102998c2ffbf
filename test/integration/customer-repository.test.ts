import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerKeys, makeCustomer } from '../../src/customer/customer.js';
import { makeDealer } from '../../src/dealer/dealer.js';
import { newId } from '../../src/shared/ids.js';
import { createTestStore, type TestStore } from '../support/store.js';

describe('Class: CustomerRepository (DynamoDB Local)', () => {
  let store: TestStore;
  const dealer = makeDealer({ id: newId(), code: 'DE-INT-01' });

  beforeAll(async () => {
    store = await createTestStore();
    await store.repos.dealers.create(dealer);
  });
  afterAll(() => store.drop());

  const fresh = (overrides = {}) => makeCustomer({ id: newId(), email: `${newId().toLowerCase()}@example.com`, ...overrides });

  it('creates a profile with its email claim and, for a dealer, its link — all together', async () => {
    // Prepare
    const customer = fresh();
    // Act
    expect(await store.repos.customers.create(customer, dealer.id)).toBe('CREATED');
    // Assess
    const stored = await store.repos.customers.get(customer.id);
    expect(stored?.dealerIds).toEqual([dealer.id]);
    const claim = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: customerKeys.emailClaim(customer.email) }));
    expect(claim.Item?.customerId).toBe(customer.id);
    const page = await store.repos.customers.customerIdsOfDealer(dealer.id, 10);
    expect(page.items).toContain(customer.id);
  });

  it('writes nothing when the email is taken or the dealer does not exist', async () => {
    const first = fresh();
    await store.repos.customers.create(first);
    const duplicate = fresh({ email: first.email });
    expect(await store.repos.customers.create(duplicate)).toBe('EMAIL_TAKEN');
    expect(await store.repos.customers.get(duplicate.id)).toBeNull();
    const orphan = fresh();
    expect(await store.repos.customers.create(orphan, 'NO-SUCH-DEALER')).toBe('DEALER_NOT_FOUND');
    expect(await store.repos.customers.get(orphan.id)).toBeNull();
    const claim = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: customerKeys.emailClaim(orphan.email) }));
    expect(claim.Item).toBeUndefined();
  });

  it('updates only at the expected version, keeping the search text and sort key in step', async () => {
    const customer = fresh({ lastName: 'Alt' });
    await store.repos.customers.create(customer);
    expect(await store.repos.customers.update(customer, 1, { lastName: 'Neu' }, '2026-11-21T10:00:00.000Z')).toBe('UPDATED');
    expect(await store.repos.customers.update(customer, 1, { lastName: 'Stale' }, '2026-11-21T10:00:01.000Z')).toBe('STALE_VERSION');
    const raw = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: customerKeys.profile(customer.id) }));
    expect(raw.Item).toMatchObject({ lastName: 'Neu', version: 2, GSI2SK: `neu#anna#${customer.id}`, searchText: `anna neu ${customer.email}` });
    const found = await store.repos.customers.list(10, null, { search: 'neu' });
    expect(found.items.map((c) => c.id)).toContain(customer.id);
  });

  it('keeps the first linkedAt when a link is made twice, and refuses links to unknown parties', async () => {
    const customer = fresh();
    await store.repos.customers.create(customer);
    expect(await store.repos.customers.linkToDealer(customer.id, dealer.id, '2026-01-01T00:00:00.000Z')).toBe('LINKED');
    expect(await store.repos.customers.linkToDealer(customer.id, dealer.id, '2026-06-01T00:00:00.000Z')).toBe('LINKED');
    const link = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: customerKeys.dealerLink(customer.id, dealer.id) }));
    expect(link.Item?.linkedAt).toBe('2026-01-01T00:00:00.000Z');
    expect((await store.repos.customers.get(customer.id))?.dealerIds).toEqual([dealer.id]);
    expect(await store.repos.customers.linkToDealer('NOPE', dealer.id, '2026-01-01T00:00:00.000Z')).toBe('CUSTOMER_NOT_FOUND');
    expect(await store.repos.customers.linkToDealer(customer.id, 'NOPE', '2026-01-01T00:00:00.000Z')).toBe('DEALER_NOT_FOUND');
  });

  it('loads many profiles in one batch and leaves unknown ids out', async () => {
    const a = fresh();
    const b = fresh();
    await store.repos.customers.create(a);
    await store.repos.customers.create(b);
    const found = await store.repos.customers.getMany([a.id, 'UNKNOWN', b.id]);
    expect([...found.keys()].sort()).toEqual([a.id, b.id].sort());
  });
});
