import { describe, expect, it } from 'vitest';
import { CUSTOMER_NODE, customerKeys, customerEntity, makeCustomer, nameSortKey } from '../../src/customer/customer.js';
import { apiKeyKeys, DEALER_API_KEY_NODE } from '../../src/dealer/api-key-record.js';
import { DEALER_NODE, dealerKeys, dealerEntity, makeDealer } from '../../src/dealer/dealer.js';
import { REMINDER_NODE } from '../../src/reminder/reminder.js';
import { SERVICE_VISIT_NODE } from '../../src/service/service-visit.js';
import { decodeGlobalId, keyOfGlobalId, newId, toGlobalId } from '../../src/shared/ids.js';
import { decodeCursor, encodeCursor, type CursorScope } from '../../src/store/cursor.js';
import { makeVehicle, VEHICLE_NODE, vehicleEntity, vehicleKeys } from '../../src/vehicle/vehicle.js';

describe('Global ids', () => {
  const ulid = newId();
  const shapes = [
    [CUSTOMER_NODE, ulid],
    [DEALER_NODE, ulid],
    [VEHICLE_NODE, 'WP0ZZZ99ZTS392124'],
    [DEALER_API_KEY_NODE, `${ulid}/${ulid}`],
    [SERVICE_VISIT_NODE, `WP0ZZZ99ZTS392124|2026-11-21T09:30:00.000Z|${ulid}`],
    [REMINDER_NODE, 'WP0ZZZ99ZTS392124/3'],
  ] as const;

  it('round-trip every node type and stay opaque', () => {
    for (const [node, key] of shapes) {
      const id = toGlobalId(node, key);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeGlobalId(id)).toEqual({ type: node.type, key });
      expect(keyOfGlobalId(id, node)).toBe(key);
    }
  });

  it('refuse keys of the wrong shape for their type, before any read', () => {
    for (const [node] of shapes) {
      for (const key of ['KEY:with/odd#chars', 'A'.repeat(120), `${ulid.toLowerCase()}`, ' ']) expect(keyOfGlobalId(toGlobalId(node, key), node)).toBeNull();
    }
    expect(keyOfGlobalId(toGlobalId(SERVICE_VISIT_NODE, `WP0ZZZ99ZTS392124|2026-02-30|${ulid}`), SERVICE_VISIT_NODE)).toBeNull();
  });

  it('refuse ids of another type, unknown types and garbage without throwing', () => {
    expect(keyOfGlobalId(toGlobalId(VEHICLE_NODE, 'WP0ZZZ99ZTS392124'), CUSTOMER_NODE)).toBeNull();
    expect(keyOfGlobalId(Buffer.from(`Admin:${ulid}`).toString('base64url'), CUSTOMER_NODE)).toBeNull();
    expect(decodeGlobalId('')).toBeNull();
    expect(decodeGlobalId('%%%')).toBeNull();
    expect(decodeGlobalId('x'.repeat(500))).toBeNull();
    expect(keyOfGlobalId(Buffer.from('Customer:').toString('base64url'), CUSTOMER_NODE)).toBeNull();
  });

  it('new ids are time-sortable ULIDs', () => {
    const a = newId();
    const b = newId();
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b).toBe(true);
  });
});

describe('Key builders', () => {
  it('give each entity its typed prefix', () => {
    expect(customerKeys.profile('C1')).toEqual({ PK: 'CUST#C1', SK: 'PROFILE' });
    expect(customerKeys.emailClaim('a@b.io')).toEqual({ PK: 'EMAIL#a@b.io', SK: 'EMAIL' });
    expect(customerKeys.dealerLink('C1', 'D1')).toEqual({ PK: 'CUST#C1', SK: 'DEALER#D1' });
    expect(vehicleKeys.vehicle('WP0ZZZ99ZTS392124')).toEqual({ PK: 'VEH#WP0ZZZ99ZTS392124', SK: 'VEHICLE' });
    expect(vehicleKeys.odometer('V', '2026-01-01T00:00:00.000Z', 'X')).toEqual({ PK: 'VEH#V', SK: 'ODO#2026-01-01T00:00:00.000Z#X' });
    expect(dealerKeys.profile('D1')).toEqual({ PK: 'DEALER#D1', SK: 'PROFILE' });
    expect(apiKeyKeys.lookup('abc')).toEqual({ PK: 'APIKEY#abc', SK: 'APIKEY' });
    expect(apiKeyKeys.record('D1', 'K1')).toEqual({ PK: 'DEALER#D1', SK: 'APIKEY#K1' });
  });

  it('sort customers by last name, first name, then id', () => {
    const keys = [makeCustomer({ id: '2', lastName: 'Weber', firstName: 'Anna' }), makeCustomer({ id: '1', lastName: 'Becker', firstName: 'Zoe' }), makeCustomer({ id: '3', lastName: 'becker', firstName: 'Adam' })].map(nameSortKey).sort();
    expect(keys).toEqual(['becker#adam#3', 'becker#zoe#1', 'weber#anna#2']);
  });

  it('round-trip entities through their items, with sets for VINs and dealers', () => {
    const customer = makeCustomer({ vehicleVins: ['B', 'A'], dealerIds: ['D1'] });
    const item = customerEntity.toItem(customer);
    expect(item.vehicleVins).toEqual(new Set(['B', 'A']));
    expect(item.GSI2PK).toBe('CUSTOMERS');
    expect(customerEntity.fromItem(item)).toEqual({ ...customer, vehicleVins: ['A', 'B'] });
    expect(customerEntity.toItem(makeCustomer()).vehicleVins).toBeUndefined();
    expect(vehicleEntity.fromItem(vehicleEntity.toItem(makeVehicle()))).toEqual(makeVehicle());
    expect(dealerEntity.fromItem(dealerEntity.toItem(makeDealer()))).toEqual(makeDealer());
    expect(() => customerEntity.fromItem(vehicleEntity.toItem(makeVehicle()))).toThrow(/Customer/);
  });
});

describe('Cursors', () => {
  const table: CursorScope = { keyNames: ['PK', 'SK'], partitionKey: 'PK', sortKey: 'SK', partition: 'VEH#WP0ZZZ99ZTS392124', sortKeyPrefix: 'VISIT#', newestFirst: true };
  const index: CursorScope = { indexName: 'ByCollection', keyNames: ['PK', 'SK', 'GSI2PK', 'GSI2SK'], partitionKey: 'GSI2PK', sortKey: 'GSI2SK', partition: 'CUSTOMERS' };
  const byValue: CursorScope = { indexName: 'ByValue', keyNames: ['PK', 'SK', 'GSI4PK', 'GSI4SK'], partitionKey: 'GSI4PK', sortKey: 'GSI4SK', partition: 'VALUE', sortKeyFrom: 'CLV#0005', newestFirst: true };
  const forge = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
  const tagOf = (scope: CursorScope) => JSON.parse(Buffer.from(encodeCursor(scope, {}), 'base64url').toString())[0] as string;

  it('round-trip the key of an item returned by the same query', () => {
    const visit = { PK: 'VEH#WP0ZZZ99ZTS392124', SK: 'VISIT#2026-11-21T09:30:00.000Z#X', other: 'ignored' };
    expect(decodeCursor(encodeCursor(table, visit), table)).toEqual({ PK: visit.PK, SK: visit.SK });
    const customer = { PK: 'CUST#1', SK: 'PROFILE', GSI2PK: 'CUSTOMERS', GSI2SK: 'a#b#1' };
    expect(decodeCursor(encodeCursor(index, customer), index)).toEqual(customer);
  });

  it('refuse a cursor of another query: other partition, prefix, index or order', () => {
    const visit = { PK: 'VEH#WP0ZZZ99ZTS392124', SK: 'VISIT#2026#X' };
    const cursor = encodeCursor(table, visit);
    expect(decodeCursor(cursor, { ...table, partition: 'VEH#WP0ZZZ99ZTS392125' })).toBeNull();
    expect(decodeCursor(cursor, { ...table, sortKeyPrefix: 'REMINDER#' })).toBeNull();
    expect(decodeCursor(cursor, { ...table, newestFirst: false })).toBeNull();
    expect(decodeCursor(cursor, index)).toBeNull();
  });

  it('refuse forged cursors that carry the right tag but a key outside the query', () => {
    const tag = tagOf(table);
    expect(decodeCursor(forge([tag, 'VEH#WP0ZZZ99ZTS392124', 'VISIT#1']), table)).not.toBeNull();
    expect(decodeCursor(forge([tag, 'VEH#OTHER', 'VISIT#1']), table)).toBeNull(); // other partition
    expect(decodeCursor(forge([tag, 'VEH#WP0ZZZ99ZTS392124', 'ODO#1']), table)).toBeNull(); // outside the prefix
    expect(decodeCursor(forge([tag, 'VEH#WP0ZZZ99ZTS392124']), table)).toBeNull(); // a key attribute missing
    expect(decodeCursor(forge([tag, 'VEH#WP0ZZZ99ZTS392124', 'VISIT#1', 'x']), table)).toBeNull(); // one too many
    expect(decodeCursor(forge([tag, 'VEH#WP0ZZZ99ZTS392124', 7]), table)).toBeNull(); // not a string
    expect(decodeCursor(forge([tag, 'VEH#WP0ZZZ99ZTS392124', `VISIT#${'x'.repeat(1_100)}`]), table)).toBeNull(); // past DynamoDB's key size
    expect(decodeCursor(forge([tagOf(index), 'CUST#1', 'PROFILE', 'CUSTOMERS']), index)).toBeNull(); // index keys missing
    expect(decodeCursor(forge([tagOf(index), '', 'PROFILE', 'CUSTOMERS', 'a']), index)).toBeNull(); // empty table key
    expect(decodeCursor(forge([tagOf(byValue), 'CUST#1', 'PROFILE', 'VALUE', 'CLV#0004']), byValue)).toBeNull(); // below sortKeyFrom
    expect(decodeCursor(forge([tagOf(byValue), 'CUST#1', 'PROFILE', 'VALUE', 'CLV#0006']), byValue)).not.toBeNull();
  });

  it('refuse garbage without throwing', () => {
    for (const bad of ['', 'not base64 !', forge({ PK: 'VEH#WP0ZZZ99ZTS392124', SK: 'VISIT#1' }), forge([1, 2]), Buffer.from('{').toString('base64url'), 'A'.repeat(10_000)]) {
      expect(decodeCursor(bad, table)).toBeNull();
    }
  });
});
