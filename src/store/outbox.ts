import { newId } from '../shared/ids.js';
import { ENTITY_TYPE_ATTRIBUTE, TTL_ATTRIBUTE, type Item } from './table.js';

/**
 * Transactional outbox: an event other systems must hear about is written as an item in
 * the same transaction as the change it describes. The table's stream carries new outbox
 * items to the event bus (EventBridge Pipes, see infra/stacks/jobs-stack.ts), so there is
 * no dual write: either the change and its event both happen, or neither does.
 * Outbox items expire by TTL once the stream has long delivered them.
 */
export const OUTBOX_ENTITY = 'OutboxEvent';
export const EVENT_SOURCE = 'paddock';
const OUTBOX_RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * Every event Paddock publishes, by name, with the shape of its `detail`. The domain that
 * emits an event declares it beside the code that builds it, by augmenting this interface:
 *
 * ```ts
 * declare module '../store/outbox.js' {
 *   interface PaddockEvents { CustomerLinkRequested: CustomerLinkRequested }
 * }
 * ```
 *
 * so a new domain adds its events without editing this file, and `outboxItem` accepts
 * only a declared name with its own payload.
 */
// Augmented by the domains that emit events; empty here on purpose.
export interface PaddockEvents {}

export type PaddockEventType = keyof PaddockEvents;

export function outboxItem<E extends PaddockEventType>(eventType: E, detail: PaddockEvents[E], occurredAt: Date): Item {
  const id = newId();
  return {
    PK: `OUTBOX#${id}`,
    SK: 'EVENT',
    [ENTITY_TYPE_ATTRIBUTE]: OUTBOX_ENTITY,
    eventId: id,
    eventType,
    source: EVENT_SOURCE,
    occurredAt: occurredAt.toISOString(),
    detail,
    [TTL_ATTRIBUTE]: Math.floor(occurredAt.getTime() / 1000) + OUTBOX_RETENTION_SECONDS,
  };
}
