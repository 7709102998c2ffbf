import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { readScoresCoordinatorConfig } from '../../src/config.js';
import { parseSegmentMessage } from '../../src/handlers/scores-messages.js';
import { recordingSqs } from '../support/sqs.js';

const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/paddock-scores';
const NOW = '2026-12-01T02:00:00.000Z';

/** The deployed entry point, configured only by environment as Lambda configures it. */
describe('Module: src/handlers/scores-coordinator.ts', () => {
  const saved = { ...process.env };
  const env = { SCORES_QUEUE_URL: QUEUE_URL, SCORES_SEGMENTS: '25', LOG_LEVEL: 'error' };

  beforeEach(() => {
    vi.resetModules();
    process.env = { ...saved, ...env };
  });
  afterAll(() => {
    process.env = saved;
  });

  it('queues exactly one message per segment, in batches SQS accepts, each a segment the worker understands', async () => {
    // Prepare
    const { createScoresCoordinator } = await import('../../src/handlers/scores-coordinator.js');
    const { sqs, batches } = recordingSqs();
    const coordinate = createScoresCoordinator(readScoresCoordinatorConfig(process.env), { sqs });
    // Act
    const result = await coordinate({ now: NOW });
    // Assess
    expect(result).toEqual({ runId: `scores-${NOW}`, segments: 25 });
    expect(batches.map((b) => b.Entries!.length)).toEqual([10, 10, 5]);
    expect(batches.every((b) => b.QueueUrl === QUEUE_URL)).toBe(true);
    const bodies = batches.flatMap((b) => b.Entries!.map((e) => JSON.parse(e.MessageBody!)));
    expect(bodies).toEqual(Array.from({ length: 25 }, (_, segment) => ({ runId: `scores-${NOW}`, now: NOW, totalSegments: 25, segment })));
    for (const batch of batches) expect(new Set(batch.Entries!.map((e) => e.Id)).size).toBe(batch.Entries!.length);
    // The worker reads back exactly what was queued.
    const parsed = batches.flatMap((b) => b.Entries!.map((e) => parseSegmentMessage(e.MessageBody!)));
    expect(parsed.map((p) => p.segment)).toEqual(bodies.map((b) => b.segment));
    expect(parsed.every((p) => p.run.runId === `scores-${NOW}` && p.run.now.toISOString() === NOW && p.run.totalSegments === 25)).toBe(true);
  });

  it('queues the same run for a retried invocation of the same schedule', async () => {
    const { createScoresCoordinator } = await import('../../src/handlers/scores-coordinator.js');
    const { sqs, batches } = recordingSqs();
    const coordinate = createScoresCoordinator(readScoresCoordinatorConfig(process.env), { sqs });
    await coordinate({ now: NOW });
    await coordinate({ now: NOW });
    const runIds = new Set(batches.flatMap((b) => b.Entries!.map((e) => JSON.parse(e.MessageBody!).runId)));
    expect([...runIds]).toEqual([`scores-${NOW}`]);
  });

  it('fails the invocation when SQS refuses some entries, instead of reporting the run queued', async () => {
    const { createScoresCoordinator, SegmentsNotQueuedError } = await import('../../src/handlers/scores-coordinator.js');
    const { sqs } = recordingSqs({ failEntries: 2 });
    const coordinate = createScoresCoordinator(readScoresCoordinatorConfig(process.env), { sqs });
    await expect(coordinate({ now: NOW })).rejects.toBeInstanceOf(SegmentsNotQueuedError);
  });

  it('refuses an input time that is not one, and queues nothing', async () => {
    const { createScoresCoordinator } = await import('../../src/handlers/scores-coordinator.js');
    const { sqs, batches } = recordingSqs();
    const coordinate = createScoresCoordinator(readScoresCoordinatorConfig(process.env), { sqs });
    await expect(coordinate({ now: 'tonight' })).rejects.toThrow(/Invalid "now"/);
    expect(batches).toHaveLength(0);
  });

  it('exports a handler built from the environment at cold start', async () => {
    const { handler } = await import('../../src/handlers/scores-coordinator.js');
    expect(handler).toBeTypeOf('function');
  });

  it.each(['sixteen', '0', ''])('fails the cold start when SCORES_SEGMENTS is %j, so no run "succeeds" with no segment queued', async (value) => {
    // Prepare
    process.env.SCORES_SEGMENTS = value;
    // Act + Assess: importing the module is Lambda's cold start (a fresh module graph, so the class is compared by name)
    await expect(import('../../src/handlers/scores-coordinator.js')).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringMatching(/SCORES_SEGMENTS/) });
  });

  it('fails the cold start without a queue URL', async () => {
    delete process.env.SCORES_QUEUE_URL;
    await expect(import('../../src/handlers/scores-coordinator.js')).rejects.toThrow(/SCORES_QUEUE_URL/);
  });
});
