import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchPutItems } from '../../src/store/batch.js';
import { MAX_READS_PER_PAGE, queryPage } from '../../src/store/query-page.js';
import type { Item } from '../../src/store/table.js';
import { createTestStore, type TestStore } from '../support/store.js';

/**
 * A filtered list reads until `first` items match. A filter that matches little must not
 * turn one request into a read of the whole partition.
 */
describe('Function: queryPage (DynamoDB Local)', () => {
  let store: TestStore;
  const partition = 'BUDGET#1';
  // More non-matching items than one page's read budget can evaluate (5 reads × 200), then one match.
  const total = MAX_READS_PER_PAGE * 200 + 50;

  beforeAll(async () => {
    store = await createTestStore();
    const items: Item[] = Array.from({ length: total }, (_, i) => ({ PK: partition, SK: `ITEM#${String(i).padStart(5, '0')}`, entityType: 'Probe', colour: i === total - 1 ? 'red' : 'grey' }));
    await batchPutItems(store.doc, store.tableName, items);
  });
  afterAll(() => store.drop());

  const red = { expression: '#colour = :red', names: { '#colour': 'colour' }, values: { ':red': 'red' } };

  it('stops after its read budget with what it found, hasNextPage and a cursor where reading stopped; the next page finds the rest', async () => {
    // Prepare: count the DynamoDB calls the page makes
    let calls = 0;
    store.doc.middlewareStack.add((next) => async (args) => (calls++, next(args)), { step: 'initialize', name: 'countCalls' });

    // Act
    const first = await queryPage(store.doc, store.tableName, { partition, sortKeyPrefix: 'ITEM#', first: 1, filter: red });
    const callsForFirst = calls;
    const second = await queryPage(store.doc, store.tableName, { partition, sortKeyPrefix: 'ITEM#', first: 1, filter: red, after: first.endCursor });

    // Assess
    expect(callsForFirst).toBe(MAX_READS_PER_PAGE);
    expect(first).toMatchObject({ items: [], hasNextPage: true });
    expect(first.endCursor).toEqual(expect.any(String));
    expect(second.items.map((i) => i.SK)).toEqual([`ITEM#${String(total - 1).padStart(5, '0')}`]);
    expect(second.hasNextPage).toBe(false);
  });
});
