import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { OUTBOX_ENTITY } from '../store/outbox.js';

/**
 * EventBridge Pipes enrichment for the outbox: turns the table stream's new outbox items
 * (DynamoDB-typed JSON) into plain events `{ eventType, source, detail, … }` that the
 * pipe puts on the event bus (detail type and source come from these fields). One
 * function serves every event type, so adding an event needs no new wiring.
 */
export interface StreamRecord {
  eventName?: string;
  dynamodb?: { NewImage?: Record<string, AttributeValue> };
}

interface OutboxEvent {
  eventId: string;
  eventType: string;
  source: string;
  occurredAt: string;
  detail: Record<string, unknown>;
}

export function toOutboxEvents(records: readonly StreamRecord[]): OutboxEvent[] {
  return records.flatMap((record) => {
    const image = record.dynamodb?.NewImage;
    // The pipe's filter passes only new outbox items; anything else is dropped unread, not forwarded.
    if (record.eventName !== 'INSERT' || image?.entityType?.S !== OUTBOX_ENTITY) return [];
    const item = unmarshall(image);
    return [{ eventId: String(item.eventId), eventType: String(item.eventType), source: String(item.source), occurredAt: String(item.occurredAt), detail: item.detail as Record<string, unknown> }];
  });
}

export async function handler(records: StreamRecord[]): Promise<OutboxEvent[]> {
  return toOutboxEvents(records);
}
