import { defineEntity, field } from '../store/entity.js';
import { joinKey, keyPart } from '../store/key-part.js';
import { ENTITY_TYPE_ATTRIBUTE, type Item, type Key } from '../store/table.js';
import { isUlid, nodeKey } from '../shared/ids.js';

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

/** A dealer's partition prefix: profile and API key records; also its partition in `ByParent`. */
const DEALER = 'DEALER';

export const dealerKeys = {
  // Codes, names and (decoded) ids come from callers: every part goes through joinKey.
  profile: (id: string): Key => ({ PK: joinKey(DEALER, id), SK: 'PROFILE' }),
  /** Uniqueness guard for dealer codes. */
  codeClaim: (code: string): Key => ({ PK: joinKey('DEALERCODE', code), SK: 'DEALERCODE' }),
  /** Partition of the ByParent index holding the dealer's customer links and serviced cars. */
  parent: (id: string) => joinKey(DEALER, id),
  collection: 'DEALERS',
  /** A dealer as a KPI roll-up scope (the sort key of its roll-up items). */
  kpiScope: (id: string) => `${DEALER}#${id}`,
};

export const dealerEntity = defineEntity<DealerRecord>({
  name: 'Dealer',
  example: makeDealer,
  key: (d) => dealerKeys.profile(d.id),
  indexes: (d) => ({ byCollection: { pk: dealerKeys.collection, sk: [d.name.toLowerCase(), d.id].map(keyPart).join('#') } }),
  fields: { id: field.string, code: field.string, name: field.string, city: field.string, country: field.string, createdAt: field.string },
});

/** The item that claims a dealer code for one dealer. */
export function dealerCodeClaimItem(code: string, dealerId: string): Item {
  return { ...dealerKeys.codeClaim(code), [ENTITY_TYPE_ATTRIBUTE]: 'DealerCodeClaim', dealerId };
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

/** `Dealer` global ids: the key is the dealer's ULID. */
export const DEALER_NODE = nodeKey('Dealer', isUlid);
