import { describe, expect, it } from 'vitest';
import { customerKeys, customerToItem, customerFromItem, makeCustomer, nameSortKey } from '../../src/customer/customer.js';
import { apiKeyKeys } from '../../src/dealer/api-key-record.js';
import { dealerKeys, dealerFromItem, dealerToItem, makeDealer } from '../../src/dealer/dealer.js';
import { fromGlobalId, keyOfGlobalId, newId, toGlobalId } from '../../src/shared/ids.js';
import { decodeCursor, encodeCursor } from '../../src/store/cursor.js';
import { makeVehicle, vehicleFromItem, vehicleKeys, vehicleToItem } from '../../src/vehicle/vehicle.js';

describe('Global ids', () => {
  it('round-trip every node type and stay opaque', () => {
    for (const type of ['Customer', 'Vehicle', 'Dealer', 'DealerApiKey'] as const) {
      const id = toGlobalId(type, 'KEY:with/odd#chars');
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(fromGlobalId(id)).toEqual({ type, key: 'KEY:with/odd#chars' });
    }
  });

  it('refuse ids of another type, unknown types and garbage without throwing', () => {
    expect(keyOfGlobalId(toGlobalId('Vehicle', 'WP0'), 'Customer')).toBeNull();
    expect(fromGlobalId(Buffer.from('Admin:1').toString('base64url'))).toBeNull();
    expect(fromGlobalId('')).toBeNull();
    expect(fromGlobalId('%%%')).toBeNull();
    expect(fromGlobalId('x'.repeat(500))).toBeNull();
    expect(fromGlobalId(Buffer.from('Customer:').toString('base64url'))).toBeNull();
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
    const item = customerToItem(customer);
    expect(item.vehicleVins).toEqual(new Set(['B', 'A']));
    expect(item.GSI2PK).toBe('CUSTOMERS');
    expect(customerFromItem(item)).toEqual({ ...customer, vehicleVins: ['A', 'B'] });
    expect(customerToItem(makeCustomer()).vehicleVins).toBeUndefined();
    expect(vehicleFromItem(vehicleToItem(makeVehicle()))).toEqual(makeVehicle());
    expect(dealerFromItem(dealerToItem(makeDealer()))).toEqual(makeDealer());
    expect(() => customerFromItem(vehicleToItem(makeVehicle()))).toThrow(/Customer/);
  });
});

describe('Cursors', () => {
  it('round-trip keys and refuse anything else', () => {
    const key = { PK: 'CUST#1', SK: 'PROFILE', GSI2PK: 'CUSTOMERS', GSI2SK: 'a#b#1' };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    expect(decodeCursor('not base64 !')).toBeNull();
    expect(decodeCursor(Buffer.from('[1,2]').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('{"PK":1,"SK":"x"}').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('{"SK":"x"}').toString('base64url'))).toBeNull();
  });
});
