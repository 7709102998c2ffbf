import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.js';
import type { Store } from '../../src/store/store.js';
import { runScoresLocally, runScoresSegment, scoresRunFor } from '../../src/value/scores-job.js';
import { ValueRepository } from '../../src/value/value-repository.js';
import { makePopulation, writePopulation } from '../support/population.js';
import { crashingClient } from '../support/faults.js';
import { itemsOfType, ownEngine, type TestStore } from '../support/store.js';

/**
 * Sized for a busy machine: 1,000 customers still put ~125 in each of 8 segments (several
 * pages each, and a crash well inside segment 0) and ~500 in each half of a 2-segment run
 * (more than the three pages the early-stop test reads), at half the writes of 2,000.
 */
const POPULATION = 1_000;
const SEGMENTS = 8;
const NIGHT_1 = new Date('2026-12-01T02:00:00Z');
const NIGHT_2 = new Date('2026-12-02T02:00:00Z');
const logger = createLogger({}, { level: 'error', write: () => true });


/** A ValueRepository that remembers which customers each segment scanned. */
function spyingRepository(store: Store) {
  const repo = new ValueRepository(store);
  const seen = new Map<number, string[]>();
  const scanSegment = repo.scanSegment.bind(repo);
  repo.scanSegment = async (segment, total, limit, startKey) => {
    const page = await scanSegment(segment, total, limit, startKey);
    seen.set(segment, [...(seen.get(segment) ?? []), ...page.customers.map((c) => c.id)]);
    return page;
  };
  return { repo, seen };
}

/**
 * The scores job over a generated population of 1,000 customers, as a story of nights on
 * one table (DynamoDB Local slows down with every table a run creates, so the steps
 * share theirs): a crash and resume, a repeated run, the next night, an early stop.
 */
// A generous bound against a hung run, not a speed requirement: the file takes well under a minute idle.
describe('Function: runScoresSegment (DynamoDB Local, 1,000 customers)', { timeout: 240_000 }, () => {
  const engine = ownEngine();
  let store: TestStore;

  beforeAll(async () => {
    store = await engine.createStore();
    await writePopulation(store, makePopulation(POPULATION, ['D1', 'D2', 'D3']));
  });
  afterAll(() => store.drop());

  it('night 1: a worker crashes mid-segment; its redelivery resumes, and everyone is scored and counted once', async () => {
    // Prepare: segment 0's first worker fails on its 40th score write
    const run = scoresRunFor(NIGHT_1, SEGMENTS);
    const crashing = crashingClient(store.endpoint, 40);
    await expect(runScoresSegment({ values: new ValueRepository({ doc: crashing, tableName: store.tableName }), logger }, run, 0)).rejects.toThrow('injected crash');
    // Act: all segments (segment 0 resumes from its checkpoint)
    const stats = await runScoresLocally({ values: new ValueRepository(store), logger }, run);
    // Assess
    expect(stats.reduce((s, x) => s + x.customersRead, 0)).toBe(POPULATION);
    expect(stats.filter((s) => s.wroteKpis)).toHaveLength(1);
    const customers = await itemsOfType(store, 'Customer');
    expect(customers.filter((c) => c.value?.modelVersion && c.GSI4PK === 'CUSTOMERVALUE')).toHaveLength(POPULATION);
    // Every customer got a first tier: one CustomerTierChanged event each, none twice.
    const tierEvents = (await itemsOfType(store, 'OutboxEvent')).filter((e) => e.eventType === 'CustomerTierChanged');
    expect(new Set(tierEvents.map((e) => e.detail.customerId)).size).toBe(POPULATION);
    expect(tierEvents).toHaveLength(POPULATION);
    const rollups = await itemsOfType(store, 'KpiRollup');
    expect(rollups.filter((r) => r.period === '2026-11').map((r) => r.scope).sort()).toEqual(['BRAND', 'DEALER#D1', 'DEALER#D2', 'DEALER#D3']);
    expect(rollups.find((r) => r.period === '2026-11' && r.scope === 'BRAND')!.sums.customersScored).toBe(POPULATION);
  });

  it('night 1 again: the same run finds every segment done and reads nothing', async () => {
    const { repo, seen } = spyingRepository(store);
    const again = await runScoresLocally({ values: repo, logger }, scoresRunFor(NIGHT_1, SEGMENTS));
    expect(again.every((s) => s.complete && !s.wroteKpis)).toBe(true);
    expect([...seen.values()].flat()).toHaveLength(0);
  });

  it('a second run over unchanged facts at the same instant writes nothing', async () => {
    const stats = await runScoresLocally({ values: new ValueRepository(store), logger }, { runId: 'manual-rerun', now: NIGHT_1, totalSegments: SEGMENTS });
    expect(stats.reduce((s, x) => s + x.customersRead, 0)).toBe(POPULATION);
    expect(stats.reduce((s, x) => s + x.changed, 0)).toBe(0);
  });

  it('night 2: segments partition the customers, each read once, and only real changes are written', async () => {
    const before = (await itemsOfType(store, 'OutboxEvent')).length;
    const { repo, seen } = spyingRepository(store);
    const stats = await runScoresLocally({ values: repo, logger }, scoresRunFor(NIGHT_2, SEGMENTS));
    const ids = [...seen.values()].flat();
    expect(ids).toHaveLength(POPULATION);
    expect(new Set(ids).size).toBe(POPULATION);
    expect(seen.size).toBe(SEGMENTS);
    const changed = stats.reduce((s, x) => s + x.changed, 0);
    // A night later only customers crossing a whole month since their last contact (or a rounding step) change.
    expect(changed).toBeLessThan(POPULATION * 0.1);
    expect((await itemsOfType(store, 'OutboxEvent')).length - before).toBeLessThanOrEqual(changed);
    // Read units per customer: one profile item each (DynamoDB Local reports what AWS would charge).
    const units = stats.reduce((s, x) => s + x.readUnits, 0);
    expect(units / POPULATION).toBeLessThan(2);
  });

  it('a worker told to stop between pages leaves a checkpoint; the next delivery finishes the segment', async () => {
    const run = scoresRunFor(new Date('2026-12-03T02:00:00Z'), 2);
    let pages = 0;
    const first = await runScoresSegment({ values: new ValueRepository(store), logger }, run, 0, { shouldStop: () => pages++ >= 3 });
    expect(first).toMatchObject({ complete: false, customersRead: 300 });
    const rest = await runScoresSegment({ values: new ValueRepository(store), logger }, run, 0);
    const other = await runScoresSegment({ values: new ValueRepository(store), logger }, run, 1);
    expect(rest.customersRead + other.customersRead).toBe(POPULATION);
    expect(other.wroteKpis).toBe(true);
  });
});
