import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createCore } from '../composition.js';
import { readJobConfig } from '../config.js';
import { emitJobCounts } from '../shared/metrics.js';
import { runScoresSegment, SCORES_JOB, SEGMENT_RECEIVES_METRIC } from '../value/scores-job.js';
import { stopsBeforeTimeout } from './job-invocation.js';
import { parseSegmentMessage } from './scores-messages.js';

/**
 * Scores one segment per SQS message. A segment that cannot finish before the timeout
 * checkpoints and reports the message as failed: SQS delivers it again and the next
 * invocation resumes from the checkpoint. After repeated failures it goes to the DLQ.
 */
const { repos, logger } = createCore(readJobConfig(process.env), { profile: 'job', service: 'paddock-scores-worker' });

export async function handler(event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    // A segment received again has failed or timed out before: the stack alarms well before the DLQ takes it.
    emitJobCounts(logger, SCORES_JOB, { [SEGMENT_RECEIVES_METRIC]: Number(record.attributes?.ApproximateReceiveCount ?? 1) });
    try {
      const { run, segment } = parseSegmentMessage(record.body);
      const stats = await runScoresSegment({ values: repos.values, logger }, run, segment, { shouldStop: stopsBeforeTimeout(context) });
      logger.info('scores segment', { runId: run.runId, ...stats });
      if (!stats.complete) batchItemFailures.push({ itemIdentifier: record.messageId });
    } catch (error) {
      // Only this message is retried; the batch's other segments keep their outcome.
      logger.error('scores segment failed', { messageId: record.messageId, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
