import { randomInt } from 'node:crypto';

/**
 * Voucher codes are read aloud at a workshop counter and typed into a DMS, so they use
 * Crockford's base32 alphabet (no I, L, O, U: nothing to confuse with 1, 0 or V) in three
 * groups of four, e.g. `7K3M-Q9TX-2HPS`. Eleven characters are drawn from a CSPRNG
 * (55 bits: unguessable, and a collision is refused by the voucher's conditional Put
 * anyway); the twelfth is a Luhn mod 32 check character, so a mistyped character or two
 * swapped neighbours is answered "not found" before anything is read.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_LENGTH = 11;
const GROUP = 4;

/** Luhn mod N over the alphabet's code points: the character that makes the whole sum ≡ 0. */
function checkCharacter(body: string): string {
  const n = ALPHABET.length;
  let sum = 0;
  let factor = 2;
  for (let i = body.length - 1; i >= 0; i--) {
    let addend = factor * ALPHABET.indexOf(body[i]!);
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
    factor = factor === 2 ? 1 : 2;
  }
  return ALPHABET[(n - (sum % n)) % n]!;
}

const grouped = (raw: string) => raw.match(new RegExp(`.{1,${GROUP}}`, 'g'))!.join('-');

/**
 * A fresh voucher code in its display form.
 *
 * @example
 * newVoucherCode() // '7K3M-Q9TX-2HPS'
 */
export function newVoucherCode(): string {
  let body = '';
  for (let i = 0; i < RANDOM_LENGTH; i++) body += ALPHABET[randomInt(ALPHABET.length)];
  return grouped(body + checkCharacter(body));
}

/**
 * The display form of a code as someone typed it (any case, spaces or dashes anywhere,
 * O for 0 and I or L for 1, as Crockford's decoding allows), or `null` when it cannot be
 * one of ours: wrong length, a foreign character or a failed check character.
 *
 * @example
 * canonicalVoucherCode(' 7k3m q9tx 2hps ') // '7K3M-Q9TX-2HPS'
 * canonicalVoucherCode('7K3M-Q9TX-2HPT')   // null
 */
export function canonicalVoucherCode(input: string): string | null {
  const raw = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (raw.length !== RANDOM_LENGTH + 1 || [...raw].some((c) => !ALPHABET.includes(c))) return null;
  return checkCharacter(raw.slice(0, RANDOM_LENGTH)) === raw.at(-1) ? grouped(raw) : null;
}
