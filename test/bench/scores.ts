/**
 * `npm run bench -- --only scores`: the nightly scores job.
 *
 * a. 10,000 customers at 5 dealers, 8 segments, 4 workers at a time (as locally): the
 *    first night (every score new, the slowest night) and the next (only changes
 *    written) — customers per second, milliseconds per customer per worker, read units
 *    and write units per customer by what was written.
 * b. KPI roll-ups at 1,000 dealers (10,000 customers): a first night on 16 segments, then
 *    segments of 25 pages with windows of 1, 10 and 50 pages — partial-sum writes and
 *    write units per customer, the largest checkpoint, and the reduction (the paginated
 *    Query over every partial item, merged).
 * c. A first night at 1M customers projected from (a) onto the deployed fan-out.
 *
 * Write units are what DynamoDB Local reports with ReturnConsumedCapacity (it charges as
 * AWS does), summed by a client middleware, so the job's code is measured unchanged.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SCORES_FAN_OUT, SCORES_TIMEOUT } from '../../infra/stacks/jobs-stack.js';
import { createLogger } from '../../src/shared/logger.js';
import type { Store } from '../../src/store/store.js';
import { FLUSH_PAGES, runScoresLocally, scoresRunFor, type SegmentStats } from '../../src/value/scores-job.js';
import { ValueRepository, valueKeys } from '../../src/value/value-repository.js';
import { makePopulation, writePopulation } from '../support/population.js';

type Print = (line?: string) => void;
type WithTable = <T>(tableName: string, work: (store: Store & { doc: DynamoDBDocumentClient; endpoint: string }) => Promise<T>) => Promise<T>;

const WRITES = new Set(['TransactWriteItemsCommand', 'UpdateItemCommand', 'PutItemCommand', 'BatchWriteItemCommand']);
/** Lambda stops taking pages this long before its timeout (handlers/job-invocation.ts). */
const STOP_MARGIN_MS = 60_000;

/** What a write was for, from its command and key. */
function writeKind(command: string, input: Record<string, unknown>): string {
  if (command === 'TransactWriteItemsCommand') return 'scores';
  if (command === 'BatchWriteItemCommand') return 'roll-ups';
  const sk = (input.Key as { SK?: string | { S?: string } } | undefined)?.SK;
  const sortKey = typeof sk === 'string' ? sk : (sk?.S ?? '');
  if (sortKey.startsWith(valueKeys.segmentSumsPrefix)) return 'partial sums';
  if (sortKey.startsWith(valueKeys.segmentPrefix)) return 'checkpoints';
  return 'other';
}

/** Sums the write units of every write the client sends, by kind (asking DynamoDB to report them). */
function meterWrites(doc: DynamoDBDocumentClient) {
  const units = new Map<string, number>();
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      if (!WRITES.has(command)) return next(args);
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
      const total = Array.isArray(consumed) ? consumed.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0) : (consumed?.CapacityUnits ?? 0);
      const kind = writeKind(command, input);
      units.set(kind, (units.get(kind) ?? 0) + total);
      return result;
    },
    { step: 'initialize', name: 'benchWriteMeter' },
  );
  return { units, reset: () => units.clear() };
}

/** A repository whose scans report progress: a line every 10 s during a long run. */
function withProgress(values: ValueRepository, total: number, print: Print) {
  let scanned = 0;
  let started = performance.now();
  let last = started;
  const scan = values.scanSegment.bind(values);
  values.scanSegment = async (...args) => {
    const page = await scan(...args);
    scanned += page.customers.length + page.malformed.length;
    const now = performance.now();
    if (now - last > 10_000) {
      last = now;
      print(`      … ${scanned.toLocaleString('en')}/${total.toLocaleString('en')} customers, ${((now - started) / 1000).toFixed(0)} s`);
    }
    return page;
  };
  return { restart: () => ((scanned = 0), (started = last = performance.now())) };
}

const sum = (stats: readonly SegmentStats[], key: 'customersRead' | 'changed' | 'readUnits' | 'sumWrites') => stats.reduce((n, s) => n + (s[key] ?? 0), 0);
const perCustomer = (units: Map<string, number>, customers: number) =>
  [...units.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([kind, u]) => `${kind} ${(u / customers).toFixed(3)}`).join(', ');

export async function scoresBench({ withTable, print }: { withTable: WithTable; print: Print }): Promise<void> {
  const logger = createLogger({}, { level: 'error' });
  const PARALLEL = 4;
  let firstNightMs = 0;
  let firstNightWrites = 0;

  await withTable('paddock-bench-scores', async (store) => {
    const population = makePopulation(10_000, ['D1', 'D2', 'D3', 'D4', 'D5']);
    await writePopulation(store, population);
    const meter = meterWrites(store.doc);
    const values = new ValueRepository(store);
    const progress = withProgress(values, population.length, print);
    print(`5. Scores job over 10,000 customers (8 segments, ${PARALLEL} workers at a time, as locally)`);
    for (const [label, now] of [['first night (all scores new)', '2026-12-01T02:00:00Z'], ['next night (only changes written)', '2026-12-02T02:00:00Z']] as const) {
      meter.reset();
      progress.restart();
      const started = performance.now();
      const stats = await runScoresLocally({ values, logger }, scoresRunFor(new Date(now), 8), PARALLEL);
      const seconds = (performance.now() - started) / 1000;
      const read = sum(stats, 'customersRead');
      // Workers run side by side: each spends `parallel` times the wall time per customer it scores.
      const msPerCustomer = (seconds * 1000 * PARALLEL) / read;
      const writeUnits = [...meter.units.values()].reduce((a, b) => a + b, 0);
      if (!firstNightMs) ((firstNightMs = msPerCustomer), (firstNightWrites = writeUnits / read));
      print(`   ${label}: ${read} scored in ${seconds.toFixed(1)} s (${(read / seconds).toFixed(0)}/s, ${msPerCustomer.toFixed(1)} ms per customer per worker), ${sum(stats, 'changed')} written`);
      print(`      read units ${(sum(stats, 'readUnits') / read).toFixed(2)} per customer; write units ${(writeUnits / read).toFixed(2)} per customer (${perCustomer(meter.units, read)})`);
    }
  });

  await withTable('paddock-bench-scores-dealers', async (store) => {
    const dealers = Array.from({ length: 1_000 }, (_, i) => `D${String(i).padStart(4, '0')}`);
    // Ten customers a dealer, every dealer (the generator's own picks reach ~600 of 1,000).
    const population = makePopulation(10_000, dealers).map((c, i) => ({ ...c, dealerIds: [dealers[i % dealers.length]!] }));
    await writePopulation(store, population);
    const meter = meterWrites(store.doc);
    const values = new ValueRepository(store);
    const progress = withProgress(values, population.length, print);
    // The first night on 16 segments; then segments of 2,500 customers (25 pages), long enough for windows to differ.
    print('   KPI roll-ups at 1,000 dealers (10,000 customers, 4 workers at a time)');
    const nights = [
      ['2026-12-01T02:00:00Z', 16, FLUSH_PAGES],
      ['2026-12-02T02:00:00Z', 4, 1],
      ['2026-12-03T02:00:00Z', 4, 10],
      ['2026-12-04T02:00:00Z', 4, 50],
    ] as const;
    for (const [now, segments, flushPages] of nights) {
      meter.reset();
      progress.restart();
      const run = scoresRunFor(new Date(now), segments);
      const started = performance.now();
      let stats: SegmentStats[];
      try {
        stats = await runScoresLocally({ values, logger }, run, PARALLEL, { flushPages });
      } catch (error) {
        print(`      ${now.slice(0, 10)}: the run failed — ${error instanceof Error ? error.message.slice(0, 160) : String(error)}`);
        continue;
      }
      const seconds = (performance.now() - started) / 1000;
      const read = sum(stats, 'customersRead');
      const kpiUnits = (meter.units.get('partial sums') ?? 0) + (meter.units.get('checkpoints') ?? 0);
      const reductionStarted = performance.now();
      const merged = await values.runSums(run.runId);
      const reductionMs = performance.now() - reductionStarted;
      const scopes = [...merged.values()].reduce((n, s) => n + Object.keys(s).length, 0);
      const checkpoints = await Promise.all(Array.from({ length: run.totalSegments }, (_, s) => values.segmentState(run.runId, s)));
      const largest = Math.max(...checkpoints.map((c) => JSON.stringify(c).length));
      print(`      ${segments} segments, windows of ${flushPages} page(s)${now.startsWith('2026-12-01') ? ' (first night)' : ''}: ${read} scored in ${seconds.toFixed(1)} s; ${sum(stats, 'sumWrites')} partial-sum writes (${(sum(stats, 'sumWrites') / read).toFixed(2)} per customer)`);
      print(`         KPI write units (partial sums + checkpoints) ${(kpiUnits / read).toFixed(3)} per customer; by kind ${perCustomer(meter.units, read)}; largest checkpoint ${largest} B; reduction: ${scopes} month × scope sums merged in ${reductionMs.toFixed(0)} ms`);
    }
  });

  // c. The first night at 1M customers on the deployed fan-out (and on the old one, 16 segments × 8 workers).
  const budgetMin = (SCORES_TIMEOUT.toMilliseconds() - STOP_MARGIN_MS) / 60_000;
  print(`   Projection: first night at 1,000,000 customers at ${firstNightMs.toFixed(1)} ms per customer per worker (measured above; the issue measured up to 87 ms on a busier machine)`);
  for (const [label, segments, workers] of [['old fan-out', 16, 8], ['deployed fan-out', SCORES_FAN_OUT.segments, SCORES_FAN_OUT.workers]] as const) {
    for (const ms of [firstNightMs, 87]) {
      const perSegmentMin = ((1_000_000 / segments) * ms) / 60_000;
      const invocations = Math.ceil(perSegmentMin / budgetMin);
      const nightMin = Math.ceil(segments / workers) * perSegmentMin;
      const verdict = invocations > SCORES_FAN_OUT.maxReceives ? `needs ${invocations} receives: DLQ after ${SCORES_FAN_OUT.maxReceives}` : `${invocations} invocation(s) of ${budgetMin} min, ${((perSegmentMin / budgetMin) * 100).toFixed(0)} % of the first`;
      print(`      ${label} (${segments} segments, ${workers} workers) at ${ms.toFixed(1)} ms: ${(1_000_000 / segments).toFixed(0)} customers a segment, ${perSegmentMin.toFixed(1)} min each → ${verdict}; night ≈ ${nightMin.toFixed(0)} min`);
    }
  }
  const customersPerSecond = (SCORES_FAN_OUT.workers * 1000) / firstNightMs;
  print(`      write rate of the deployed fan-out's first night: ${customersPerSecond.toFixed(0)} customers/s × ${firstNightWrites.toFixed(1)} write units ≈ ${(customersPerSecond * firstNightWrites).toFixed(0)} WCU/s`);
}
