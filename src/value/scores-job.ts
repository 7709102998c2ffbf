import { customerKeys } from '../customer/customer.js';
import { inBatches } from '../shared/in-batches.js';
import type { Logger } from '../shared/logger.js';
import { emitJobCounts, POISON_RECORDS_METRIC } from '../shared/metrics.js';
import { isRecordRejected } from '../store/job-failures.js';
import type { Key } from '../store/table.js';
import { accumulate, mergeScoped, type KpiSums, type ScopedSums } from './kpis.js';
import { scoreCustomer, valueChanged, type CustomerValue } from './scoring.js';
import type { SegmentState, ValueRepository } from './value-repository.js';

/**
 * The nightly scores job, one parallel-scan segment at a time.
 *
 * A run is identified by its scheduled time; a coordinator hands each of its segments to
 * a worker (an SQS message in AWS; a loop locally). A worker scans its segment of the
 * customer profiles — each customer read once, all their facts on that one item —
 * scores each, writes the scores only when they changed (with a `CustomerTierChanged`
 * event when the tier moved), and adds the customer into the KPI sums of the run's
 * months.
 *
 * KPI sums scale with dealers by living in their own items: one per segment × month ×
 * scope (the brand, each dealer), about 0.5 KB whatever the number of dealers. A worker
 * keeps the sums of a window of pages in memory and flushes them — one `ADD` per scope
 * the window touched — every `flushPages` pages, when told to stop, and at the segment's
 * end; then it saves the segment's checkpoint, which holds only where to resume and a
 * few counters. A worker that dies or runs out of time resumes from the checkpoint and
 * replays at most one window, each page landing once in each scope (see
 * `addSegmentSums`); a finished segment is counted exactly once. The worker that
 * completes the last segment reads all segments' partial items (a paginated Query),
 * merges them and writes the KPI roll-ups, whose items keep their shape.
 *
 * Why windows of pages: a flush writes one item per scope the window touched, so its cost
 * is the number of distinct dealers in the window, not its customers (see `FLUSH_PAGES`
 * and `npm run bench` for the measured figures).
 */
export interface ScoresRun {
  runId: string;
  now: Date;
  totalSegments: number;
}

export interface SegmentStats {
  segment: number;
  customersRead: number;
  /** Partial-sum items written (one per scope and month a flush window touched). */
  sumWrites: number;
  changed: number;
  tierChanges: number;
  readUnits: number;
  /** Customers skipped because they could not be processed; listed under the run's job failures. */
  poisoned: number;
  /** False when the worker stopped early; the next delivery resumes. */
  complete: boolean;
  /** True for the worker that finished the run and wrote the KPIs. */
  wroteKpis: boolean;
  /** True when another worker on the same segment was ahead (or done): this one stepped aside. */
  superseded?: boolean;
}

export const SCORES_JOB = 'scores';

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

/**
 * Scores one segment of a run, resuming from its checkpoint.
 *
 * One customer that cannot be processed — a malformed item, scores DynamoDB refuses to
 * store (an item at its size limit) — is skipped, counted, logged with its key and listed
 * under the run's job failures; the segment and the run complete for everyone else, and
 * the KPIs count everyone else. Faults that are not about the record (throttling, network)
 * still fail the segment, which is redelivered and resumes.
 *
 * Two workers on one segment (SQS delivers at least once): every checkpoint is saved over
 * the progress its worker read, so only one advances; the other steps aside quietly and
 * successfully, and a finished segment is counted once.
 */
export async function runScoresSegment(
  deps: { values: ValueRepository; logger: Logger },
  run: ScoresRun,
  segment: number,
  { pageSize = 100, concurrency = 8, flushPages = FLUSH_PAGES, shouldStop }: { pageSize?: number; concurrency?: number; flushPages?: number; shouldStop?: () => boolean } = {},
): Promise<SegmentStats> {
  const periods = kpiPeriods(run.now);
  const state: SegmentState = (await deps.values.segmentState(run.runId, segment)) ?? {
    customersRead: 0,
    pages: 0,
    poisoned: 0,
    changed: 0,
    tierChanges: 0,
    readUnits: 0,
    done: false,
  };
  state.pages ??= 0;
  state.poisoned ??= 0;
  state.sumWrites ??= 0;
  let poisonedNow = 0;
  const stats = (complete: boolean, extra: Partial<SegmentStats> = {}): SegmentStats => ({
    segment,
    customersRead: state.customersRead,
    sumWrites: state.sumWrites ?? 0,
    changed: state.changed,
    tierChanges: state.tierChanges,
    readUnits: state.readUnits,
    poisoned: state.poisoned,
    complete,
    wroteKpis: false,
    ...extra,
  });
  const stepAside = () => {
    deps.logger.info('scores segment taken over by another worker; stepping aside', { runId: run.runId, segment });
    return stats(true, { superseded: true });
  };
  const poison = async (key: Key, error: unknown) => {
    state.poisoned++;
    poisonedNow++;
    deps.logger.error('scores job skipped a customer it could not process', { runId: run.runId, segment, key, error });
    await deps.values.failures.record(SCORES_JOB, run.runId, key, error, run.now);
  };
  if (state.done) return stats(true);

  try {
    while (!state.scanComplete) {
      if (shouldStop?.()) return stats(false);
      // A window of pages: their sums per page (so a replay can add only what an item lacks), flushed together.
      const after = state.pages;
      const window: { page: number; sums: Record<string, ScopedSums> }[] = [];
      do {
        const page = await deps.values.scanSegment(segment, run.totalSegments, pageSize, state.lastKey);
        for (const { key, error } of page.malformed) await poison(key, error);
        // Sums of this page only: a customer that fails half-way adds nothing.
        const pageSums: Record<string, ScopedSums> = Object.fromEntries(periods.map((p) => [p, {}]));
        await inBatches(page.customers, concurrency, async (customer) => {
          const key = customerKeys.profile(customer.id);
          let value: CustomerValue;
          const sums: Record<string, ScopedSums> = {};
          try {
            value = scoreCustomer(customer, run.now);
            // The KPIs count the customer's current scores, changed or not.
            const current = valueChanged(customer.value, value) ? value : customer.value!;
            for (const period of periods) accumulate((sums[period] = {}), customer, current, period);
          } catch (error) {
            return poison(key, error); // bad data: scoring or the KPIs cannot read it
          }
          if (valueChanged(customer.value, value)) {
            try {
              const { written, tierChanged } = await deps.values.writeValue(customer, value);
              if (written) state.changed++;
              if (tierChanged) state.tierChanges++;
            } catch (error) {
              if (!isRecordRejected(error)) throw error;
              return poison(key, error);
            }
          }
          for (const period of periods) mergeScoped(pageSums[period]!, sums[period]!);
        });
        state.customersRead += page.customers.length + page.malformed.length;
        state.readUnits += page.readUnits;
        state.lastKey = page.lastKey;
        state.scanComplete = !page.lastKey;
        state.pages++;
        window.push({ page: state.pages, sums: pageSums });
      } while (!state.scanComplete && state.pages - after < flushPages && !shouldStop?.());
      state.sumWrites! += await flushWindow(deps.values, run, segment, window, after, state.pages);
      if (!(await deps.values.saveSegmentState(run.runId, segment, state, after))) return stepAside();
    }

    // Count the segment once on the run; whoever brings the count to the total writes the KPIs.
    // A redelivery of the last segment (its worker died after counting) writes them again: harmless, same sums.
    const { count, firstTime } = await deps.values.countSegment(run.runId, segment);
    const last = count === run.totalSegments;
    if (last) {
      await writeRunKpis(deps.values, run);
      deps.logger.info('scores run complete: KPIs written', { runId: run.runId, redelivered: !firstTime });
    }
    if (!(await deps.values.saveSegmentState(run.runId, segment, { ...state, done: true }, state.pages))) return stepAside();
    return stats(true, { wroteKpis: last });
  } finally {
    emitJobCounts(deps.logger, SCORES_JOB, { [POISON_RECORDS_METRIC]: poisonedNow });
  }
}

/**
 * Pages between two flushes of the partial KPI sums (and two checkpoints). A flush costs
 * one write per scope its window touched, so longer windows cost less per customer until
 * they hold a whole segment: measured at 1,000 dealers (`npm run bench`), 2.25 write units
 * a customer for windows of 1 page, 1.50 for 10 and 0.76 for 50 (a segment of 25 pages in
 * one window); the old checkpoints cost 2.79 there, and failed to save past ~400 KB. At
 * ~3,900 customers a segment (the deployed fan-out at 1M), 50 pages is nearly a segment;
 * a crash replays at most that much (2–6 minutes), a stop flushes at once.
 */
export const FLUSH_PAGES = 50;

/**
 * Writes a window's sums: one `ADD` per month and scope the window touched (a dealer none
 * of the window's customers touched costs nothing). Returns the number of items written.
 */
async function flushWindow(values: ValueRepository, run: ScoresRun, segment: number, window: readonly { page: number; sums: Record<string, ScopedSums> }[], after: number, through: number): Promise<number> {
  const writes: { period: string; scope: string; pages: { page: number; sums: KpiSums }[] }[] = [];
  for (const period of kpiPeriods(run.now)) {
    const byScope = new Map<string, { page: number; sums: KpiSums }[]>();
    for (const { page, sums } of window) for (const [scope, s] of Object.entries(sums[period] ?? {})) byScope.set(scope, [...(byScope.get(scope) ?? []), { page, sums: s }]);
    for (const [scope, pages] of byScope) writes.push({ period, scope, pages });
  }
  await inBatches(writes, FLUSH_CONCURRENCY, (w) => values.addSegmentSums(run.runId, segment, w.period, w.scope, w.pages, after, through));
  return writes.length;
}

/** Partial-sum writes in flight at once during a flush. */
const FLUSH_CONCURRENCY = 16;

/** Merges every segment's sums and writes the run's KPI roll-ups. */
export async function writeRunKpis(values: ValueRepository, run: ScoresRun): Promise<void> {
  const merged = await values.runSums(run.runId);
  for (const period of kpiPeriods(run.now)) await values.writeKpis(period, merged.get(period) ?? {}, run.runId, run.now.toISOString());
}

/** Locally (and in tests): the same worker code over every segment, a few at a time. */
export async function runScoresLocally(deps: { values: ValueRepository; logger: Logger }, run: ScoresRun, parallel = 4, options: Parameters<typeof runScoresSegment>[3] = {}): Promise<SegmentStats[]> {
  const segments = Array.from({ length: run.totalSegments }, (_, i) => i);
  const results: SegmentStats[] = [];
  for (let i = 0; i < segments.length; i += parallel) {
    results.push(...(await Promise.all(segments.slice(i, i + parallel).map((s) => runScoresSegment(deps, run, s, options)))));
  }
  return results;
}
