import { inBatches } from '../shared/in-batches.js';
import type { Logger } from '../shared/logger.js';
import { accumulate, mergeScoped, type ScopedSums } from './kpis.js';
import { scoreCustomer, valueChanged } from './scoring.js';
import type { SegmentState, ValueRepository } from './value-repository.js';

/**
 * The nightly scores job, one parallel-scan segment at a time.
 *
 * A run is identified by its scheduled time; a coordinator hands each of its segments to
 * a worker (an SQS message in AWS; a loop locally). A worker scans its segment of the
 * customer profiles — each customer read once, all their facts on that one item —
 * scores each, writes the scores only when they changed (with a `CustomerTierChanged`
 * event when the tier moved), and adds the customer into the KPI sums of the run's
 * months. After every page it checkpoints where it is and the sums so far: a worker that
 * dies or runs out of time resumes from the checkpoint, and a finished segment is counted
 * exactly once. The worker that completes the last segment merges all segments' sums and
 * writes the KPI roll-ups.
 */
export interface ScoresRun {
  runId: string;
  now: Date;
  totalSegments: number;
}

export interface SegmentStats {
  segment: number;
  customersRead: number;
  changed: number;
  tierChanges: number;
  readUnits: number;
  /** False when the worker stopped early; the next delivery resumes. */
  complete: boolean;
  /** True for the worker that finished the run and wrote the KPIs. */
  wroteKpis: boolean;
}

/** The run of a scheduled time: the same schedule always gives the same run. */
export function scoresRunFor(now: Date, totalSegments: number): ScoresRun {
  return { runId: `scores-${now.toISOString()}`, now, totalSegments };
}

/** The months a run rolls KPIs up for: the current one and the one just closed. */
export function kpiPeriods(now: Date): string[] {
  const current = now.toISOString().slice(0, 7);
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  return [previous, current];
}

export async function runScoresSegment(
  deps: { values: ValueRepository; logger: Logger },
  run: ScoresRun,
  segment: number,
  { pageSize = 100, concurrency = 8, shouldStop }: { pageSize?: number; concurrency?: number; shouldStop?: () => boolean } = {},
): Promise<SegmentStats> {
  const periods = kpiPeriods(run.now);
  const state: SegmentState = (await deps.values.segmentState(run.runId, segment)) ?? {
    sums: Object.fromEntries(periods.map((p) => [p, {}])),
    customersRead: 0,
    changed: 0,
    tierChanges: 0,
    readUnits: 0,
    done: false,
  };
  const stats = (complete: boolean, wroteKpis = false): SegmentStats => ({
    segment,
    customersRead: state.customersRead,
    changed: state.changed,
    tierChanges: state.tierChanges,
    readUnits: state.readUnits,
    complete,
    wroteKpis,
  });
  if (state.done) return stats(true);

  while (!state.scanComplete) {
    if (shouldStop?.()) return stats(false);
    const page = await deps.values.scanSegment(segment, run.totalSegments, pageSize, state.lastKey);
    await inBatches(page.customers, concurrency, async (customer) => {
      const value = scoreCustomer(customer, run.now);
      const changed = valueChanged(customer.value, value);
      if (changed) {
        const { tierChanged } = await deps.values.writeValue(customer, value);
        state.changed++;
        if (tierChanged) state.tierChanges++;
      }
      // The KPIs count the customer's current scores, changed or not.
      for (const period of periods) accumulate((state.sums[period] ??= {}), customer, changed ? value : customer.value!, period);
    });
    state.customersRead += page.customers.length;
    state.readUnits += page.readUnits;
    state.lastKey = page.lastKey;
    state.scanComplete = !page.lastKey;
    await deps.values.saveSegmentState(run.runId, segment, state);
  }

  // Count the segment once on the run; whoever brings the count to the total writes the KPIs.
  // A redelivery of the last segment (its worker died after counting) writes them again: harmless, same sums.
  const { count, firstTime } = await deps.values.countSegment(run.runId, segment);
  const last = count === run.totalSegments;
  if (last) {
    await writeRunKpis(deps.values, run);
    deps.logger.info('scores run complete: KPIs written', { runId: run.runId, redelivered: !firstTime });
  }
  await deps.values.saveSegmentState(run.runId, segment, { ...state, done: true });
  return stats(true, last);
}

/** Merges every segment's sums and writes the run's KPI roll-ups. */
export async function writeRunKpis(values: ValueRepository, run: ScoresRun): Promise<void> {
  const states = await values.segmentStates(run.runId);
  for (const period of kpiPeriods(run.now)) {
    const merged: ScopedSums = {};
    for (const s of states) mergeScoped(merged, s.sums[period] ?? {});
    await values.writeKpis(period, merged, run.runId, run.now.toISOString());
  }
}

/** Locally (and in tests): the same worker code over every segment, a few at a time. */
export async function runScoresLocally(deps: { values: ValueRepository; logger: Logger }, run: ScoresRun, parallel = 4): Promise<SegmentStats[]> {
  const segments = Array.from({ length: run.totalSegments }, (_, i) => i);
  const results: SegmentStats[] = [];
  for (let i = 0; i < segments.length; i += parallel) {
    results.push(...(await Promise.all(segments.slice(i, i + parallel).map((s) => runScoresSegment(deps, run, s)))));
  }
  return results;
}
