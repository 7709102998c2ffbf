import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerEntity } from '../../src/customer/customer.js';
import { createDocumentClient } from '../../src/store/dynamo-client.js';
import { createLogger } from '../../src/shared/logger.js';
import { accumulate, type ScopedSums } from '../../src/value/kpis.js';
import { kpiPeriods, runScoresLocally, runScoresSegment, scoresRunFor } from '../../src/value/scores-job.js';
import { ValueRepository, valueKeys } from '../../src/value/value-repository.js';
import { makePopulation, writePopulation } from '../support/population.js';
import { itemsOfType, ownEngine, type TestStore } from '../support/store.js';

/**
 * KPI roll-ups with many dealers: 1,000 dealers, 16 segments. Sized for a busy 2-core
 * machine — 1,000 customers, one per dealer (visits and answers fall on dealers at
 * random) — yet every segment touches ~120 dealers and the run keeps ~2,000 partial-sum
 * items. The old design kept all dealers' sums in one checkpoint per segment and merged
 * one Query page of them: at this size the checkpoints were ~430 KiB and failed to save.
 */
const DEALERS = Array.from({ length: 1_000 }, (_, i) => `D${String(i).padStart(4, '0')}`);
const POPULATION = 1_000;
const SEGMENTS = 16;
const PAGE = 25;
const NIGHT = new Date('2026-12-01T02:00:00Z');
const logger = createLogger({}, { level: 'error', write: () => true });

/** A document client that fails its n-th partial-sums write: a worker killed mid-flush, its window half written. */
function crashingOnSums(endpoint: string, failSumsWrite: number) {
  const client = createDocumentClient({ endpoint, region: 'eu-central-1' });
  let sumsWrites = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // The client's own command (UpdateItemCommand), its key marshalled or not depending on the step.
      const sk = (args.input as { Key?: { SK?: string | { S?: string } } }).Key?.SK;
      const sortKey = typeof sk === 'string' ? sk : sk?.S;
      if (context.commandName === 'UpdateItemCommand' && sortKey?.startsWith(valueKeys.segmentSumsPrefix) && ++sumsWrites === failSumsWrite) throw new Error('injected crash');
      return next(args);
    },
    { step: 'initialize', name: 'counter' },
  );
  return client;
}

describe('Function: runScoresLocally (DynamoDB Local, 1,000 dealers, 16 segments)', { timeout: 240_000 }, () => {
  const engine = ownEngine();
  let store: TestStore;

  beforeAll(async () => {
    store = await engine.createStore();
    await writePopulation(store, makePopulation(POPULATION, DEALERS, 29).map((c, i) => ({ ...c, dealerIds: [DEALERS[i % DEALERS.length]!] })));
  });
  afterAll(() => store.drop());

  it('writes every KPI sum of the brand and of every dealer equal to a direct computation from the customers, after a worker died mid-flush', async () => {
    // Prepare: segment 0's first worker flushes every page and dies on its 60th partial-sums write, its window half written
    const run = scoresRunFor(NIGHT, SEGMENTS);
    const crashing = crashingOnSums(store.endpoint, 60);
    await expect(runScoresSegment({ values: new ValueRepository({ doc: crashing, tableName: store.tableName }), logger }, run, 0, { pageSize: PAGE, flushPages: 1 })).rejects.toThrow('injected crash');

    // Act: every segment, segment 0 resuming with windows of another size than the dead worker's
    const stats = await runScoresLocally({ values: new ValueRepository(store), logger }, run, 4, { pageSize: PAGE, flushPages: 3 });

    // Assess: the direct computation — every stored customer with its stored scores, summed per month and scope
    expect(stats.reduce((n, s) => n + s.customersRead, 0)).toBe(POPULATION);
    const customers = (await itemsOfType(store, 'Customer')).map((item) => customerEntity.fromItem(item));
    expect(customers.filter((c) => c.value)).toHaveLength(POPULATION);
    const rollups = await itemsOfType(store, 'KpiRollup');
    for (const period of kpiPeriods(NIGHT)) {
      const expected: ScopedSums = {};
      for (const c of customers) accumulate(expected, c, c.value!, period);
      const written = Object.fromEntries(rollups.filter((r) => r.period === period).map((r) => [r.scope, r.sums]));
      expect(Object.keys(written)).toHaveLength(1 + DEALERS.length); // the brand and every dealer
      expect(Object.keys(written).sort()).toEqual(Object.keys(expected).sort());
      for (const scope of Object.keys(expected)) expect(written[scope], `${period} ${scope}`).toEqual(expected[scope]);
    }
    expect((await itemsOfType(store, 'ScoreRunSegmentSums')).length).toBeGreaterThan(2_000);
    // The reduction follows its Query to the last page: with pages cut to 100 items it reads the same sums.
    const paged = createDocumentClient({ endpoint: store.endpoint, region: 'eu-central-1' });
    let queries = 0;
    paged.middlewareStack.add((next) => async (args) => (queries++, next({ ...args, input: { ...(args.input as object), Limit: 100 } })), { step: 'initialize', name: 'smallPages' });
    const merged = await new ValueRepository({ doc: paged, tableName: store.tableName }).runSums(run.runId);
    expect(queries).toBeGreaterThan(20);
    for (const period of kpiPeriods(NIGHT)) expect(merged.get(period)).toEqual(Object.fromEntries(rollups.filter((r) => r.period === period).map((r) => [r.scope, r.sums])));
    // Checkpoints stay small whatever the number of dealers.
    const checkpoints = await itemsOfType(store, 'ScoreRunSegment');
    expect(checkpoints).toHaveLength(SEGMENTS);
    for (const c of checkpoints) expect(JSON.stringify(c).length).toBeLessThan(1_024);
  });
});
