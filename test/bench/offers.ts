/**
 * `npm run bench -- --only offers`: the nightly offers job over the scores bench's
 * population (10,000 generated customers, 5 dealers), with consents, cars and club
 * memberships so that the default catalogue has something to decide:
 *
 * a. decisions per second, customers per second and ms per customer per worker, on the
 *    first night (every decision new), the same day again (nothing to write) and a month
 *    later (every open decision expires, new ones fill the slots: books updated);
 * b. read units per customer, by request kind, against the target — each customer's data
 *    read once: the profile in the scan, the offer book and club membership in one
 *    BatchGetItem per page — and write units per decision;
 * c. a first night at 1M customers projected onto the deployed fan-out.
 *
 * Units are what DynamoDB Local reports with ReturnConsumedCapacity (it charges as AWS
 * does), summed by a client middleware, so the job's code is measured unchanged.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OFFERS_FAN_OUT, OFFERS_TIMEOUT } from '../../infra/stacks/jobs-stack.js';
import { membershipEntity } from '../../src/club/club-records.js';
import { customerEntity, emptyVehicleCounts, type CustomerRecord } from '../../src/customer/customer.js';
import { DEFAULT_CATALOGUE } from '../../src/offers/default-catalogue.js';
import { OfferRepository } from '../../src/offers/offer-repository.js';
import { offersRunFor, runOffersLocally, type OffersSegmentStats } from '../../src/offers/offers-job.js';
import { createLogger } from '../../src/shared/logger.js';
import { batchPutItems } from '../../src/store/batch.js';
import type { Store } from '../../src/store/store.js';
import { runScoresLocally, scoresRunFor } from '../../src/value/scores-job.js';
import { ValueRepository } from '../../src/value/value-repository.js';
import { makePopulation } from '../support/population.js';

type Print = (line?: string) => void;
type WithTable = <T>(tableName: string, work: (store: Store & { doc: DynamoDBDocumentClient; endpoint: string }) => Promise<T>) => Promise<T>;

const POPULATION = 10_000;
const SEGMENTS = 8;
const PARALLEL = 4;
/** Lambda stops taking pages this long before its timeout (handlers/job-invocation.ts). */
const STOP_MARGIN_MS = 60_000;
/** The low-level commands the document client's middleware sees. */
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);
const WRITES = new Set(['TransactWriteItemsCommand', 'UpdateItemCommand', 'PutItemCommand', 'BatchWriteItemCommand']);

/**
 * The scores bench's population made reachable by offers: 80 % consent to e-mail, 60 % to
 * push too; everyone owns the car of their purchase (vehicle counts and VINs); every tenth
 * customer is an active club member.
 */
function offersPopulation(): { customers: CustomerRecord[]; members: string[] } {
  const customers = makePopulation(POPULATION, ['D1', 'D2', 'D3', 'D4', 'D5']).map((c, i) => {
    const purchase = c.aggregates.purchases[0]!;
    const at = '2025-06-01T10:00:00.000Z';
    return {
      ...c,
      consents: {
        ...(i % 10 < 8 ? { EMAIL: { channel: 'EMAIL' as const, granted: true, source: 'owners-app', recordedAt: at } } : {}),
        ...(i % 10 < 6 ? { PUSH: { channel: 'PUSH' as const, granted: true, source: 'owners-app', recordedAt: at } } : {}),
      },
      vehicleCounts: { ...emptyVehicleCounts(), [purchase.modelLine]: 1 },
      vehicleVins: [purchase.vin],
    };
  });
  return { customers, members: customers.filter((_, i) => i % 10 === 5).map((c) => c.id) };
}

/** Read and write units and items by command, from what DynamoDB reports. */
function meter(doc: DynamoDBDocumentClient) {
  let units = new Map<string, number>();
  let requests = new Map<string, number>();
  let itemsRead = new Map<string, number>();
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      if (!READS.has(command) && !WRITES.has(command)) return next(args);
      (args.input as Record<string, unknown>).ReturnConsumedCapacity ??= 'TOTAL';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[]; Items?: unknown[]; Item?: unknown; Responses?: Record<string, unknown[]> };
      const kind = command.replace(/(Item|Items)?Command$/, '');
      units.set(kind, (units.get(kind) ?? 0) + [output.ConsumedCapacity ?? []].flat().reduce((n, c) => n + (c.CapacityUnits ?? 0), 0));
      requests.set(kind, (requests.get(kind) ?? 0) + 1);
      if (READS.has(command)) itemsRead.set(kind, (itemsRead.get(kind) ?? 0) + (output.Items?.length ?? (output.Item ? 1 : 0) + Object.values(output.Responses ?? {}).reduce((n, items) => n + items.length, 0)));
      return result;
    },
    { step: 'initialize', name: 'offersBenchMeter' },
  );
  return {
    reset: () => ((units = new Map()), (requests = new Map()), (itemsRead = new Map())),
    get: () => ({ units, requests, itemsRead }),
  };
}

const total = (stats: readonly OffersSegmentStats[], key: 'customersRead' | 'decided' | 'heldOut' | 'closed' | 'unchanged' | 'replanned' | 'poisoned' | 'batchReads') => stats.reduce((n, s) => n + s[key], 0);
const sumOf = (m: Map<string, number>, kinds: readonly string[]) => kinds.reduce((n, k) => n + (m.get(k) ?? 0), 0);
const per = (m: Map<string, number>, n: number, kinds: readonly string[]) =>
  kinds
    .filter((k) => m.has(k))
    .map((k) => `${k} ${((m.get(k) ?? 0) / n).toFixed(3)}`)
    .join(', ');

export async function offersBench({ withTable, print }: { withTable: WithTable; print: Print }): Promise<void> {
  const logger = createLogger({}, { level: 'error' });
  let firstNightMs = 0;
  let firstNightDecisionsPerCustomer = 0;
  let firstNightWriteUnits = 0;

  await withTable('paddock-bench-offers', async (store) => {
    const { customers, members } = offersPopulation();
    await batchPutItems(store.doc, store.tableName, customers.map(customerEntity.toItem));
    const at = '2026-01-10T10:00:00.000Z';
    await batchPutItems(
      store.doc,
      store.tableName,
      members.map((customerId, i) => membershipEntity.toItem(membershipEntity.make({ customerId, number: `PC${String(i).padStart(8, '0')}`, level: 'MEMBER', balance: 0, earnedTotal: 0, redeemedTotal: 0, expiredTotal: 0, owed: 0, qualifying: {}, levelReviewOn: undefined, joinedAt: at }))),
    );
    const offers = new OfferRepository(store);
    for (const content of DEFAULT_CATALOGUE) await offers.saveOffer({ ...content, version: 1, status: 'ACTIVE', createdAt: at, createdBy: 'admin:bench' }, null);
    const values = new ValueRepository(store);
    // The night's scores first: offers rank on them (and no scores, no offer).
    await runScoresLocally({ values, logger }, scoresRunFor(new Date('2026-12-01T02:00:00Z'), SEGMENTS), PARALLEL);

    const metered = meter(store.doc);
    print(`10. Offers job over ${POPULATION.toLocaleString('en')} customers (the scores bench's population; 80 % e-mail consent, 60 % push, 10 % club members; the default catalogue of ${DEFAULT_CATALOGUE.length} offers; ${SEGMENTS} segments, ${PARALLEL} workers at a time)`);
    const nights = [
      ['first night (every decision new)', '2026-12-01T03:00:00Z', undefined],
      ['the same day again (another run id: every plan unchanged)', '2026-12-01T03:00:00Z', 'offers-bench-rerun'],
      ['a month later (night 1’s decisions expire; slots refilled where caps allow)', '2027-01-01T03:00:00Z', undefined],
    ] as const;
    for (const [label, now, runId] of nights) {
      metered.reset();
      const run = { ...offersRunFor(new Date(now), SEGMENTS), ...(runId ? { runId } : {}) };
      const started = performance.now();
      const stats = await runOffersLocally({ offers, values, logger }, run, PARALLEL);
      const seconds = (performance.now() - started) / 1000;
      const { units, requests, itemsRead } = metered.get();
      const read = total(stats, 'customersRead');
      const decided = total(stats, 'decided');
      const msPerCustomer = (seconds * 1000 * PARALLEL) / read;
      const readUnits = sumOf(units, ['Scan', 'BatchGet', 'Get', 'Query']);
      const writeUnits = sumOf(units, ['TransactWrite', 'Update', 'Put', 'BatchWrite']);
      if (!firstNightMs) ((firstNightMs = msPerCustomer), (firstNightDecisionsPerCustomer = decided / read), (firstNightWriteUnits = writeUnits / read));
      print(`   ${label}: ${read} customers in ${seconds.toFixed(1)} s (${(read / seconds).toFixed(0)}/s, ${msPerCustomer.toFixed(1)} ms per customer per worker); ${decided} decisions (${total(stats, 'heldOut')} holdout) → ${(decided / seconds).toFixed(0)} decisions/s; ${total(stats, 'closed')} closed, ${total(stats, 'unchanged')} unchanged, ${total(stats, 'replanned')} re-planned, ${total(stats, 'poisoned')} skipped`);
      print(`      read units ${(readUnits / read).toFixed(3)} per customer (${per(units, read, ['Scan', 'BatchGet', 'Get', 'Query'])}); items read per customer ${per(itemsRead, read, ['Scan', 'BatchGet', 'Get', 'Query'])}`);
      print(`      requests: ${[...requests.entries()].map(([k, n]) => `${k} ${n}`).join(', ')} — ${(requests.get('BatchGet') ?? 0)} BatchGet for ${total(stats, 'batchReads')} pages; GetItem per customer ${((requests.get('Get') ?? 0) / read).toFixed(3)} (checkpoints and re-read books only)`);
      const changes = decided + total(stats, 'closed');
      print(`      write units ${(writeUnits / read).toFixed(2)} per customer${changes ? `, ${(sumOf(units, ['TransactWrite']) / changes).toFixed(2)} per decision or close (each customer's in one transaction: decisions, closes, events, book, statistics)` : ''} (${per(units, read, ['TransactWrite', 'Update', 'Put'])})`);
    }
  });

  // c. A first night at 1M customers on the deployed fan-out.
  const budgetMin = (OFFERS_TIMEOUT.toMilliseconds() - STOP_MARGIN_MS) / 60_000;
  const { segments, workers, maxReceives } = OFFERS_FAN_OUT;
  const perSegmentMin = ((1_000_000 / segments) * firstNightMs) / 60_000;
  const invocations = Math.ceil(perSegmentMin / budgetMin);
  const verdict = invocations > maxReceives ? `needs ${invocations} receives: DLQ after ${maxReceives}` : `${invocations} invocation(s) of ${budgetMin} min, ${((perSegmentMin / budgetMin) * 100).toFixed(0)} % of the first`;
  const customersPerSecond = (workers * 1000) / firstNightMs;
  print(`   Projection: first night at 1,000,000 customers at ${firstNightMs.toFixed(1)} ms per customer per worker, deployed fan-out (${segments} segments, ${workers} workers): ${(1_000_000 / segments).toFixed(0)} customers a segment, ${perSegmentMin.toFixed(1)} min each → ${verdict}; night ≈ ${(Math.ceil(segments / workers) * perSegmentMin).toFixed(0)} min`);
  print(`      ≈ ${(customersPerSecond * firstNightDecisionsPerCustomer).toFixed(0)} decisions/s at ${customersPerSecond.toFixed(0)} customers/s × ${firstNightWriteUnits.toFixed(1)} write units ≈ ${(customersPerSecond * firstNightWriteUnits).toFixed(0)} WCU/s`);
}
