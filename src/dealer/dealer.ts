import { joinKey, keyPart } from '../store/key-part.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item, type Key } from '../store/table.js';

/** A partner dealer (Porsche Centre) as the store keeps it. */
export interface DealerRecord {
  id: string;
  /** The brand's dealer code, unique, e.g. "DE-STR-01". */
  code: string;
  name: string;
  city: string;
  country: string;
  createdAt: string;
}

const ENTITY = 'Dealer';

export const dealerKeys = {
  // Codes, names and (decoded) ids come from callers: every part goes through joinKey.
  profile: (id: string): Key => ({ PK: joinKey('DEALER', id), SK: 'PROFILE' }),
  /** Uniqueness guard for dealer codes. */
  codeClaim: (code: string): Key => ({ PK: joinKey('DEALERCODE', code), SK: 'DEALERCODE' }),
  /** Partition of the ByParent index holding the dealer's customer links and API keys. */
  parent: (id: string) => joinKey('DEALER', id),
  customerLinkPrefix: 'CUST#',
  apiKeyPrefix: 'APIKEY#',
  collection: 'DEALERS',
};

export function dealerToItem(d: DealerRecord): Item {
  return {
    ...dealerKeys.profile(d.id),
    [ENTITY_TYPE_ATTRIBUTE]: ENTITY,
    GSI2PK: dealerKeys.collection,
    GSI2SK: [d.name.toLowerCase(), d.id].map(keyPart).join('#'),
    ...d,
  };
}

export function dealerFromItem(item: Record<string, unknown>): DealerRecord {
  if (item[ENTITY_TYPE_ATTRIBUTE] !== ENTITY) throw new Error(`Expected a ${ENTITY} item, got ${String(item[ENTITY_TYPE_ATTRIBUTE])}`);
  return {
    id: item.id as string,
    code: item.code as string,
    name: item.name as string,
    city: item.city as string,
    country: item.country as string,
    createdAt: item.createdAt as string,
  };
}

export function makeDealer(overrides: Partial<DealerRecord> = {}): DealerRecord {
  return {
    id: '01JDEALER00000000000000000',
    code: 'DE-STR-01',
    name: 'Porsche Zentrum Stuttgart',
    city: 'Stuttgart',
    country: 'DE',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
