import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { makeCustomer } from '../../src/customer/customer.js';
import { toOutboxEvents } from '../../src/handlers/outbox-enrichment.js';
import { reminderChannel } from '../../src/reminder/channel.js';
import type { MaintenanceReminderDue } from '../../src/reminder/reminder.js';
import { outboxItem } from '../../src/store/outbox.js';

describe('Function: reminderChannel', () => {
  const consent = (granted: boolean) => ({ granted, source: 'app', recordedAt: '2026-01-01T00:00:00.000Z' });
  it.each([
    [{ EMAIL: { channel: 'EMAIL', ...consent(true) }, PUSH: { channel: 'PUSH', ...consent(true) } }, 'PUSH'],
    [{ EMAIL: { channel: 'EMAIL', ...consent(true) }, PUSH: { channel: 'PUSH', ...consent(false) } }, 'EMAIL'],
    [{ PHONE: { channel: 'PHONE', ...consent(true) }, POST: { channel: 'POST', ...consent(true) } }, 'POST'],
    [{ EMAIL: { channel: 'EMAIL', ...consent(false) } }, null],
    [{}, null],
  ] as const)('picks the first granted channel in the brand’s order: %j → %s', (consents, expected) => {
    expect(reminderChannel(makeCustomer({ consents: consents as never }).consents)).toBe(expected);
  });
});

const DUE: MaintenanceReminderDue = { reminderId: 'WP0ZZZ99ZTS392124#1', vin: 'WP0ZZZ99ZTS392124', customerId: 'C1', dealerId: 'D1', dueDate: '2026-12-15', items: ['OIL_SERVICE'], channel: null, deliverable: false };

describe('Function: toOutboxEvents', () => {
  it('turns a stream INSERT of an outbox item into a plain event and ignores everything else', () => {
    const item = outboxItem('MaintenanceReminderDue', DUE, new Date('2026-12-01T06:00:00Z'));
    const insert = { eventName: 'INSERT', dynamodb: { NewImage: marshall(item) } };
    const modify = { eventName: 'MODIFY', dynamodb: { NewImage: marshall(item) } };
    const vehicle = { eventName: 'INSERT', dynamodb: { NewImage: marshall({ PK: 'VEH#X', SK: 'VEHICLE', entityType: 'Vehicle', lastServiced: {} }) } };
    expect(toOutboxEvents([vehicle, insert, modify])).toEqual([
      { eventId: item.eventId, eventType: 'MaintenanceReminderDue', source: 'paddock', occurredAt: '2026-12-01T06:00:00.000Z', detail: DUE },
    ]);
  });

  it('gives outbox items a TTL a week out, so the table does not keep delivered events', () => {
    const item = outboxItem('MaintenanceReminderDue', DUE, new Date('2026-12-01T00:00:00Z'));
    expect(item.ttl).toBe(Date.parse('2026-12-08T00:00:00Z') / 1000);
  });
});
