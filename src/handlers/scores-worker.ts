import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { readStoreConfig } from '../config.js';
import { createLogger } from '../shared/logger.js';
import { createDocumentClient } from '../store/dynamo-client.js';
import { runScoresSegment } from '../value/scores-job.js';
import { ValueRepository } from '../value/value-repository.js';

/**
 * Scores one segment per SQS message. A segment that cannot finish before the timeout
 * checkpoints and reports the message as failed: SQS delivers it again and the next
 * invocation resumes from the checkpoint. After repeated failures it goes to the DLQ.
 */
const config = readStoreConfig(process.env);
const values = new ValueRepository({ doc: createDocumentClient({ endpoint: config.dynamodbEndpoint, region: config.region }), tableName: config.tableName });
const logger = createLogger({ service: 'paddock-scores-worker' });
const SAFETY_MARGIN_MS = 60_000;

export async function handler(event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const message = JSON.parse(record.body) as { runId: string; now: string; totalSegments: number; segment: number };
    try {
      const stats = await runScoresSegment({ values, logger }, { runId: message.runId, now: new Date(message.now), totalSegments: message.totalSegments }, message.segment, {
        shouldStop: () => (context ? context.getRemainingTimeInMillis() < SAFETY_MARGIN_MS : false),
      });
      logger.info('scores segment', { runId: message.runId, ...stats });
      if (!stats.complete) batchItemFailures.push({ itemIdentifier: record.messageId });
    } catch (error) {
      logger.error('scores segment failed', { runId: message.runId, segment: message.segment, error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
