import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** A new time-sortable id (ULID): items sort by creation time under their partition. */
export function newId(): string {
  return nextUlid();
}

/** GraphQL types that implement `Node`; the prefix of every global id. */
export type NodeType = 'Customer' | 'Vehicle' | 'Dealer' | 'DealerApiKey' | 'ServiceVisit' | 'MaintenanceReminder';
const NODE_TYPES: ReadonlySet<string> = new Set<NodeType>(['Customer', 'Vehicle', 'Dealer', 'DealerApiKey', 'ServiceVisit', 'MaintenanceReminder']);

/** ULIDs as `newId` makes them: 26 characters of Crockford's base32. */
const ULID_PART = '[0-9A-HJKMNP-TV-Z]{26}';
/** A VIN's shape (17 letters and digits); whether it is a valid VIN is the vehicle module's rule. */
const VIN_PART = '[A-Z0-9]{17}';
/** An instant as the store writes it (`toISOString`). */
const STORED_INSTANT_PART = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
const whole = (...parts: string[]) => new RegExp(`^${parts.join('')}$`);

const ULID = whole(ULID_PART);
const VIN_SHAPE = whole(VIN_PART);
export const isUlid = (value: string): boolean => ULID.test(value);
export const hasVinShape = (value: string): boolean => VIN_SHAPE.test(value);

/**
 * What the key inside a global id of each type looks like. Keys become parts of DynamoDB
 * keys, so a malformed one is "not found" here, before any read: it can neither fault a
 * read (DynamoDB refuses keys over 2 KB) nor take its DataLoader batch neighbours down.
 */
const KEY_SHAPES: Record<NodeType, RegExp> = {
  Customer: ULID,
  Dealer: ULID,
  Vehicle: VIN_SHAPE,
  DealerApiKey: whole(ULID_PART, '/', ULID_PART),
  ServiceVisit: whole(VIN_PART, '\\|', STORED_INSTANT_PART, '\\|', ULID_PART),
  MaintenanceReminder: whole(VIN_PART, '/\\d{1,6}'),
};

/**
 * Global object ids are opaque to clients (base64url of `Type:key`), so the key
 * format can change without breaking a front-end, and one `node(id:)` serves all types.
 *
 * @example
 * const id = toGlobalId('Customer', '01JD3Q…'); // 'Q3VzdG9tZXI6MDFKRDNR4oCm'
 * fromGlobalId(id); // { type: 'Customer', key: '01JD3Q…' }
 */
export function toGlobalId(type: NodeType, key: string): string {
  return Buffer.from(`${type}:${key}`, 'utf8').toString('base64url');
}

/** Decodes a global id; `null` for anything that is not one of ours, key shape included (never throws). */
export function fromGlobalId(id: string): { type: NodeType; key: string } | null {
  if (id.length === 0 || id.length > 200 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  const type = decoded.slice(0, colon);
  const key = decoded.slice(colon + 1);
  if (!NODE_TYPES.has(type) || !KEY_SHAPES[type as NodeType].test(key)) return null;
  return { type: type as NodeType, key };
}

/** Decodes a global id and insists on its type: a Vehicle id is no Customer id. */
export function keyOfGlobalId(id: string, type: NodeType): string | null {
  const parsed = fromGlobalId(id);
  return parsed && parsed.type === type ? parsed.key : null;
}
