import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentMessages } from '../../src/handlers/scores-messages.js';
import { scoresRunFor } from '../../src/value/scores-job.js';
import { makePopulation, writePopulation } from '../support/population.js';
import { sqsEvent } from '../support/sqs.js';
import { createTestStore, type TestStore } from '../support/store.js';

const POPULATION = 60;

/** The scores worker's deployed entry point, configured by environment as Lambda does it, fed what the coordinator queues. */
describe('Module: src/handlers/scores-worker.ts', () => {
  let store: TestStore;
  const saved = { ...process.env };

  beforeAll(async () => {
    store = await createTestStore();
    await writePopulation(store, makePopulation(POPULATION, ['D1', 'D2']));
    Object.assign(process.env, { TABLE_NAME: store.tableName, DYNAMODB_ENDPOINT: store.endpoint });
  });
  afterAll(async () => {
    process.env = saved;
    await store.drop();
  });

  it('scores the segments the coordinator queued, and returns only the message it cannot read for redelivery', async () => {
    // Prepare: a run's two segments as the coordinator writes them, and two bodies that are no segment (one not even JSON)
    const { handler } = await import('../../src/handlers/scores-worker.js');
    const messages = segmentMessages(scoresRunFor(new Date('2026-12-01T02:00:00.000Z'), 2)).map((m) => JSON.stringify(m));
    // Act
    const result = await handler(sqsEvent([messages[0]!, '{"runId":"x","segment":"zero"}', 'not json', messages[1]!]), { getRemainingTimeInMillis: () => 900_000 });
    // Assess: the malformed messages alone fail (the batch is not failed whole); both real segments finished, so the run scored everyone
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
    const scored = await store.repos.customers.getMany(makePopulation(POPULATION, ['D1', 'D2']).map((c) => c.id));
    expect([...scored.values()].filter((c) => c.value !== undefined)).toHaveLength(POPULATION);
  });

  it('hands a segment back when the function is about to time out, so SQS redelivers it to resume', async () => {
    const { handler } = await import('../../src/handlers/scores-worker.js');
    const [message] = segmentMessages(scoresRunFor(new Date('2026-12-02T02:00:00.000Z'), 1)).map((m) => JSON.stringify(m));
    const result = await handler(sqsEvent([message!]), { getRemainingTimeInMillis: () => 30_000 });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
  });
});
