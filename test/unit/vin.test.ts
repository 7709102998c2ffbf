import { describe, expect, it } from 'vitest';
import { normaliseVin, validateVin, vinCheckDigit } from '../../src/vehicle/vin.js';

describe('Function: validateVin', () => {
  it.each([
    ['1HGCM82633A004352', 'a North-American VIN with a digit check digit'],
    ['1M8GDM9AXKP042788', 'a North-American VIN with check digit X'],
    ['WP0ZZZ99ZTS392124', 'a European VIN with the filler Z at position 9'],
    ['WP0AB2A9XKS123450', 'a European VIN that carries a correct check digit'],
  ])('accepts %s (%s)', (vin) => {
    expect(validateVin(vin)).toBeNull();
  });

  it.each([
    ['WP0ZZZ99ZTS39212', 'too short'],
    ['WP0ZZZ99ZTS3921244', 'too long'],
    ['WP0ZZZ99ZTS39212I', 'contains I'],
    ['WP0ZZZ99ZTS39212O', 'contains O'],
    ['WP0ZZZ99ZTS39212Q', 'contains Q'],
    ['wp0zzz99zts392124', 'lower case (callers normalise first)'],
    ['WP0ZZZ99ZTS-92124', 'contains a dash'],
  ])('refuses %s as INVALID_VIN (%s)', (vin) => {
    expect(validateVin(vin)).toBe('INVALID_VIN');
  });

  it('refuses a wrong check digit, including on a North-American VIN with a letter at position 9', () => {
    expect(validateVin('1HGCM82643A004352')).toBe('VIN_CHECK_DIGIT_MISMATCH');
    expect(validateVin('1HGCM826Z3A004352')).toBe('VIN_CHECK_DIGIT_MISMATCH');
    expect(validateVin('WP0AB2A91KS123450')).toBe('VIN_CHECK_DIGIT_MISMATCH');
  });

  it('computes check digits per 49 CFR 565, including the X for a remainder of 10', () => {
    expect(vinCheckDigit('1HGCM82633A004352')).toBe('3');
    expect(vinCheckDigit('1M8GDM9AXKP042788')).toBe('X');
  });

  it('normalises case and surrounding space', () => {
    expect(normaliseVin('  wp0zzz99zts392124 ')).toBe('WP0ZZZ99ZTS392124');
  });
});
