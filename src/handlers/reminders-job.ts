import type { Context } from 'aws-lambda';
import { readStoreConfig } from '../config.js';
import { CustomerRepository } from '../customer/customer-repository.js';
import { ReminderRepository } from '../reminder/reminder-repository.js';
import { runRemindersJob, type RemindersJobStats } from '../reminder/reminders-job.js';
import { PaddockError } from '../shared/errors.js';
import { createLogger } from '../shared/logger.js';
import { createDocumentClient } from '../store/dynamo-client.js';

/**
 * The reminders job's Lambda entry point, started daily by EventBridge Scheduler with
 * the input `{ "now": "<aws.scheduler.scheduled-time>" }` (the schedule's own time, so a
 * retried or late invocation decides exactly as the on-time one would). Locally,
 * `npm run job:reminders -- --now …` calls this same handler.
 */
export interface RemindersJobEvent {
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

const config = readStoreConfig(process.env);
const store = { doc: createDocumentClient({ endpoint: config.dynamodbEndpoint, region: config.region }), tableName: config.tableName };
const logger = createLogger({ service: 'paddock-reminders-job' });
const deps = { reminders: new ReminderRepository(store), customers: new CustomerRepository(store), logger };
/** Stop taking new work this long before the Lambda timeout. */
const SAFETY_MARGIN_MS = 60_000;

export async function handler(event: RemindersJobEvent = {}, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RemindersJobStats> {
  const now = event.now ? new Date(event.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new PaddockError(`Invalid "now" in the job input: ${event.now}`);
  const started = performance.now();
  const stats = await runRemindersJob(deps, {
    now,
    shards: event.shards,
    shouldStop: () => (context ? context.getRemainingTimeInMillis() < SAFETY_MARGIN_MS : false),
  });
  logger.info('reminders job finished', { now: now.toISOString(), durationMs: Math.round(performance.now() - started), ...stats });
  if (!stats.complete) throw new IncompleteRunError(stats);
  return stats;
}
