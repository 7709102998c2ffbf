import type { Context } from 'aws-lambda';
import { PaddockError } from '../shared/errors.js';

/**
 * What every scheduled job's entry point reads from its invocation, in one place: the
 * scheduled time and how close the Lambda timeout is.
 */

/** The job's input could not be used (a schedule misconfigured by hand, a bad manual run). */
export class InvalidJobInputError extends PaddockError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidJobInputError';
  }
}

/**
 * The time a run decides with: the schedule's own time from EventBridge Scheduler's input
 * `{ "now": "<aws.scheduler.scheduled-time>" }`, so a retried or late invocation decides
 * exactly as the on-time one would; without it (a manual run), the current time.
 */
export function scheduledTime(now: string | undefined, clock: () => Date): Date {
  const time = now ? new Date(now) : clock();
  if (Number.isNaN(time.getTime())) throw new InvalidJobInputError(`Invalid "now" in the job input: ${now}`);
  return time;
}

/** Stop taking new work this long before the Lambda timeout: a page in flight must finish and checkpoint. */
const SAFETY_MARGIN_MS = 60_000;

/** `shouldStop` for a job run; outside Lambda (no context) a run never stops early. */
export function stopsBeforeTimeout(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): () => boolean {
  return () => (context ? context.getRemainingTimeInMillis() < SAFETY_MARGIN_MS : false);
}
