import DataLoader from 'dataloader';
import { isUlid } from '../../shared/ids.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { parseRegistrationGlobalKey, registrationGlobalKey, type ClubEventRecord, type EventRegistrationRecord } from '../event-records.js';

/**
 * Request-scoped batching of club events (a member's registrations each name an event) and
 * of registrations (the caller's own, on each event of a list): one BatchGetItem per query
 * level, not one read per list element. Kept by the request's
 * context object, so it lives and dies with the request, and the central loaders need not
 * know this domain.
 */
const byRequest = new WeakMap<ServiceContext, DataLoader<string, ClubEventRecord | null>>();

export function eventLoader(ctx: ServiceContext): DataLoader<string, ClubEventRecord | null> {
  let loader = byRequest.get(ctx);
  if (!loader) {
    loader = new DataLoader(
      async (ids) => {
        const found = await ctx.repos.events.getMany(ids.filter(isUlid));
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxBatchSize: 100 },
    );
    byRequest.set(ctx, loader);
  }
  return loader;
}

const registrationsByRequest = new WeakMap<ServiceContext, DataLoader<string, EventRegistrationRecord | null>>();

/** A member's registration for an event, or null; batched per request. */
export function registrationOf(ctx: ServiceContext, eventId: string, customerId: string): Promise<EventRegistrationRecord | null> {
  let loader = registrationsByRequest.get(ctx);
  if (!loader) {
    loader = new DataLoader(
      async (keys) => {
        const found = await ctx.repos.events.getRegistrations(keys.filter((k) => parseRegistrationGlobalKey(k) !== null));
        return keys.map((k) => found.get(k) ?? null);
      },
      { maxBatchSize: 100 },
    );
    registrationsByRequest.set(ctx, loader);
  }
  return loader.load(registrationGlobalKey({ eventId, customerId }));
}
