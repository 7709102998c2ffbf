import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** A new time-sortable id (ULID): items sort by creation time under their partition. */
export function newId(): string {
  return nextUlid();
}

/**
 * Pieces of key shapes that several domains compose. Which shape the key of each node type
 * has is its domain's rule (see {@link NodeKey}); the ground floor only knows the pieces.
 */
export const KEY_PART = {
  /** ULIDs as `newId` makes them: 26 characters of Crockford's base32. */
  ulid: '[0-9A-HJKMNP-TV-Z]{26}',
  /** A VIN's shape (17 letters and digits); whether it is a valid VIN is the vehicle module's rule. */
  vin: '[A-Z0-9]{17}',
  /** An instant as the store writes it (`toISOString`). */
  storedInstant: '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z',
} as const;

/** A test for a whole key made of the given regular-expression parts. */
export function keyShape(...parts: string[]): (key: string) => boolean {
  const pattern = new RegExp(`^${parts.join('')}$`);
  return (key) => pattern.test(key);
}

export const isUlid = keyShape(KEY_PART.ulid);
export const hasVinShape = keyShape(KEY_PART.vin);

/**
 * One GraphQL type that implements `Node`, as its domain declares it: the type name (the
 * prefix of its global ids) and the shape of the key inside them. Keys become parts of
 * DynamoDB keys, so a malformed one is "not found" here, before any read: it can neither
 * fault a read (DynamoDB refuses keys over 2 KB) nor take its DataLoader batch neighbours
 * down.
 */
export interface NodeKey {
  readonly type: string;
  readonly isKey: (key: string) => boolean;
}

/** Declares a node type's global ids (in its domain, beside the entity). */
export function nodeKey(type: string, isKey: (key: string) => boolean): NodeKey {
  return { type, isKey };
}

/**
 * Global object ids are opaque to clients (base64url of `Type:key`), so the key
 * format can change without breaking a front-end, and one `node(id:)` serves all types.
 *
 * @example
 * const id = toGlobalId(CUSTOMER_NODE, '01JD3Q…'); // 'Q3VzdG9tZXI6MDFKRDNR4oCm'
 * keyOfGlobalId(id, CUSTOMER_NODE); // '01JD3Q…'
 */
export function toGlobalId(type: NodeKey | string, key: string): string {
  return Buffer.from(`${typeof type === 'string' ? type : type.type}:${key}`, 'utf8').toString('base64url');
}

/**
 * Splits a global id into its type name and key; `null` for anything that is not shaped
 * like one of ours (never throws). Neither the type nor the key's shape is checked here:
 * the node type's domain does that ({@link keyOfGlobalId}, `graphql/nodes.ts`).
 */
export function decodeGlobalId(id: string): { type: string; key: string } | null {
  if (id.length === 0 || id.length > 200 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { type: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}

/** Decodes a global id and insists on its type and key shape: a Vehicle id is no Customer id. */
export function keyOfGlobalId(id: string, node: NodeKey): string | null {
  const decoded = decodeGlobalId(id);
  return decoded && decoded.type === node.type && node.isKey(decoded.key) ? decoded.key : null;
}
