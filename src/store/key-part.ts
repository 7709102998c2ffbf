/**
 * Key parts that come from callers (a source system's event id, an email, a dealer code,
 * a name in a sort key) are encoded before they are joined with `#`.
 *
 * Without it, `SOURCEEVENT#sys#T#e1` is both {system "sys#T", id "e1"} and {system "sys",
 * id "T#e1"}: two real events share one idempotency key and the second is dropped as a
 * duplicate. Percent-encoding `%` and `#` (and nothing else) makes the join injective —
 * no encoded part contains `#`, and decoding is unambiguous because `%` is encoded too —
 * while ids, VINs and codes made of letters and digits stay exactly as they were, so keys
 * of existing well-formed data do not move.
 *
 * @example
 * keyPart('sys#T') // 'sys%23T'
 * joinKey('SOURCEEVENT', 'sys#T', 'e1') // 'SOURCEEVENT#sys%23T#e1'
 */
export function keyPart(value: string): string {
  return value.replace(/[%#]/g, (c) => (c === '%' ? '%25' : '%23'));
}

/** The inverse of `keyPart`, for reading a part back out of a key. */
export function decodeKeyPart(part: string): string {
  return part.replace(/%(25|23)/g, (_, hex: string) => (hex === '25' ? '%' : '#'));
}

/** A typed prefix followed by encoded parts, joined with `#`. */
export function joinKey(prefix: string, ...parts: readonly string[]): string {
  return [prefix, ...parts.map(keyPart)].join('#');
}
