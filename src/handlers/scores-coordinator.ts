import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PaddockError } from '../shared/errors.js';
import { createLogger } from '../shared/logger.js';
import { scoresRunFor } from '../value/scores-job.js';

/**
 * Starts a nightly scores run (EventBridge Scheduler, input `{"now": "<aws.scheduler.scheduled-time>"}`):
 * one SQS message per parallel-scan segment, so each worker Lambda handles one segment
 * and a million customers never depend on one function's 15 minutes.
 */
function requiredEnv(key: string): string {
  const value = process.env[key]?.trim();
  if (!value) throw new PaddockError(`Missing required environment variable ${key}`);
  return value;
}

const queueUrl = requiredEnv('SCORES_QUEUE_URL');
const totalSegments = Number(requiredEnv('SCORES_SEGMENTS'));
const sqs = new SQSClient({});
const logger = createLogger({ service: 'paddock-scores-coordinator' });

export async function handler(event: { now?: string } = {}): Promise<{ runId: string; segments: number }> {
  const now = event.now ? new Date(event.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new PaddockError(`Invalid "now" in the job input: ${event.now}`);
  const run = scoresRunFor(now, totalSegments);
  for (let first = 0; first < totalSegments; first += 10) {
    const entries = Array.from({ length: Math.min(10, totalSegments - first) }, (_, i) => ({
      Id: String(first + i),
      MessageBody: JSON.stringify({ runId: run.runId, now: now.toISOString(), totalSegments, segment: first + i }),
    }));
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    if (result.Failed?.length) throw new PaddockError(`Could not queue ${result.Failed.length} segments of ${run.runId}`);
  }
  logger.info('scores run queued', { runId: run.runId, segments: totalSegments });
  return { runId: run.runId, segments: totalSegments };
}
