import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readScoresCoordinatorConfig, type ScoresCoordinatorConfig } from '../config.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { PaddockError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { scoresRunFor } from '../value/scores-job.js';
import { scheduledTime } from './job-invocation.js';
import { segmentMessages } from './scores-messages.js';

/**
 * Starts a nightly scores run (EventBridge Scheduler, input `{"now": "<aws.scheduler.scheduled-time>"}`):
 * one SQS message per parallel-scan segment, so each worker Lambda handles one segment
 * and a million customers never depend on one function's 15 minutes.
 */

/** SQS takes at most 10 entries per SendMessageBatch call. */
const SQS_BATCH_ENTRIES = 10;

/** Some segments could not be queued; the invocation fails, and its async retry queues the run again (workers skip finished segments). */
export class SegmentsNotQueuedError extends PaddockError {
  constructor(runId: string, failed: number) {
    super(`Could not queue ${failed} segments of ${runId}`);
    this.name = 'SegmentsNotQueuedError';
  }
}

/**
 * The coordinator's handler, with its client injected: tests hand in an SQS client that
 * never reaches the network; Lambda gets the default one, built once per cold start.
 *
 * @example
 * const handler = createScoresCoordinator(readScoresCoordinatorConfig(process.env));
 */
export function createScoresCoordinator(
  config: ScoresCoordinatorConfig,
  { sqs = new SQSClient({ region: config.region }), logger = createLogger({ service: 'paddock-scores-coordinator' }, { level: config.logLevel }), clock = systemClock }: { sqs?: SQSClient; logger?: Logger; clock?: Clock } = {},
) {
  return async (event: { now?: string } = {}): Promise<{ runId: string; segments: number }> => {
    const run = scoresRunFor(scheduledTime(event.now, clock), config.totalSegments);
    const messages = segmentMessages(run);
    for (let first = 0; first < messages.length; first += SQS_BATCH_ENTRIES) {
      const entries = messages.slice(first, first + SQS_BATCH_ENTRIES).map((message) => ({ Id: String(message.segment), MessageBody: JSON.stringify(message) }));
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: config.queueUrl, Entries: entries }));
      if (result.Failed?.length) throw new SegmentsNotQueuedError(run.runId, result.Failed.length);
    }
    logger.info('scores run queued', { runId: run.runId, segments: messages.length });
    return { runId: run.runId, segments: messages.length };
  };
}

// A bad SCORES_SEGMENTS or queue URL fails the cold start, not a run that queues nothing.
export const handler = createScoresCoordinator(readScoresCoordinatorConfig(process.env));
