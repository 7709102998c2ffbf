import { createCore } from '../composition.js';
import { readJobConfig } from '../config.js';
import { runFleetRatesJob, type FleetRatesJobStats } from '../fleet-rates/fleet-rates-job.js';
import { scheduledTime } from './job-invocation.js';

/**
 * The fleet-rates run's Lambda entry point, started nightly by EventBridge Scheduler with
 * `{ "now": "<aws.scheduler.scheduled-time>" }` (the version's `computedAt`). One pass over
 * the fleet, nothing to resume: a run that fails or times out is retried whole, and a retry
 * of a run that saved finds the rates unchanged. Locally, `npm run job:fleet-rates` calls
 * this same handler.
 */
interface FleetRatesJobEvent {
  now?: string;
}

// Configuration and clients once per cold start: a misconfigured function fails here, loudly.
const { repos, clock, logger } = createCore(readJobConfig(process.env), { profile: 'job', service: 'paddock-fleet-rates-job' });

export async function handler(event: FleetRatesJobEvent = {}): Promise<FleetRatesJobStats> {
  const now = scheduledTime(event.now, clock);
  const stats = await runFleetRatesJob({ fleetRates: repos.fleetRates, fleetReader: repos.fleetReader, logger }, { now });
  logger.info('fleet rates job finished', { ...stats });
  return stats;
}
