import { customerKeys, type CustomerRecord } from '../customer/customer.js';
import { InvariantError, PaddockError } from '../shared/errors.js';
import { inBatches } from '../shared/in-batches.js';
import type { Logger } from '../shared/logger.js';
import { emitJobCounts, POISON_RECORDS_METRIC } from '../shared/metrics.js';
import { isRecordRejected } from '../store/job-failures.js';
import type { Key } from '../store/table.js';
import type { ValueRepository } from '../value/value-repository.js';
import type { OfferDefinition } from './catalogue.js';
import { planDecisions } from './decide.js';
import type { OfferRepository } from './offer-repository.js';
import type { OfferBookRecord } from './offer-records.js';

/**
 * The nightly offers job: every customer's next best offers, one parallel-scan segment
 * per worker, like the scores job (and an hour after it, so it ranks on that night's
 * scores).
 *
 * A worker scans its segment of the customer profiles (the scores job's scan: one read of
 * each profile), reads the page's offer books and club memberships in one BatchGetItem,
 * plans each customer (`planDecisions`, pure) and writes a plan only when it changes
 * something — one transaction per customer, conditioned on the book's version. So:
 *
 * - *idempotent per customer and day*: a second run the same day plans from the book the
 *   first one wrote and finds nothing to do (open decisions are not decided again, the
 *   caps count today's); two workers on one customer cannot both decide — the loser's
 *   transaction fails on the book's version, and it re-reads and plans again (nothing);
 * - *resumable*: a checkpoint after every page (where to resume, counters), saved only
 *   over the progress its worker read (`SegmentCheckpoints`); a replayed page is harmless
 *   for the reason above;
 * - *reads each customer's data once*: the profile in the scan, the book and membership in
 *   the page's batch — plus one consistent re-read of a book that moved meanwhile.
 *
 * A customer that cannot be processed (a profile or book that does not parse, a plan
 * DynamoDB refuses to store) is skipped, counted, logged and listed under the run's job
 * failures; the segment completes for everyone else.
 */
export interface OffersRun {
  runId: string;
  now: Date;
  /** The run's day (`YYYY-MM-DD`, UTC): one run a day. */
  day: string;
  totalSegments: number;
}

export interface OffersSegmentState {
  lastKey?: Record<string, unknown>;
  pages: number;
  done: boolean;
  scanComplete?: boolean;
  customersRead: number;
  /** New decisions written (treatment and holdout). */
  decided: number;
  heldOut: number;
  /** Open decisions closed (expired or withdrawn). */
  closed: number;
  /** Customers whose plan changed nothing (no write). */
  unchanged: number;
  /** Plans written again after the book moved under them. */
  replanned: number;
  poisoned: number;
  /** Read units of the scans (the page batches are counted in `batchReads`). */
  readUnits: number;
  batchReads: number;
}

export interface OffersSegmentStats extends Omit<OffersSegmentState, 'lastKey' | 'done' | 'scanComplete' | 'pages'> {
  segment: number;
  complete: boolean;
  /** True when another worker on the same segment was ahead (or done): this one stepped aside. */
  superseded?: boolean;
}

export interface OffersJobDeps {
  offers: OfferRepository;
  values: Pick<ValueRepository, 'scanSegment' | 'failures'>;
  logger: Logger;
}

export const OFFERS_JOB = 'offers';

/** Attempts at one customer's plan when the book keeps moving (a response or a conversion meanwhile). */
const MAX_PLAN_ATTEMPTS = 4;

/** The run of a day: the same day always gives the same run. */
export function offersRunFor(now: Date, totalSegments: number): OffersRun {
  const day = now.toISOString().slice(0, 10);
  return { runId: `offers-${day}`, now, day, totalSegments };
}

const emptyState = (): OffersSegmentState => ({ pages: 0, done: false, customersRead: 0, decided: 0, heldOut: 0, closed: 0, unchanged: 0, replanned: 0, poisoned: 0, readUnits: 0, batchReads: 0 });

/** Decides one segment of a run, resuming from its checkpoint. */
export async function runOffersSegment(
  deps: OffersJobDeps,
  run: OffersRun,
  segment: number,
  { pageSize = 100, concurrency = 8, shouldStop }: { pageSize?: number; concurrency?: number; shouldStop?: () => boolean } = {},
): Promise<OffersSegmentStats> {
  const checkpoints = deps.offers.checkpoints;
  const state: OffersSegmentState = { ...emptyState(), ...((await checkpoints.state(run.runId, segment)) ?? {}) };
  let poisonedNow = 0;
  const stats = (complete: boolean, superseded = false): OffersSegmentStats => {
    const { lastKey: _k, done: _d, scanComplete: _s, pages: _p, ...counts } = state;
    return { segment, complete, ...counts, ...(superseded ? { superseded } : {}) };
  };
  const stepAside = () => {
    deps.logger.info('offers segment taken over by another worker; stepping aside', { runId: run.runId, segment });
    return stats(true, true);
  };
  const poison = async (key: Key, error: unknown) => {
    state.poisoned++;
    poisonedNow++;
    deps.logger.error('offers job skipped a customer it could not process', { runId: run.runId, segment, key, error });
    await deps.values.failures.record(OFFERS_JOB, run.runId, key, error, run.now);
  };
  if (state.done) return stats(true);

  try {
    // The catalogue once per invocation: a few hundred items at most, the same for every customer.
    const catalogue = await deps.offers.allOffers();
    while (!state.scanComplete) {
      if (shouldStop?.()) return stats(false);
      const readPages = state.pages;
      const page = await deps.values.scanSegment(segment, run.totalSegments, pageSize, state.lastKey);
      for (const { key, error } of page.malformed) await poison(key, error);
      const offerState = page.customers.length ? await deps.offers.stateOf(page.customers.map((c) => c.id)) : { books: new Map(), members: new Set<string>(), malformed: new Map() };
      if (page.customers.length) state.batchReads++;
      await inBatches(page.customers, concurrency, async (customer) => {
        const bad = offerState.malformed.get(customer.id);
        if (bad) return poison(customerKeys.profile(customer.id), bad);
        try {
          await decideFor(deps, run, state, customer, offerState.members.has(customer.id), offerState.books.get(customer.id) ?? null, catalogue);
        } catch (error) {
          if (!isPoison(error)) throw error;
          return poison(customerKeys.profile(customer.id), error);
        }
      });
      state.customersRead += page.customers.length + page.malformed.length;
      state.readUnits += page.readUnits;
      state.lastKey = page.lastKey;
      state.scanComplete = !page.lastKey;
      state.pages++;
      if (!(await checkpoints.save(run.runId, segment, state, readPages))) return stepAside();
    }
    const { count, firstTime } = await checkpoints.count(run.runId, segment);
    if (count === run.totalSegments && firstTime) deps.logger.info('offers run complete', { runId: run.runId });
    if (!(await checkpoints.save(run.runId, segment, { ...state, done: true }, state.pages))) return stepAside();
    return stats(true);
  } finally {
    emitJobCounts(deps.logger, OFFERS_JOB, { [POISON_RECORDS_METRIC]: poisonedNow });
  }
}

/** A customer whose data the planner cannot read (planning is pure: whatever it throws is about the record). */
class UnplannableCustomerError extends PaddockError {
  constructor(customerId: string, override readonly cause: unknown) {
    super(`Could not plan offers for customer ${customerId}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'UnplannableCustomerError';
  }
}

/** A record the job cannot process (bad data, a write DynamoDB refuses), as opposed to a fault of the moment. */
function isPoison(error: unknown): boolean {
  return isRecordRejected(error) || error instanceof UnplannableCustomerError;
}

function planFor(input: Parameters<typeof planDecisions>[0]) {
  try {
    return planDecisions(input);
  } catch (error) {
    throw new UnplannableCustomerError(input.customer.id, error);
  }
}

/** Plans and writes one customer's night; a book that moved is read again (consistently) and planned again. */
async function decideFor(deps: OffersJobDeps, run: OffersRun, state: OffersSegmentState, customer: CustomerRecord, clubMember: boolean, book: OfferBookRecord | null, catalogue: readonly OfferDefinition[]): Promise<void> {
  let current = book;
  for (let attempt = 1; attempt <= MAX_PLAN_ATTEMPTS; attempt++) {
    const plan = planFor({ customer, clubMember, book: current, catalogue, now: run.now });
    const outcome = await deps.offers.applyPlan(customer, current, plan, run.now);
    if (outcome === 'UNCHANGED') {
      state.unchanged++;
      return;
    }
    if (outcome === 'WRITTEN') {
      state.decided += plan.decide.length;
      state.heldOut += plan.decide.filter((d) => d.holdout).length;
      state.closed += plan.close.length;
      return;
    }
    state.replanned++;
    current = await deps.offers.getBook(customer.id, true);
  }
  throw new InvariantError(`The offer book of customer ${customer.id} kept moving during ${MAX_PLAN_ATTEMPTS} attempts; the next run decides again`);
}

/** Locally (and in tests and the seed): the same worker code over every segment, a few at a time. */
export async function runOffersLocally(deps: OffersJobDeps, run: OffersRun, parallel = 4, options: Parameters<typeof runOffersSegment>[3] = {}): Promise<OffersSegmentStats[]> {
  const segments = Array.from({ length: run.totalSegments }, (_, i) => i);
  const results: OffersSegmentStats[] = [];
  for (let i = 0; i < segments.length; i += parallel) {
    results.push(...(await Promise.all(segments.slice(i, i + parallel).map((s) => runOffersSegment(deps, run, s, options)))));
  }
  return results;
}
