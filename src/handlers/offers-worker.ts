import { createCore } from '../composition.js';
import { readJobConfig } from '../config.js';
import { runOffersSegment } from '../offers/offers-job.js';
import { OFFERS_FAN_OUT_JOB } from './offers-messages.js';
import { segmentWorker } from './segment-fan-out.js';

/**
 * Decides one segment of the day's offers run per SQS message (`segment-fan-out.ts`): a
 * segment that cannot finish before the timeout checkpoints and is redelivered to resume;
 * after repeated failures it goes to the DLQ.
 */
const { repos, logger } = createCore(readJobConfig(process.env), { profile: 'job', service: 'paddock-offers-worker' });

export const handler = segmentWorker(OFFERS_FAN_OUT_JOB, logger, (run, segment, shouldStop) => runOffersSegment({ offers: repos.offers, values: repos.values, logger }, run, segment, { shouldStop }));
