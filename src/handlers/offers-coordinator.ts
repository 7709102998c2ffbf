import { SQSClient } from '@aws-sdk/client-sqs';
import { readOffersCoordinatorConfig, type SegmentCoordinatorConfig } from '../config.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { OFFERS_FAN_OUT_JOB } from './offers-messages.js';
import { segmentCoordinator } from './segment-fan-out.js';

/**
 * Starts a nightly offers run (EventBridge Scheduler, an hour after the scores run): one
 * SQS message per parallel-scan segment of the day's run (`segment-fan-out.ts`). The
 * run is the day's (`offers-<YYYY-MM-DD>`), so a late or repeated start finds the day's
 * finished segments done.
 *
 * @example
 * const handler = createOffersCoordinator(readOffersCoordinatorConfig(process.env));
 */
export function createOffersCoordinator(
  config: SegmentCoordinatorConfig,
  { sqs = new SQSClient({ region: config.region }), logger = createLogger({ service: 'paddock-offers-coordinator' }, { level: config.logLevel }), clock = systemClock }: { sqs?: SQSClient; logger?: Logger; clock?: Clock } = {},
) {
  return segmentCoordinator(OFFERS_FAN_OUT_JOB, config, { sqs, logger, clock });
}

// A bad OFFERS_SEGMENTS or queue URL fails the cold start, not a run that queues nothing.
export const handler = createOffersCoordinator(readOffersCoordinatorConfig(process.env));
