import { SCORES_JOB, scoresRunFor, type ScoresRun } from '../value/scores-job.js';
import { parseSegmentMessage as parseMessage, segmentMessages as messagesOf, type SegmentJob } from './segment-fan-out.js';

/** The scores job as the fan-out sees it: its name and the run of a scheduled time. */
export const SCORES_FAN_OUT_JOB: SegmentJob<ScoresRun> = { name: SCORES_JOB, runFor: scoresRunFor };

/** The messages the scores coordinator queues for a run: one per parallel-scan segment. */
export const segmentMessages = (run: ScoresRun) => messagesOf(run);

/** A scores worker's reading of a message (anything else is refused whole and ends in the DLQ). */
export const parseSegmentMessage = (body: string) => parseMessage(SCORES_FAN_OUT_JOB, body);
