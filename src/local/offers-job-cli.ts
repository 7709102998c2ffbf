import './quiet-sdk.js';
import { parseArgs } from 'node:util';
import { createCore } from '../composition.js';
import { integerSetting, readJobConfig, SEGMENT_BOUNDS } from '../config.js';
import { scheduledTime } from '../handlers/job-invocation.js';
import { offersRunFor, runOffersLocally, type OffersSegmentStats } from '../offers/offers-job.js';
import { readLocalInfo } from './local-files.js';

/**
 * `npm run job:offers -- --now 2026-12-01T05:00:00Z [--segments 8]`: the offers job's
 * worker code over every segment, against the running local stack (`npm start`), then a
 * summary. Run the scores job first for the same night: decisions rank on the scores. In
 * AWS the coordinator queues one message per segment instead.
 */
async function main() {
  const { values } = parseArgs({ options: { now: { type: 'string' }, segments: { type: 'string', default: '8' } } });
  const local = readLocalInfo();
  const { repos, clock, logger } = createCore(readJobConfig({ TABLE_NAME: local.tableName, DYNAMODB_ENDPOINT: local.dynamodbEndpoint, LOG_LEVEL: 'warn' }), { profile: 'job', service: 'paddock-offers-job' });
  const run = offersRunFor(scheduledTime(values.now, clock), integerSetting('--segments', values.segments, SEGMENT_BOUNDS));
  const started = performance.now();
  const stats = await runOffersLocally({ offers: repos.offers, values: repos.values, logger }, run);
  const seconds = (performance.now() - started) / 1000;
  const sum = (key: keyof Omit<OffersSegmentStats, 'segment' | 'complete' | 'superseded'>) => stats.reduce((s, x) => s + x[key], 0);
  const read = Math.max(1, sum('customersRead'));
  process.stdout.write(
    [
      `Offers run ${run.runId} against ${local.tableName} (${run.totalSegments} segments, ${seconds.toFixed(1)} s):`,
      `  customers read: ${sum('customersRead')} (${(sum('customersRead') / Math.max(seconds, 0.001)).toFixed(0)}/s)`,
      `  decisions made: ${sum('decided')} (${sum('heldOut')} in the holdout: recorded, not delivered)`,
      `  decisions closed (expired or withdrawn): ${sum('closed')}`,
      `  customers with nothing to change: ${sum('unchanged')}; plans made again after a concurrent change: ${sum('replanned')}`,
      `  read units of the scan: ${sum('readUnits').toFixed(1)} (${(sum('readUnits') / read).toFixed(2)} per customer) + ${sum('batchReads')} batch reads of books and memberships`,
      `  customers skipped (could not be processed): ${sum('poisoned')}${sum('poisoned') ? ` — npm run job:failures -- --job offers --run ${run.runId}` : ''}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
