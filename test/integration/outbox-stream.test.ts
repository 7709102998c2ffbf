import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toOutboxEvents, type StreamRecord } from '../../src/handlers/outbox-enrichment.js';
import { runRemindersJob } from '../../src/reminder/reminders-job.js';
import { createLogger } from '../../src/shared/logger.js';
import { makeFleet, writeFleet } from '../support/fleet.js';
import { createTestStore, type TestStore } from '../support/store.js';

/**
 * The outbox end to end, as far as this machine allows: reminders written by the job
 * appear on the table's real stream (DynamoDB Local implements streams), and the pipe's
 * enrichment turns exactly those records into plain `MaintenanceReminderDue` events.
 */
describe('Outbox: table stream → enrichment', () => {
  let store: TestStore;
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

  beforeAll(async () => {
    store = await createTestStore();
  });
  afterAll(() => store.drop());

  async function streamRecords(): Promise<StreamRecord[]> {
    const client = new DynamoDBClient({ endpoint: store.endpoint, region: 'eu-central-1', credentials });
    const streams = new DynamoDBStreamsClient({ endpoint: store.endpoint, region: 'eu-central-1', credentials });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: store.tableName }));
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table!.LatestStreamArn! }));
    const records: StreamRecord[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator: iterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: Table!.LatestStreamArn!, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
      for (let i = 0; iterator && i < 50; i++) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        records.push(...((page.Records ?? []) as StreamRecord[]));
        if (!page.Records?.length) break;
        iterator = page.NextShardIterator;
      }
    }
    client.destroy();
    streams.destroy();
    return records;
  }

  it('emits one MaintenanceReminderDue event per reminder created, and nothing for other writes', async () => {
    // Prepare
    const fleet = makeFleet({ vehicles: 60, today: '2026-12-01', dealerIds: ['D1'] });
    await writeFleet(store, fleet);
    // Act
    const stats = await runRemindersJob(
      { reminders: store.repos.reminders, customers: store.repos.customers, logger: createLogger({}, { level: 'error', write: () => true }) },
      { now: new Date('2026-12-01T06:00:00Z') },
    );
    const records = await streamRecords();
    const events = toOutboxEvents(records);
    // Assess: the stream holds the fleet's writes too, but only outbox inserts become events
    expect(records.length).toBeGreaterThan(events.length);
    expect(stats.remindersCreated).toBeGreaterThan(0);
    expect(events).toHaveLength(stats.remindersCreated);
    const due = fleet.vehicles.filter((v) => v.servicePlan!.items[0]!.dueDate <= '2026-12-15');
    expect(events.map((e) => e.detail.vin).sort()).toEqual(due.map((v) => v.vin).sort());
    expect(events[0]).toMatchObject({
      eventType: 'MaintenanceReminderDue',
      source: 'paddock',
      occurredAt: '2026-12-01T06:00:00.000Z',
      detail: { reminderId: expect.stringMatching(/^WP0\w{14}\/1$/), customerId: expect.any(String), dealerId: 'D1', items: expect.arrayContaining(['OIL_SERVICE']), deliverable: expect.any(Boolean) },
    });
  });
});
