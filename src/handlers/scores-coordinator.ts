import { SQSClient } from '@aws-sdk/client-sqs';
import { readScoresCoordinatorConfig, type SegmentCoordinatorConfig } from '../config.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { SCORES_FAN_OUT_JOB } from './scores-messages.js';
import { segmentCoordinator } from './segment-fan-out.js';

export { SegmentsNotQueuedError } from './segment-fan-out.js';

/**
 * Starts a nightly scores run (EventBridge Scheduler, input `{"now": "<aws.scheduler.scheduled-time>"}`):
 * one SQS message per parallel-scan segment, so each worker Lambda handles one segment
 * and a million customers never depend on one function's 15 minutes (`segment-fan-out.ts`).
 */

/**
 * The coordinator's handler, with its client injected: tests hand in an SQS client that
 * never reaches the network; Lambda gets the default one, built once per cold start.
 *
 * @example
 * const handler = createScoresCoordinator(readScoresCoordinatorConfig(process.env));
 */
export function createScoresCoordinator(
  config: SegmentCoordinatorConfig,
  { sqs = new SQSClient({ region: config.region }), logger = createLogger({ service: 'paddock-scores-coordinator' }, { level: config.logLevel }), clock = systemClock }: { sqs?: SQSClient; logger?: Logger; clock?: Clock } = {},
) {
  return segmentCoordinator(SCORES_FAN_OUT_JOB, config, { sqs, logger, clock });
}

// A bad SCORES_SEGMENTS or queue URL fails the cold start, not a run that queues nothing.
export const handler = createScoresCoordinator(readScoresCoordinatorConfig(process.env));
