import type { ScoresRun } from '../value/scores-job.js';
import { InvalidJobInputError } from './job-invocation.js';

/**
 * The contract between the scores coordinator and its workers: one SQS message body per
 * parallel-scan segment of a run. Written and read only here, so both sides agree.
 */
interface ScoresSegmentMessage {
  runId: string;
  /** The run's scheduled time, ISO 8601. */
  now: string;
  totalSegments: number;
  segment: number;
}

export function segmentMessages(run: ScoresRun): ScoresSegmentMessage[] {
  return Array.from({ length: run.totalSegments }, (_, segment) => ({ runId: run.runId, now: run.now.toISOString(), totalSegments: run.totalSegments, segment }));
}

/** A body that is not a segment of a run is refused whole, so it ends in the dead-letter queue instead of scoring a wrong segment. */
export function parseSegmentMessage(body: string): { run: ScoresRun; segment: number } {
  let message: Partial<ScoresSegmentMessage>;
  try {
    message = JSON.parse(body) as Partial<ScoresSegmentMessage>;
  } catch {
    throw new InvalidJobInputError('A scores message is not JSON');
  }
  const now = new Date(String(message?.now));
  const { runId, totalSegments, segment } = message ?? {};
  if (typeof runId !== 'string' || Number.isNaN(now.getTime()) || !Number.isInteger(totalSegments) || !Number.isInteger(segment) || segment! < 0 || segment! >= totalSegments!) {
    throw new InvalidJobInputError('A scores message is not a segment of a run');
  }
  return { run: { runId, now, totalSegments: totalSegments! }, segment: segment! };
}
