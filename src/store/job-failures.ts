import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { joinKey } from './key-part.js';
import type { Store } from './store.js';
import { ENTITY_TYPE_ATTRIBUTE, TTL_ATTRIBUTE, type Key } from './table.js';

/**
 * Poison records of scheduled jobs: one customer or car a job could not process (its item
 * is malformed, or too large for DynamoDB to take one more attribute). A job skips it,
 * counts it, logs it with its key and writes it here, and the run completes for everyone
 * else. An operator lists a run's failures with `npm run job:failures -- --job <job>
 * --run <runId>` (the run id is in the job's log and summary). Kept 30 days.
 */
export interface JobFailure {
  job: string;
  runId: string;
  /** The key of the item that could not be processed. */
  key: Key;
  /** The error's name, e.g. `ValidationException` or `TypeError`. */
  error: string;
  message: string;
  at: string;
}

const RETENTION_SECONDS = 30 * 24 * 3600;
const ENTITY = 'JobFailure';

export const jobFailureKeys = {
  run: (job: string, runId: string) => joinKey('JOBFAILURE', job, runId),
  /** One item per failed record and run: a redelivered worker finding it again overwrites, never doubles. */
  failure: (job: string, runId: string, key: Key): Key => ({ PK: jobFailureKeys.run(job, runId), SK: joinKey('ITEM', key.PK, key.SK) }),
};

/**
 * Whether a write failed because of the record itself — DynamoDB refused the item
 * (`ValidationException`, e.g. over 400 KB, or a transaction cancelled for that reason) —
 * rather than a fault worth retrying the whole run for (throttling, network, timeouts).
 */
export function isRecordRejected(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ValidationException') return true;
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ValidationError');
}

export class JobFailureLog {
  constructor(private readonly store: Store) {}

  async record(job: string, runId: string, key: Key, error: unknown, now: Date): Promise<JobFailure> {
    const failure: JobFailure = {
      job,
      runId,
      key: { PK: key.PK, SK: key.SK },
      error: error instanceof Error ? error.name : typeof error,
      // The message is for the operator; it is cut short so a failure item is itself bounded.
      message: (error instanceof Error ? error.message : String(error)).slice(0, 500),
      at: now.toISOString(),
    };
    await this.store.doc.send(
      new PutCommand({
        TableName: this.store.tableName,
        Item: { ...jobFailureKeys.failure(job, runId, key), [ENTITY_TYPE_ATTRIBUTE]: ENTITY, ...failure, [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + RETENTION_SECONDS },
      }),
    );
    return failure;
  }

  /** Every failure of one run (a run has few; a page of 1 MB holds thousands). */
  async list(job: string, runId: string): Promise<JobFailure[]> {
    const failures: JobFailure[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.store.doc.send(
        new QueryCommand({
          TableName: this.store.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': jobFailureKeys.run(job, runId) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) failures.push({ job: item.job, runId: item.runId, key: item.key, error: item.error, message: item.message, at: item.at });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return failures;
  }
}
