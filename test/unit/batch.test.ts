import { describe, expect, it, vi } from 'vitest';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetItems, batchPutItems, itemMapKey } from '../../src/store/batch.js';

/** Fault injection: a client whose BatchGet/BatchWrite leave part of each request unprocessed. */
function flakyClient() {
  const sent: { keys?: number; writes?: number }[] = [];
  const send = vi.fn(async (command: { input: { RequestItems: Record<string, { Keys?: { PK: string; SK: string }[] } | unknown[]> } }) => {
    const request = command.input.RequestItems.t!;
    if (Array.isArray(request)) {
      sent.push({ writes: request.length });
      // Leave the last item unprocessed while more than one is sent.
      return { UnprocessedItems: request.length > 1 ? { t: request.slice(-1) } : {} };
    }
    const keys = (request as { Keys: { PK: string; SK: string }[] }).Keys;
    sent.push({ keys: keys.length });
    const [processed, unprocessed] = keys.length > 1 ? [keys.slice(0, -1), keys.slice(-1)] : [keys, []];
    return { Responses: { t: processed.map((k) => ({ ...k, value: k.PK })) }, UnprocessedKeys: unprocessed.length ? { t: { Keys: unprocessed } } : {} };
  });
  return { doc: { send } as unknown as DynamoDBDocumentClient, sent };
}

describe('Function: batchGetItems', () => {
  it('asks at most 100 keys per call, retries unprocessed keys and finds every item once', async () => {
    const { doc, sent } = flakyClient();
    const keys = Array.from({ length: 150 }, (_, i) => ({ PK: `CUST#${i}`, SK: 'PROFILE' }));
    const found = await batchGetItems(doc, 't', [...keys, keys[0]!]);
    expect(found.size).toBe(150);
    expect(found.get(itemMapKey(keys[149]!))?.value).toBe('CUST#149');
    expect(sent.every((s) => (s.keys ?? 0) <= 100)).toBe(true);
    expect(sent.map((s) => s.keys)).toEqual([100, 1, 50, 1]);
  });
});

describe('Function: batchPutItems', () => {
  it('writes 25 items per call and retries unprocessed items', async () => {
    const { doc, sent } = flakyClient();
    await batchPutItems(doc, 't', Array.from({ length: 30 }, (_, i) => ({ PK: `X#${i}`, SK: 'X' })));
    expect(sent.map((s) => s.writes)).toEqual([25, 1, 5, 1]);
  });
});
