import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SegmentCoordinatorConfig } from '../config.js';
import type { Clock } from '../shared/clock.js';
import { PaddockError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { emitJobCounts } from '../shared/metrics.js';
import { InvalidJobInputError, scheduledTime, stopsBeforeTimeout } from './job-invocation.js';

/**
 * The fan-out of a nightly job over parallel-scan segments (the scores job, the offers
 * job), in one place: a coordinator Lambda queues one SQS message per segment of a run,
 * and each worker Lambda invocation works one segment, so a million customers never
 * depend on one function's 15 minutes. The message format is written and read only here,
 * so both sides agree; each job supplies its name, how a run follows from its scheduled
 * time, and the work of one segment.
 */

/** What every fanned-out run has: its id (a checkpoint namespace), its time and its segments. */
export interface SegmentRun {
  runId: string;
  now: Date;
  totalSegments: number;
}

/** A fanned-out job: its name (logs, metrics, job failures) and the run of a scheduled time. */
export interface SegmentJob<R extends SegmentRun> {
  name: string;
  runFor: (now: Date, totalSegments: number) => R;
}

/** How many times SQS has delivered a segment's message (the worker logs it as a metric, dimension `Job`; the stack alarms before the DLQ). */
export const SEGMENT_RECEIVES_METRIC = 'SegmentReceives';

/** SQS takes at most 10 entries per SendMessageBatch call. */
const SQS_BATCH_ENTRIES = 10;

interface SegmentMessage {
  runId: string;
  /** The run's scheduled time, ISO 8601. */
  now: string;
  totalSegments: number;
  segment: number;
}

export function segmentMessages(run: SegmentRun): SegmentMessage[] {
  return Array.from({ length: run.totalSegments }, (_, segment) => ({ runId: run.runId, now: run.now.toISOString(), totalSegments: run.totalSegments, segment }));
}

/**
 * A body that is not a segment of one of the job's runs is refused whole, so it ends in
 * the dead-letter queue instead of working a wrong segment. The run is rebuilt from the
 * message's time (`job.runFor`) and must carry the id the message names.
 */
export function parseSegmentMessage<R extends SegmentRun>(job: SegmentJob<R>, body: string): { run: R; segment: number } {
  let message: Partial<SegmentMessage>;
  try {
    message = JSON.parse(body) as Partial<SegmentMessage>;
  } catch {
    throw new InvalidJobInputError(`A message of the ${job.name} job is not JSON`);
  }
  const now = new Date(String(message?.now));
  const { runId, totalSegments, segment } = message ?? {};
  if (typeof runId !== 'string' || Number.isNaN(now.getTime()) || !Number.isInteger(totalSegments) || !Number.isInteger(segment) || segment! < 0 || segment! >= totalSegments!) {
    throw new InvalidJobInputError(`A message of the ${job.name} job is not a segment of a run`);
  }
  const run = job.runFor(now, totalSegments!);
  if (run.runId !== runId) throw new InvalidJobInputError(`A message of the ${job.name} job names run ${runId}, but its time makes run ${run.runId}`);
  return { run, segment: segment! };
}

/** Some segments could not be queued; the invocation fails, and its async retry queues the run again (workers skip finished segments). */
export class SegmentsNotQueuedError extends PaddockError {
  constructor(runId: string, failed: number) {
    super(`Could not queue ${failed} segments of ${runId}`);
    this.name = 'SegmentsNotQueuedError';
  }
}

/**
 * A coordinator's handler (EventBridge Scheduler, input `{"now": "<aws.scheduler.scheduled-time>"}`):
 * one message per segment of the run of that time. The same schedule always queues the
 * same run, so a retried invocation queues segments the workers find done.
 *
 * @example
 * export const handler = segmentCoordinator({ name: 'offers', runFor: offersRunFor }, config, { sqs, logger, clock });
 */
export function segmentCoordinator<R extends SegmentRun>(job: SegmentJob<R>, config: SegmentCoordinatorConfig, { sqs, logger, clock }: { sqs: SQSClient; logger: Logger; clock: Clock }) {
  return async (event: { now?: string } = {}): Promise<{ runId: string; segments: number }> => {
    const run = job.runFor(scheduledTime(event.now, clock), config.totalSegments);
    const messages = segmentMessages(run);
    for (let first = 0; first < messages.length; first += SQS_BATCH_ENTRIES) {
      const entries = messages.slice(first, first + SQS_BATCH_ENTRIES).map((message) => ({ Id: String(message.segment), MessageBody: JSON.stringify(message) }));
      const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: config.queueUrl, Entries: entries }));
      if (result.Failed?.length) throw new SegmentsNotQueuedError(run.runId, result.Failed.length);
    }
    logger.info(`${job.name} run queued`, { runId: run.runId, segments: messages.length });
    return { runId: run.runId, segments: messages.length };
  };
}

/**
 * A worker's handler: one segment per SQS message. A segment that cannot finish before
 * the timeout checkpoints and reports its message as failed: SQS delivers it again and
 * the next invocation resumes from the checkpoint. After repeated failures it goes to
 * the DLQ. Only a failed message is retried; the batch's other segments keep their outcome.
 *
 * @example
 * export const handler = segmentWorker(OFFERS, logger, (run, segment, shouldStop) => runOffersSegment(deps, run, segment, { shouldStop }));
 */
export function segmentWorker<R extends SegmentRun>(
  job: SegmentJob<R>,
  logger: Logger,
  runSegment: (run: R, segment: number, shouldStop: () => boolean) => Promise<{ complete: boolean }>,
) {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      // A segment received again has failed or timed out before: the stack alarms well before the DLQ takes it.
      emitJobCounts(logger, job.name, { [SEGMENT_RECEIVES_METRIC]: Number(record.attributes?.ApproximateReceiveCount ?? 1) });
      try {
        const { run, segment } = parseSegmentMessage(job, record.body);
        const stats = await runSegment(run, segment, stopsBeforeTimeout(context));
        logger.info(`${job.name} segment`, { runId: run.runId, ...stats });
        if (!stats.complete) batchItemFailures.push({ itemIdentifier: record.messageId });
      } catch (error) {
        logger.error(`${job.name} segment failed`, { messageId: record.messageId, error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}
