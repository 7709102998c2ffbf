import { defineEntity, field } from '../store/entity.js';
import { joinKey } from '../store/key-part.js';
import { TTL_ATTRIBUTE, type Item, type Key } from '../store/table.js';
import { customerKeys } from './customer.js';

/**
 * A dealer's request to be linked to a profile it tried to create (the email was
 * already registered). The dealer is told only `ALREADY_REGISTERED`, the same answer
 * whether or not it could see the profile; the customer hears of the request
 * (`CustomerLinkRequested`) and approves it with `linkCustomerToDealer` (or the brand
 * does). One request per dealer and customer, so repeated attempts notify once.
 */
const LINK_REQUEST_TTL_SECONDS = 30 * 24 * 3600;

/** The `detail` of `CustomerLinkRequested`: who asks to be linked to whom. */
export interface CustomerLinkRequested {
  customerId: string;
  dealerId: string;
}

declare module '../store/outbox.js' {
  interface PaddockEvents {
    CustomerLinkRequested: CustomerLinkRequested;
  }
}

export interface DealerLinkRequest {
  customerId: string;
  dealerId: string;
  requestedAt: string;
}

const linkRequestKeys = {
  request: (customerId: string, dealerId: string): Key => ({ PK: customerKeys.partition(customerId), SK: joinKey('LINKREQUEST', dealerId) }),
};

const linkRequestEntity = defineEntity<DealerLinkRequest>({
  name: 'DealerLinkRequest',
  example: () => ({ customerId: '01JCUSTOMER0000000000000000', dealerId: '01JDEALER00000000000000000', requestedAt: '2026-03-01T09:30:00.000Z' }),
  key: (r) => linkRequestKeys.request(r.customerId, r.dealerId),
  fields: { customerId: field.string, dealerId: field.string, requestedAt: field.string },
  stored: (r) => ({ [TTL_ATTRIBUTE]: Math.floor(Date.parse(r.requestedAt) / 1000) + LINK_REQUEST_TTL_SECONDS }),
});

export function linkRequestItem(customerId: string, dealerId: string, now: Date): Item {
  return linkRequestEntity.toItem({ customerId, dealerId, requestedAt: now.toISOString() });
}
