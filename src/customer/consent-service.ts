import { loadPage } from '../auth/loaders.js';
import { customerPolicy } from '../auth/policies.js';
import { roleOf } from '../auth/principal.js';
import { InvalidInputError } from '../shared/errors.js';
import type { Page } from '../store/cursor.js';
import type { ServiceContext } from '../shared/service-context.js';
import { parseInstant } from '../shared/validation.js';
import type { Consent, ConsentChannel, CustomerRecord } from './customer.js';
import type { ConsentStatement } from './consent.js';

/** A statement as the API shows it: the author's id only to those who may see it. */
export interface ConsentStatementView extends Consent {
  receivedAt: string;
  recordedBy: { role: ReturnType<typeof roleOf>; id: string | null };
}

function view(ctx: ServiceContext, s: ConsentStatement): ConsentStatementView {
  return {
    channel: s.channel,
    granted: s.granted,
    source: s.source,
    recordedAt: s.recordedAt,
    receivedAt: s.receivedAt,
    recordedBy: { role: roleOf(s.author), id: customerPolicy.canSeeAuthorId(ctx.principal, s.author) ? s.author.id : null },
  };
}

/** `Customer.consentHistory`: the caller already sees `customer` (the field hangs off it). */
export async function consentHistory(ctx: ServiceContext, customer: CustomerRecord, channel: ConsentChannel, first: number, after?: string | null): Promise<Page<ConsentStatementView>> {
  const page = await loadPage(ctx.loaders, 'Customer.consentHistory', customer.id, { channel, first, after }, () => ctx.repos.customers.consentHistory(customer.id, channel, first, after));
  return { ...page, items: page.items.map((s) => view(ctx, s)) };
}

/** `Customer.consentsAt`: the consent in force per channel at an instant. */
export async function consentsAt(ctx: ServiceContext, customer: CustomerRecord, at: string): Promise<Consent[]> {
  const instant = parseInstant(at);
  if (!instant) throw new InvalidInputError('`at` is an existing ISO 8601 date-time with offset, e.g. 2025-06-01T00:00:00Z.', 'at');
  return ctx.repos.customers.consentsAt(customer.id, instant.toISOString());
}
