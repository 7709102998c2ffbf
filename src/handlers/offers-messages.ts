import { OFFERS_JOB, offersRunFor, type OffersRun } from '../offers/offers-job.js';
import { parseSegmentMessage as parseMessage, segmentMessages as messagesOf, type SegmentJob } from './segment-fan-out.js';

/** The offers job as the fan-out sees it: its name and the run of a scheduled time (one run a day). */
export const OFFERS_FAN_OUT_JOB: SegmentJob<OffersRun> = { name: OFFERS_JOB, runFor: offersRunFor };

/** The messages the offers coordinator queues for a run: one per parallel-scan segment. */
export const segmentMessages = (run: OffersRun) => messagesOf(run);

/** An offers worker's reading of a message (anything else is refused whole and ends in the DLQ). */
export const parseSegmentMessage = (body: string) => parseMessage(OFFERS_FAN_OUT_JOB, body);
