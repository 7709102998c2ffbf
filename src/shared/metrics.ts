import type { Logger } from './logger.js';

/** The CloudWatch namespace of every Paddock job metric (the jobs stack alarms on it). */
export const JOBS_METRIC_NAMESPACE = 'Paddock/Jobs';
/** Records a job skipped because they could not be processed (see store/job-failures.ts). */
export const POISON_RECORDS_METRIC = 'PoisonRecords';

/**
 * Counts as CloudWatch metrics through the log: one line in the embedded metric format,
 * which Lambda's log delivery turns into metrics — no client, no extra call, no IAM.
 *
 * @example
 * emitJobCounts(logger, 'scores', { PoisonRecords: 2 }) // metric PoisonRecords{Job=scores} = 2
 */
export function emitJobCounts(logger: Logger, job: string, counts: Record<string, number>, now = new Date()): void {
  logger.info('job metrics', {
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [{ Namespace: JOBS_METRIC_NAMESPACE, Dimensions: [['Job']], Metrics: Object.keys(counts).map((Name) => ({ Name, Unit: 'Count' })) }],
    },
    Job: job,
    ...counts,
  });
}
