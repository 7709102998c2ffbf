import type { Context } from 'aws-lambda';
import { createCore } from '../composition.js';
import { readJobConfig } from '../config.js';
import { runRemindersJob, type RemindersJobStats } from '../reminder/reminders-job.js';
import { PaddockError } from '../shared/errors.js';
import { scheduledTime, stopsBeforeTimeout } from './job-invocation.js';

/**
 * The reminders job's Lambda entry point, started daily by EventBridge Scheduler with
 * the input `{ "now": "<aws.scheduler.scheduled-time>" }`. Locally,
 * `npm run job:reminders -- --now …` calls this same handler.
 */
interface RemindersJobEvent {
  now?: string;
  shards?: number[];
}

/** The run stopped before the Lambda timeout with work left: failing lets Lambda's retry continue it. */
export class IncompleteRunError extends PaddockError {
  constructor(readonly stats: RemindersJobStats) {
    super(`Reminders job stopped early after ${stats.remindersCreated} reminders; the retry continues`);
    this.name = 'IncompleteRunError';
  }
}

// Configuration and clients once per cold start: a misconfigured function fails here, loudly.
const { repos, clock, logger } = createCore(readJobConfig(process.env), { profile: 'job', service: 'paddock-reminders-job' });

export async function handler(event: RemindersJobEvent = {}, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RemindersJobStats> {
  const now = scheduledTime(event.now, clock);
  const started = performance.now();
  const stats = await runRemindersJob({ reminders: repos.reminders, customers: repos.customers, logger }, { now, shards: event.shards, shouldStop: stopsBeforeTimeout(context) });
  logger.info('reminders job finished', { now: now.toISOString(), durationMs: Math.round(performance.now() - started), ...stats });
  if (!stats.complete) throw new IncompleteRunError(stats);
  return stats;
}
