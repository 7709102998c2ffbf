import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyKeys } from '../../src/dealer/api-key-record.js';
import { generateApiKey, hashApiKey } from '../../src/auth/api-key.js';
import { makeDealer } from '../../src/dealer/dealer.js';
import { newId } from '../../src/shared/ids.js';
import { createTestStore, type TestStore } from '../support/store.js';

describe('Class: DealerRepository (DynamoDB Local)', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  it('gives each dealer code to one dealer', async () => {
    expect(await store.repos.dealers.create(makeDealer({ id: newId(), code: 'DE-DUP-01' }))).toBe('CREATED');
    expect(await store.repos.dealers.create(makeDealer({ id: newId(), code: 'DE-DUP-01' }))).toBe('CODE_TAKEN');
    expect((await store.repos.dealers.list(10)).items.filter((d) => d.code === 'DE-DUP-01')).toHaveLength(1);
  });

  it('stores only the hash of a key, finds it by hash, and revokes lookup and record together', async () => {
    // Prepare
    const dealer = makeDealer({ id: newId(), code: 'DE-KEY-01' });
    await store.repos.dealers.create(dealer);
    const secret = generateApiKey();
    const record = { id: newId(), dealerId: dealer.id, name: 'DMS', prefix: secret.slice(0, 10), keyHash: hashApiKey(secret), scopes: ['customers:read' as const], createdAt: '2026-11-21T00:00:00.000Z' };
    // Act
    expect(await store.repos.dealers.issueApiKey(record)).toBe('ISSUED');
    // Assess: the secret is nowhere in the table
    const lookup = await store.doc.send(new GetCommand({ TableName: store.tableName, Key: apiKeyKeys.lookup(record.keyHash) }));
    expect(JSON.stringify(lookup.Item)).not.toContain(secret);
    expect(await store.repos.dealers.findApiKeyByHash(hashApiKey(secret))).toMatchObject({ id: record.id, dealerId: dealer.id, scopes: ['customers:read'] });
    const revoked = await store.repos.dealers.revokeApiKey(record, '2026-11-21T12:00:00.000Z');
    await store.repos.dealers.revokeApiKey(revoked, '2026-11-21T13:00:00.000Z');
    expect((await store.repos.dealers.findApiKeyByHash(record.keyHash))?.revokedAt).toBe('2026-11-21T12:00:00.000Z');
    expect((await store.repos.dealers.apiKeysOf(dealer.id)).map((k) => k.revokedAt)).toEqual(['2026-11-21T12:00:00.000Z']);
  });

  it('refuses a key for a dealer that does not exist', async () => {
    const secret = generateApiKey();
    expect(await store.repos.dealers.issueApiKey({ id: newId(), dealerId: 'NOPE', name: 'x', prefix: 'x', keyHash: hashApiKey(secret), scopes: [], createdAt: 'x' })).toBe('DEALER_NOT_FOUND');
    expect(await store.repos.dealers.findApiKeyByHash(hashApiKey(secret))).toBeNull();
  });
});
