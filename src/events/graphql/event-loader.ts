import DataLoader from 'dataloader';
import { isUlid } from '../../shared/ids.js';
import type { ServiceContext } from '../../shared/service-context.js';
import type { ClubEventRecord } from '../event-records.js';

/**
 * Request-scoped batching of club events (a member's registrations each name an event):
 * one BatchGetItem per query level, not one read per registration. Kept by the request's
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
