import { createCore } from '../composition.js';
import { readJobConfig } from '../config.js';
import { runScoresSegment } from '../value/scores-job.js';
import { SCORES_FAN_OUT_JOB } from './scores-messages.js';
import { segmentWorker } from './segment-fan-out.js';

/**
 * Scores one segment per SQS message (`segment-fan-out.ts`): a segment that cannot finish
 * before the timeout checkpoints and is redelivered to resume; after repeated failures it
 * goes to the DLQ.
 */
const { repos, logger } = createCore(readJobConfig(process.env), { profile: 'job', service: 'paddock-scores-worker' });

export const handler = segmentWorker(SCORES_FAN_OUT_JOB, logger, (run, segment, shouldStop) => runScoresSegment({ values: repos.values, logger }, run, segment, { shouldStop }));
