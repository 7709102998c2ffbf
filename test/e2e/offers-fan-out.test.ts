import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { readOffersCoordinatorConfig } from '../../src/config.js';
import { customerEntity } from '../../src/customer/customer.js';
import { parseSegmentMessage, segmentMessages } from '../../src/handlers/offers-messages.js';
import { segmentMessages as scoresMessages } from '../../src/handlers/scores-messages.js';
import { OfferRepository } from '../../src/offers/offer-repository.js';
import { offersRunFor } from '../../src/offers/offers-job.js';
import { batchPutItems } from '../../src/store/batch.js';
import { scoresRunFor } from '../../src/value/scores-job.js';
import { cayenneOwner, storedCatalogue } from '../unit/offers-fixtures.js';
import { recordingSqs, sqsEvent } from '../support/sqs.js';
import { createTestStore, itemsOfType, type TestStore } from '../support/store.js';

const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/paddock-offers';
const SCHEDULED = '2026-12-01T03:00:00.000Z';

/** The offers coordinator's deployed entry point, configured only by environment as Lambda configures it. */
describe('Module: src/handlers/offers-coordinator.ts', () => {
  const saved = { ...process.env };

  beforeEach(() => {
    vi.resetModules();
    process.env = { ...saved, OFFERS_QUEUE_URL: QUEUE_URL, OFFERS_SEGMENTS: '12', LOG_LEVEL: 'error' };
  });
  afterAll(() => {
    process.env = saved;
  });

  it('queues one message per segment of the day’s run, each one the offers worker reads back', async () => {
    // Prepare
    const { createOffersCoordinator } = await import('../../src/handlers/offers-coordinator.js');
    const { sqs, batches } = recordingSqs();
    // Act
    const result = await createOffersCoordinator(readOffersCoordinatorConfig(process.env), { sqs })({ now: SCHEDULED });
    // Assess
    expect(result).toEqual({ runId: 'offers-2026-12-01', segments: 12 });
    expect(batches.map((b) => b.Entries!.length)).toEqual([10, 2]);
    expect(batches.every((b) => b.QueueUrl === QUEUE_URL)).toBe(true);
    const parsed = batches.flatMap((b) => b.Entries!.map((e) => parseSegmentMessage(e.MessageBody!)));
    expect(parsed.map((p) => p.segment)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(parsed.every((p) => p.run.runId === 'offers-2026-12-01' && p.run.day === '2026-12-01' && p.run.now.toISOString() === SCHEDULED && p.run.totalSegments === 12)).toBe(true);
  });

  it('queues the same run for a late or repeated start on the same day: the day is the run', async () => {
    const { createOffersCoordinator } = await import('../../src/handlers/offers-coordinator.js');
    const { sqs, batches } = recordingSqs();
    const coordinate = createOffersCoordinator(readOffersCoordinatorConfig(process.env), { sqs });
    await coordinate({ now: SCHEDULED });
    await coordinate({ now: '2026-12-01T09:30:00.000Z' });
    expect([...new Set(batches.flatMap((b) => b.Entries!.map((e) => JSON.parse(e.MessageBody!).runId)))]).toEqual(['offers-2026-12-01']);
  });

  it.each(['sixteen', '0', ''])('fails the cold start when OFFERS_SEGMENTS is %j', async (value) => {
    process.env.OFFERS_SEGMENTS = value;
    await expect(import('../../src/handlers/offers-coordinator.js')).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringMatching(/OFFERS_SEGMENTS/) });
  });

  it('fails the cold start without a queue URL', async () => {
    delete process.env.OFFERS_QUEUE_URL;
    await expect(import('../../src/handlers/offers-coordinator.js')).rejects.toThrow(/OFFERS_QUEUE_URL/);
  });
});

/** The offers worker's deployed entry point on DynamoDB Local, fed what the coordinator queues. */
describe('Module: src/handlers/offers-worker.ts', () => {
  let store: TestStore;
  const saved = { ...process.env };
  const customers = Array.from({ length: 12 }, (_, n) => cayenneOwner({ id: `01JOFFERFAN${String(n).padStart(15, '0')}`, email: `fan-${n}@example.com` }));

  beforeAll(async () => {
    store = await createTestStore();
    const offers = new OfferRepository(store);
    for (const o of storedCatalogue()) await offers.saveOffer(o, null);
    await batchPutItems(store.doc, store.tableName, customers.map(customerEntity.toItem));
    Object.assign(process.env, { TABLE_NAME: store.tableName, DYNAMODB_ENDPOINT: store.endpoint, LOG_LEVEL: 'error' });
  });
  afterAll(async () => {
    process.env = saved;
    await store.drop();
  });

  it('decides the segments the coordinator queued, and hands back only the messages that are not one of its runs', async () => {
    // Prepare: the run's two segments, a body that is no segment, and a scores segment sent to the wrong queue
    const { handler } = await import('../../src/handlers/offers-worker.js');
    const messages = segmentMessages(offersRunFor(new Date(SCHEDULED), 2)).map((m) => JSON.stringify(m));
    const misrouted = JSON.stringify(scoresMessages(scoresRunFor(new Date(SCHEDULED), 2))[0]);
    // Act
    const result = await handler(sqsEvent([messages[0]!, 'not json', misrouted, messages[1]!]), { getRemainingTimeInMillis: () => 900_000 });
    // Assess: both real segments finished, so every customer has their decisions; the two others alone are retried (then the DLQ)
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
    const decided = new Set((await itemsOfType(store, 'OfferDecision')).map((d) => d.customerId));
    expect([...decided].sort()).toEqual(customers.map((c) => c.id).sort());
  });

  it('hands a segment back when the function is about to time out, so SQS redelivers it to resume', async () => {
    const { handler } = await import('../../src/handlers/offers-worker.js');
    const [message] = segmentMessages(offersRunFor(new Date('2026-12-02T03:00:00.000Z'), 1)).map((m) => JSON.stringify(m));
    const result = await handler(sqsEvent([message!]), { getRemainingTimeInMillis: () => 30_000 });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
  });
});
