import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What the counter saw since its last reset. */
export interface RequestTally {
  requests: number;
  byOperation: Record<string, number>;
  /** Response bodies as DynamoDB sent them (its JSON, from `content-length`). */
  bytesRead: number;
  /**
   * Sequential rounds: a request is one round deeper than the deepest request that had
   * already answered when it was sent. Requests sent together (one DataLoader batch, one
   * `Promise.all`) share a round; a request per resolution tick adds one each time.
   */
  waves: number;
}

/**
 * Counts every request a document client sends (by operation), the bytes of the answers
 * and the rounds they came in — a middleware on the real client, so tests and the bench
 * see what DynamoDB (Local) sees. Counts are deterministic for a given data set; times are not.
 *
 * @example
 * const counter = countRequests(store.doc); counter.reset(); await api.call(q); counter.tally().requests
 */
export function countRequests(doc: DynamoDBDocumentClient) {
  let tally: RequestTally = { requests: 0, byOperation: {}, bytesRead: 0, waves: 0 };
  let answeredDepth = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      tally.requests++;
      tally.byOperation[operation] = (tally.byOperation[operation] ?? 0) + 1;
      const depth = answeredDepth + 1;
      tally.waves = Math.max(tally.waves, depth);
      try {
        const result = await next(args);
        const response = (result as { response?: { headers?: Record<string, string> } }).response;
        tally.bytesRead += Number(response?.headers?.['content-length'] ?? 0);
        return result;
      } finally {
        answeredDepth = Math.max(answeredDepth, depth);
      }
    },
    { step: 'initialize', name: 'requestCounter', override: true },
  );
  return {
    reset() {
      tally = { requests: 0, byOperation: {}, bytesRead: 0, waves: 0 };
      answeredDepth = 0;
    },
    tally: (): RequestTally => ({ ...tally, byOperation: { ...tally.byOperation } }),
  };
}
