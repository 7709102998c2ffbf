import './quiet-sdk.js';
import { parseArgs } from 'node:util';
import { createLogger } from '../shared/logger.js';
import { createDocumentClient } from '../store/dynamo-client.js';
import { runScoresLocally, scoresRunFor } from '../value/scores-job.js';
import { ValueRepository } from '../value/value-repository.js';
import { readLocalInfo } from './local-files.js';

/**
 * `npm run job:scores -- --now 2026-12-01T02:00:00Z [--segments 8]`: the scores job's
 * worker code over every segment, against the running local stack (`npm start`), then a
 * summary. In AWS the coordinator queues one message per segment instead.
 */
async function main() {
  const { values } = parseArgs({ options: { now: { type: 'string' }, segments: { type: 'string', default: '8' } } });
  const local = readLocalInfo();
  const now = new Date(values.now ?? new Date().toISOString());
  if (Number.isNaN(now.getTime())) throw new Error(`--now is not a time: ${values.now}`);
  const repo = new ValueRepository({ doc: createDocumentClient({ endpoint: local.dynamodbEndpoint, region: 'eu-central-1' }), tableName: local.tableName });
  const run = scoresRunFor(now, Number(values.segments));
  const started = performance.now();
  const stats = await runScoresLocally({ values: repo, logger: createLogger({ service: 'paddock-scores-job' }, { level: 'warn' }) }, run);
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
