import { describe, expect, it } from 'vitest';
import { checkConsents, checkCustomerFields } from '../../src/customer/customer-validation.js';
import { DEFAULT_MAX_AMOUNT, formatAmount, maxAmountMinor, multiplyWithin, parseAmountMinor, sumWithin } from '../../src/shared/money.js';
import { checkDateNotInFuture, checkEmail, checkInstant, checkInstantNotInFuture, checkMoney, checkPhone, isValidIsoDate, parseInstant } from '../../src/shared/validation.js';

const now = new Date('2026-11-21T10:00:00Z');
const codes = (errors: { code: string }[]) => errors.map((e) => e.code);

describe('Input checks', () => {
  it('emails', () => {
    expect(checkEmail('email', 'anna.keller@example.com')).toEqual([]);
    for (const bad of ['anna', 'anna@', '@example.com', 'anna @example.com', 'anna@example', `${'a'.repeat(250)}@example.com`]) expect(codes(checkEmail('email', bad))).toEqual(['INVALID_EMAIL']);
  });

  it('E.164 phone numbers', () => {
    expect(checkPhone('phone', '+4971112345678')).toEqual([]);
    for (const bad of ['0711 12345', '+0711123456', '+49 711 123', '+1234567890123456']) expect(codes(checkPhone('phone', bad))).toEqual(['INVALID_PHONE']);
  });

  it('calendar dates and instants, not in the future', () => {
    expect(isValidIsoDate('2024-02-29')).toBe(true);
    expect(isValidIsoDate('2026-02-29')).toBe(false);
    expect(isValidIsoDate('2026-1-1')).toBe(false);
    // Years outside 1900–9999: Date.UTC would plan "0000-01-01" as 1901.
    expect(isValidIsoDate('0000-01-01')).toBe(false);
    expect(isValidIsoDate('1899-12-31')).toBe(false);
    expect(isValidIsoDate('1900-01-01')).toBe(true);
    expect(checkDateNotInFuture('d', '2026-11-21', now)).toEqual([]);
    expect(codes(checkDateNotInFuture('d', '2026-11-22', now))).toEqual(['IN_FUTURE']);
    expect(checkInstantNotInFuture('t', '2026-11-21T11:00:00+01:00', now).errors).toEqual([]);
    expect(codes(checkInstantNotInFuture('t', '2026-11-21T10:00:01Z', now).errors)).toEqual(['IN_FUTURE']);
    expect(codes(checkInstantNotInFuture('t', '2026-11-21 10:00', now).errors)).toEqual(['INVALID_DATE']);
    expect(codes(checkInstantNotInFuture('t', '2026-11-21T10:00:00', now).errors)).toEqual(['INVALID_DATE']);
  });

  it('instants that do not exist are refused, never rolled over into another day', () => {
    for (const bad of [
      '2026-02-30T12:00:00Z', // no 30 February
      '2026-02-29T12:00:00Z', // not a leap year
      '2026-04-31T12:00:00Z',
      '2026-13-01T12:00:00Z',
      '2026-00-10T12:00:00Z',
      '2026-11-00T12:00:00Z',
      '2026-11-21T24:00:00Z', // hours run 00–23
      '2026-11-21T10:60:00Z',
      '2026-11-21T10:00:60Z',
      '2026-11-21T10:00:00+14:01', // no offset beyond ±14:00
      '2026-11-21T10:00:00-15:00',
      '2026-11-21T10:00:00+01:60',
      '1899-12-31T23:59:59Z', // before any record the brand holds
      '9999-12-31T23:00:00-14:00', // would be stored in year 10000
    ]) {
      expect(parseInstant(bad), bad).toBeNull();
      expect(codes(checkInstantNotInFuture('t', bad, now).errors), bad).toEqual(['INVALID_DATE']);
    }
  });

  it('instants that exist are accepted, with any offset up to ±14:00', () => {
    expect(parseInstant('2024-02-29T23:59:59.999Z')?.toISOString()).toBe('2024-02-29T23:59:59.999Z');
    expect(parseInstant('2026-11-21T00:00:00+14:00')?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(parseInstant('2026-11-21T10:30-12:00')?.toISOString()).toBe('2026-11-21T22:30:00.000Z');
    expect(checkInstant('t', '2026-02-30T12:00:00Z').errors).toEqual([{ field: ['input', 't'], code: 'INVALID_DATE', message: expect.any(String) }]);
  });

  it('money: amounts above their bound are OUT_OF_RANGE, scaled for the currency', () => {
    expect(checkMoney('p', { amount: '10000000.00', currency: 'EUR' }).errors).toEqual([]);
    expect(checkMoney('p', { amount: '10000000.01', currency: 'EUR' }).errors).toEqual([{ field: ['input', 'p', 'amount'], code: 'OUT_OF_RANGE', message: 'This amount may be at most 10000000.00 EUR.' }]);
    expect(codes(checkMoney('p', { amount: '999999999999.99', currency: 'EUR' }).errors)).toEqual(['OUT_OF_RANGE']);
    // A yen is worth far less than a euro: a car priced in JPY still fits.
    expect(checkMoney('p', { amount: '45000000', currency: 'JPY' }).errors).toEqual([]);
    expect(codes(checkMoney('p', { amount: '1000.01', currency: 'EUR' }, { maxEuros: 1_000 }).errors)).toEqual(['OUT_OF_RANGE']);
    // The largest amount times the largest quantity is still exact; sums are bounded by `sumWithin`.
    expect(Number.isSafeInteger(maxAmountMinor(DEFAULT_MAX_AMOUNT, 'JPY') * 1_000)).toBe(true);
  });

  it('money arithmetic stays within its bound and within safe integers', () => {
    expect(multiplyWithin(99_999_999_999_999, 1_000, Number.MAX_SAFE_INTEGER)).toBeNull();
    expect(multiplyWithin(12_50, 3, 100_00)).toBe(37_50);
    expect(multiplyWithin(12_50, 9, 100_00)).toBeNull();
    expect(sumWithin([60_00, 40_00], 100_00)).toBe(100_00);
    expect(sumWithin([60_00, 40_01], 100_00)).toBeNull();
    expect(sumWithin(Array(100).fill(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER)).toBeNull();
  });

  it('money: exact minor units, non-negative, known currency', () => {
    expect(parseAmountMinor('129900.5')).toBe(12_990_050);
    expect(parseAmountMinor('0.07')).toBe(7);
    expect(parseAmountMinor('1.234')).toBeNull();
    expect(formatAmount(12_990_050)).toBe('129900.50');
    expect(checkMoney('p', { amount: '10', currency: 'EUR' })).toEqual({ errors: [], money: { amountMinor: 1000, currency: 'EUR' } });
    expect(codes(checkMoney('p', { amount: '-0.01', currency: 'EUR' }).errors)).toEqual(['NEGATIVE_AMOUNT']);
    expect(codes(checkMoney('p', { amount: '10', currency: 'BTC' }).errors)).toEqual(['INVALID']);
  });

  it('customer fields: only present fields are checked, with paths', () => {
    expect(checkCustomerFields({}, now)).toEqual([]);
    expect(checkCustomerFields({ birthDate: '1899-12-31', address: { city: '', country: 'de' } }, now).map((e) => [e.field.join('.'), e.code])).toEqual([
      ['input.birthDate', 'OUT_OF_RANGE'],
      ['input.address.city', 'REQUIRED'],
      ['input.address.country', 'INVALID'],
    ]);
  });

  it('consents: at least one, each channel once, source required', () => {
    expect(codes(checkConsents([], now))).toEqual(['REQUIRED']);
    expect(checkConsents([{ channel: 'EMAIL', granted: true, source: ' ' }], now).map((e) => e.field.join('.'))).toEqual(['input.consents.0.source']);
  });
});
