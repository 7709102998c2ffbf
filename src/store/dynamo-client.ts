import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * How a process talks to DynamoDB when it is slow or gone.
 *
 * - `api`: a GraphQL request has a caller waiting and a 15 s Lambda timeout (29 s at API
 *   Gateway). Fail fast: a single DynamoDB call answers in milliseconds, so a call still
 *   silent after 2 s is stuck, and three attempts (≈ 6.5 s worst case with backoff) are
 *   all a request can afford. The caller gets a masked fault and may retry.
 * - `job`: jobs checkpoint and resume, and a throttled table is their normal weather.
 *   Be patient: longer timeouts, more attempts, and adaptive retry (client-side rate
 *   limiting once DynamoDB throttles) so a run slows down instead of failing.
 *
 * Both use the SDK's retry quota (a token bucket), so a dead engine does not multiply
 * every call into a retry storm.
 */
export type ClientProfile = 'api' | 'job';

export interface ClientSettings {
  /** Time to establish the TCP/TLS connection. */
  connectionTimeoutMs: number;
  /** Time for one attempt from request sent to response received. */
  requestTimeoutMs: number;
  /** Attempts per call, the first included. */
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
}

export const CLIENT_PROFILES: Readonly<Record<ClientProfile, ClientSettings>> = {
  api: { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 3, retryMode: 'standard' },
  job: { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000, maxAttempts: 10, retryMode: 'adaptive' },
};

export interface DynamoClientOptions {
  /** Set for DynamoDB Local; absent in AWS, where the SDK finds the regional endpoint. */
  endpoint?: string;
  region: string;
  /** Defaults to `job`: only the API, which has a caller waiting, opts into failing fast. */
  profile?: ClientProfile;
  /** Replaces single settings of the profile (tests use it to keep fault scenarios short). */
  settings?: Partial<ClientSettings>;
}

/**
 * One document client per process (module-level in handlers), injected everywhere else.
 * Local endpoints get static dummy credentials: DynamoDB Local accepts any, and the
 * SDK must never look for real ones on a developer's machine.
 *
 * @example
 * const doc = createDocumentClient({ region: 'eu-central-1', profile: 'api' });
 */
export function createDocumentClient({ endpoint, region, profile = 'job', settings }: DynamoClientOptions): DynamoDBDocumentClient {
  const s = { ...CLIENT_PROFILES[profile], ...settings };
  const client = new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: s.maxAttempts,
    retryMode: s.retryMode,
    // Without these the SDK waits as long as the socket lives: a frozen engine held an
    // API request for 20 s, and in AWS only the Lambda timeout would have cut it.
    requestHandler: { connectionTimeout: s.connectionTimeoutMs, requestTimeout: s.requestTimeoutMs, throwOnRequestTimeout: true },
  });
  // Paddock gives the SDK no logger, yet its logger middleware still runs the "filter
  // sensitive data" walk over every request and response to build a line the no-op logger
  // drops: about 7 % of the API's CPU on a page of customers. With no logger, drop it.
  client.middlewareStack.remove('loggerMiddleware');
  // No SDK logger is ever set (Paddock logs its own lines), yet the SDK's logger middleware
  // ran its sensitive-data filter over every response for the no-op logger: a walk of each
  // answer, ≈ 7 % of server CPU on a page of customers. Without a logger there is nothing to filter for.
  client.middlewareStack.remove('loggerMiddleware');
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
