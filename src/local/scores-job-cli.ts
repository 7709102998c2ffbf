import './quiet-sdk.js';
import { parseArgs } from 'node:util';
import { createCore } from '../composition.js';
import { integerSetting, readJobConfig, SEGMENT_BOUNDS } from '../config.js';
import { scheduledTime } from '../handlers/job-invocation.js';
import { runScoresLocally, scoresRunFor } from '../value/scores-job.js';
import { readLocalInfo } from './local-files.js';

/**
 * `npm run job:scores -- --now 2026-12-01T02:00:00Z [--segments 8]`: the scores job's
 * worker code over every segment, against the running local stack (`npm start`), then a
 * summary. In AWS the coordinator queues one message per segment instead.
 */
async function main() {
  const { values } = parseArgs({ options: { now: { type: 'string' }, segments: { type: 'string', default: '8' } } });
  const local = readLocalInfo();
  const { repos, clock, logger } = createCore(readJobConfig({ TABLE_NAME: local.tableName, DYNAMODB_ENDPOINT: local.dynamodbEndpoint, LOG_LEVEL: 'warn' }), { profile: 'job', service: 'paddock-scores-job' });
  // The same bounds as the coordinator's SCORES_SEGMENTS: `--segments x` must not become NaN segments.
  const run = scoresRunFor(scheduledTime(values.now, clock), integerSetting('--segments', values.segments, SEGMENT_BOUNDS));
  const started = performance.now();
  const stats = await runScoresLocally({ values: repos.values, logger }, run);
  const seconds = (performance.now() - started) / 1000;
  const sum = (key: 'customersRead' | 'changed' | 'tierChanges' | 'readUnits' | 'poisoned') => stats.reduce((s, x) => s + x[key], 0);
  process.stdout.write(
    [
      `Scores run ${run.runId} against ${local.tableName} (${run.totalSegments} segments, ${seconds.toFixed(1)} s):`,
      `  customers read and scored: ${sum('customersRead')}`,
      `  scores changed and written: ${sum('changed')} (${sum('tierChanges')} tier changes → CustomerTierChanged events)`,
      `  read units: ${sum('readUnits').toFixed(1)} (${(sum('readUnits') / Math.max(1, sum('customersRead'))).toFixed(2)} per customer)`,
      `  customers skipped (could not be processed): ${sum('poisoned')}${sum('poisoned') ? ` — npm run job:failures -- --job scores --run ${run.runId}` : ''}`,
      `  KPI roll-ups written: ${stats.some((s) => s.wroteKpis) ? 'yes' : 'no — this run had finished before; the figures above are its totals (use another --now for a new run)'}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
