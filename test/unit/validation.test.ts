import { describe, expect, it } from 'vitest';
import { checkConsents, checkCustomerFields } from '../../src/customer/customer-validation.js';
import { formatAmount, parseAmountMinor } from '../../src/shared/money.js';
import { checkDateNotInFuture, checkEmail, checkInstantNotInFuture, checkMoney, checkPhone, isValidIsoDate } from '../../src/shared/validation.js';

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
    expect(checkDateNotInFuture('d', '2026-11-21', now)).toEqual([]);
    expect(codes(checkDateNotInFuture('d', '2026-11-22', now))).toEqual(['IN_FUTURE']);
    expect(checkInstantNotInFuture('t', '2026-11-21T11:00:00+01:00', now).errors).toEqual([]);
    expect(codes(checkInstantNotInFuture('t', '2026-11-21T10:00:01Z', now).errors)).toEqual(['IN_FUTURE']);
    expect(codes(checkInstantNotInFuture('t', '2026-11-21 10:00', now).errors)).toEqual(['INVALID_DATE']);
    expect(codes(checkInstantNotInFuture('t', '2026-11-21T10:00:00', now).errors)).toEqual(['INVALID_DATE']);
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
