import { describe, expect, it } from 'vitest';
import { rewardEntity, rewardKeys, voucherEntity, type VoucherRecord } from '../../src/rewards/reward-records.js';
import { checkRewardCode, checkVoucherTerms } from '../../src/rewards/reward-validation.js';
import { canonicalVoucherCode, newVoucherCode } from '../../src/rewards/voucher-code.js';
import { discountOn, voucherExpiry, voucherStatusAt, voucherUse } from '../../src/rewards/voucher-rules.js';

const EUR = (amountMinor: number) => ({ amountMinor, currency: 'EUR' as const });

describe('Voucher codes', () => {
  it('are three groups of four Crockford characters whose check character holds', () => {
    // Act
    const codes = Array.from({ length: 500 }, newVoucherCode);
    // Assess
    for (const code of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
      expect(canonicalVoucherCode(code)).toBe(code);
    }
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('read back as typed: any case, spaces or no dashes, O for 0 and I or L for 1', () => {
    const code = newVoucherCode();
    expect(canonicalVoucherCode(` ${code.toLowerCase().replace(/-/g, ' ')} `)).toBe(code);
    expect(canonicalVoucherCode(code.replace(/-/g, ''))).toBe(code);
    const withZero = '0000-0000-000';
    const valid = ['0', ...'123456789ABCDEFGHJKMNPQRSTVWXYZ'].map((c) => withZero + c).find((c) => canonicalVoucherCode(c));
    expect(canonicalVoucherCode(valid!.replace(/0/g, 'O'))).toBe(valid);
  });

  it('refuse a mistyped character, two swapped neighbours, a wrong length or a foreign character', () => {
    const code = newVoucherCode();
    const raw = code.replace(/-/g, '');
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    // Every single-character change anywhere is caught (Luhn mod 32 catches all of them).
    for (let i = 0; i < raw.length; i++) {
      for (const c of alphabet) {
        if (c === raw[i]) continue;
        expect(canonicalVoucherCode(raw.slice(0, i) + c + raw.slice(i + 1))).toBeNull();
      }
    }
    expect(canonicalVoucherCode(raw.slice(0, 11))).toBeNull();
    expect(canonicalVoucherCode(`${raw}0`)).toBeNull();
    expect(canonicalVoucherCode(raw.replace(/^./, 'U'))).toBeNull();
    expect(canonicalVoucherCode('')).toBeNull();
    const swapped = raw[0] !== raw[1] ? raw[1]! + raw[0]! + raw.slice(2) : null;
    if (swapped) expect(canonicalVoucherCode(swapped)).not.toBe(code);
  });
});

describe('Voucher rules', () => {
  const voucher = (overrides: Partial<VoucherRecord> = {}) => voucherEntity.make({ customerId: 'C1', expiresAt: '2027-04-02T10:00:00.000Z', ...overrides });
  const visit = { customerId: 'C1', performedAt: '2026-11-20T09:00:00.000Z', total: EUR(45_000) };

  it('expire validDays after issue and read EXPIRED only while unused', () => {
    expect(voucherExpiry('2026-04-02T10:00:00.000Z', 30)).toBe('2026-05-02T10:00:00.000Z');
    expect(voucherStatusAt(voucher(), '2027-04-02T10:00:00.001Z')).toBe('EXPIRED');
    expect(voucherStatusAt(voucher(), '2027-04-02T10:00:00.000Z')).toBe('ISSUED');
    expect(voucherStatusAt(voucher({ status: 'USED' }), '2030-01-01T00:00:00.000Z')).toBe('USED');
  });

  it('take a fixed amount or a capped percentage off an invoice, never more than the invoice, only in its currency', () => {
    expect(discountOn({ type: 'FIXED', amount: EUR(5_000) }, EUR(45_000))).toEqual(EUR(5_000));
    expect(discountOn({ type: 'FIXED', amount: EUR(5_000) }, EUR(3_000))).toEqual(EUR(3_000));
    expect(discountOn({ type: 'PERCENT', percent: 15, cap: EUR(10_000) }, EUR(45_001))).toEqual(EUR(6_750));
    expect(discountOn({ type: 'PERCENT', percent: 15, cap: EUR(5_000) }, EUR(45_000))).toEqual(EUR(5_000));
    expect(discountOn({ type: 'PERCENT', percent: 100, cap: EUR(100_000) }, EUR(45_000))).toEqual(EUR(45_000));
    expect(discountOn({ type: 'FIXED', amount: EUR(5_000) }, { amountMinor: 45_000, currency: 'CHF' })).toBeNull();
  });

  it('refuse at a visit with a specific code on voucherCode; another owner reads as unknown', () => {
    const code = (v: VoucherRecord | null) => {
      const use = voucherUse(v, visit);
      return use.ok ? use.discount : use.refusal;
    };
    expect(code(voucher())).toEqual(EUR(5_000));
    expect(code(null)).toMatchObject({ code: 'VOUCHER_NOT_FOUND', field: 'voucherCode' });
    expect(code(voucher({ customerId: 'C2' }))).toEqual(code(null));
    expect(code(voucher({ status: 'USED', usedAt: '2026-10-01T00:00:00.000Z' }))).toMatchObject({ code: 'VOUCHER_USED' });
    expect(code(voucher({ status: 'CANCELLED' }))).toMatchObject({ code: 'VOUCHER_CANCELLED' });
    expect(code(voucher({ expiresAt: '2026-11-20T08:59:59.999Z' }))).toMatchObject({ code: 'VOUCHER_EXPIRED' });
    expect(code(voucher({ kind: 'MERCHANDISE', discount: undefined }))).toMatchObject({ code: 'VOUCHER_NOT_APPLICABLE' });
    // Redeemed while the car was in the workshop (up to 7 days after the visit began): fine; a visit older than that: not
    expect(code(voucher({ issuedAt: '2026-11-27T09:00:00.000Z' }))).toEqual(EUR(5_000));
    expect(code(voucher({ issuedAt: '2026-11-27T09:00:00.001Z' }))).toMatchObject({ code: 'VOUCHER_NOT_APPLICABLE', field: 'voucherCode' });
    expect(voucherUse(voucher(), { ...visit, total: { amountMinor: 45_000, currency: 'GBP' } })).toMatchObject({ ok: false, refusal: { code: 'VOUCHER_NOT_APPLICABLE' } });
  });
});

describe('Reward input checks', () => {
  it('accept one discount per maintenance voucher and none on other kinds', () => {
    expect(checkVoucherTerms('t', { kind: 'MAINTENANCE_DISCOUNT', validDays: 365, fixedAmount: { amount: '50', currency: 'EUR' } }).terms).toEqual({ kind: 'MAINTENANCE_DISCOUNT', validDays: 365, discount: { type: 'FIXED', amount: EUR(5_000) } });
    expect(checkVoucherTerms('t', { kind: 'MAINTENANCE_DISCOUNT', validDays: 90, percentOff: 15, percentCap: { amount: '100', currency: 'EUR' } }).terms).toEqual({ kind: 'MAINTENANCE_DISCOUNT', validDays: 90, discount: { type: 'PERCENT', percent: 15, cap: EUR(10_000) } });
    expect(checkVoucherTerms('t', { kind: 'MERCHANDISE', validDays: 180 }).terms).toEqual({ kind: 'MERCHANDISE', validDays: 180 });
  });

  it('name the field of every problem', () => {
    const fields = (input: Parameters<typeof checkVoucherTerms>[1]) => checkVoucherTerms('voucherTerms', input).errors.map((e) => [e.field.join('.'), e.code]);
    expect(fields({ kind: 'MAINTENANCE_DISCOUNT', validDays: 0 })).toEqual([
      ['input.voucherTerms.validDays', 'OUT_OF_RANGE'],
      ['input.voucherTerms', 'REQUIRED'],
    ]);
    expect(fields({ kind: 'MERCHANDISE', validDays: 30, percentOff: 10 })).toEqual([['input.voucherTerms', 'INVALID']]);
    expect(fields({ kind: 'MAINTENANCE_DISCOUNT', validDays: 30, fixedAmount: { amount: '5', currency: 'EUR' }, percentOff: 10 })).toEqual([['input.voucherTerms', 'INVALID']]);
    expect(fields({ kind: 'MAINTENANCE_DISCOUNT', validDays: 30, fixedAmount: { amount: '0', currency: 'EUR' } })).toEqual([['input.voucherTerms.fixedAmount.amount', 'OUT_OF_RANGE']]);
    expect(fields({ kind: 'MAINTENANCE_DISCOUNT', validDays: 30, percentOff: 101, percentCap: { amount: '20000', currency: 'EUR' } })).toEqual([
      ['input.voucherTerms.percentOff', 'OUT_OF_RANGE'],
      ['input.voucherTerms.percentCap.amount', 'OUT_OF_RANGE'],
    ]);
    expect(checkRewardCode('code', ' track-cap-26 ')).toEqual({ code: 'TRACK-CAP-26', errors: [] });
    expect(checkRewardCode('code', 'TRACK CAP').errors[0]).toMatchObject({ code: 'INVALID' });
  });
});

describe('Reward and voucher items', () => {
  it('key a reward under its id in the catalogue and a voucher under its code, listed under its member', () => {
    const reward = rewardEntity.toItem(rewardEntity.make({ id: 'R1' }));
    expect({ PK: reward.PK, SK: reward.SK, GSI2PK: reward.GSI2PK, GSI2SK: reward.GSI2SK }).toEqual({ PK: 'REWARD#R1', SK: 'REWARD', GSI2PK: 'REWARDS', GSI2SK: 'R1' });
    const v = voucherEntity.toItem(voucherEntity.make({ customerId: 'C1', issuedAt: '2026-04-02T10:00:00.000Z' }));
    expect({ PK: v.PK, SK: v.SK, GSI1PK: v.GSI1PK, GSI1SK: v.GSI1SK }).toEqual({ PK: 'VOUCHER#7K3M-Q9TX-2HPS', SK: 'VOUCHER', GSI1PK: 'CUST#C1', GSI1SK: 'VOUCHER#2026-04-02T10:00:00.000Z#7K3M-Q9TX-2HPS' });
    expect(rewardKeys.codeClaim('A#B')).toEqual({ PK: 'REWARDCODE#A%23B', SK: 'REWARDCODE' });
    expect(canonicalVoucherCode(voucherEntity.make().code)).toBe(voucherEntity.make().code);
  });
});
