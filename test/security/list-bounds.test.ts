import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SEARCH_LENGTH } from '../../src/customer/customer-listing.js';
import { MAX_LISTED_API_KEYS } from '../../src/dealer/dealer-repository.js';
import { MAX_OWNERSHIPS, vehicleKeys } from '../../src/vehicle/vehicle.js';
import { createTestApi, type TestApi } from '../support/api.js';
import { createCustomer, createDealer, issueKey, registerVehicle } from '../support/fixtures.js';

/**
 * Lists that a caller can grow or ask about without end: the owner history on a vehicle
 * item (a car transferred back and forth), a customer search needle, a dealer's keys.
 */
describe('Lambda handler: bounded lists outside the customer profile', () => {
  let api: TestApi;
  let dealer: { id: string };
  let key: Record<string, string>;
  const now = new Date('2026-11-25T10:00:00Z');

  beforeAll(async () => {
    api = await createTestApi({ clock: () => now });
    dealer = await createDealer(api, 'DE-LST-A');
    key = { 'x-api-key': (await issueKey(api, dealer.id)).secret };
  });
  afterAll(() => api.close());

  it(`refuses a transfer once a vehicle has had ${MAX_OWNERSHIPS} owners, with LIMIT_REACHED and the car unchanged`, async () => {
    // Prepare: a car whose history is already at the cap (as if transferred back and forth)
    const ann = await createCustomer(api, key);
    const bob = await createCustomer(api, key);
    const { vin } = await registerVehicle(api, key, { ownerId: ann.id, sellingDealerId: dealer.id });
    const annId = Buffer.from(ann.id, 'base64url').toString().split(':')[1]!;
    const history = Array.from({ length: MAX_OWNERSHIPS }, (_, i) => (i === MAX_OWNERSHIPS - 1 ? { customerId: annId, from: '2026-01-01' } : { customerId: annId, from: '2025-01-01', to: '2025-01-01' }));
    const itemKey = vehicleKeys.vehicle(vin);
    await api.store.doc.send(new UpdateCommand({ TableName: api.store.tableName, Key: itemKey, UpdateExpression: 'SET ownerHistory = :h', ExpressionAttributeValues: { ':h': history } }));
    const before = (await api.store.doc.send(new GetCommand({ TableName: api.store.tableName, Key: itemKey, ConsistentRead: true }))).Item;

    // Act
    const res = await api.call(
      `mutation($input: TransferVehicleInput!) { transferVehicle(input: $input) { vehicle { vin } userErrors { field code } } }`,
      { input: { vin, newOwnerId: bob.id, transferDate: '2026-11-20' } },
      key,
    );

    // Assess
    expect(res.errors).toBeUndefined();
    expect(res.data?.transferVehicle).toEqual({ vehicle: null, userErrors: [{ field: ['input', 'vin'], code: 'LIMIT_REACHED' }] });
    const after = (await api.store.doc.send(new GetCommand({ TableName: api.store.tableName, Key: itemKey, ConsistentRead: true }))).Item;
    expect(after).toEqual(before);
  });

  it('refuses a search needle longer than any name and email, as a user error', async () => {
    const res = await api.call(`query($s: String!) { customers(first: 5, filter: { search: $s }) { edges { cursor } } }`, { s: 'x'.repeat(MAX_SEARCH_LENGTH + 1) }, api.bearer('admin'));
    expect(res.data?.customers ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const fine = await api.call(`query($s: String!) { customers(first: 5, filter: { search: $s }) { edges { cursor } } }`, { s: 'x'.repeat(MAX_SEARCH_LENGTH) }, api.bearer('admin'));
    expect(fine.errors).toBeUndefined();
  });

  it(`lists a dealer's ${MAX_LISTED_API_KEYS} newest keys, however many were issued`, async () => {
    // Prepare
    const other = await createDealer(api, 'DE-LST-B');
    const issued: string[] = [];
    for (let i = 0; i < MAX_LISTED_API_KEYS + 2; i++) issued.push((await issueKey(api, other.id)).id);

    // Act
    const res = await api.call(`query($id: ID!) { node(id: $id) { ... on Dealer { apiKeys { id } } } }`, { id: other.id }, api.bearer('admin'));

    // Assess: the newest first, the two oldest left out
    expect(res.errors).toBeUndefined();
    expect(res.data?.node.apiKeys.map((k: { id: string }) => k.id)).toEqual(issued.slice(2).reverse());
  });
});
