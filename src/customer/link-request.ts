import { ENTITY_TYPE_ATTRIBUTE, TTL_ATTRIBUTE, type Item, type Key } from '../store/table.js';
import { customerKeys } from './customer.js';

/**
 * A dealer's request to be linked to a profile it tried to create (the email was
 * already registered). The dealer is told only `ALREADY_REGISTERED`, the same answer
 * whether or not it could see the profile; the customer hears of the request
 * (`CustomerLinkRequested`) and approves it with `linkCustomerToDealer` (or the brand
 * does). One request per dealer and customer, so repeated attempts notify once.
 */
export const LINK_REQUEST_TTL_SECONDS = 30 * 24 * 3600;

export const linkRequestKeys = {
  request: (customerId: string, dealerId: string): Key => ({ PK: customerKeys.profile(customerId).PK, SK: `LINKREQUEST#${dealerId}` }),
};

export function linkRequestItem(customerId: string, dealerId: string, now: Date): Item {
  return {
    ...linkRequestKeys.request(customerId, dealerId),
    [ENTITY_TYPE_ATTRIBUTE]: 'DealerLinkRequest',
    customerId,
    dealerId,
    requestedAt: now.toISOString(),
    [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + LINK_REQUEST_TTL_SECONDS,
  };
}
