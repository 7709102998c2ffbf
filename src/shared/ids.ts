import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** A new time-sortable id (ULID): items sort by creation time under their partition. */
export function newId(): string {
  return nextUlid();
}

/** GraphQL types that implement `Node`; the prefix of every global id. */
export type NodeType = 'Customer' | 'Vehicle' | 'Dealer' | 'DealerApiKey' | 'ServiceVisit' | 'MaintenanceReminder';
const NODE_TYPES: ReadonlySet<string> = new Set<NodeType>(['Customer', 'Vehicle', 'Dealer', 'DealerApiKey', 'ServiceVisit', 'MaintenanceReminder']);

/**
 * Global object ids are opaque to clients (base64url of `Type:key`), so the key
 * format can change without breaking a front-end, and one `node(id:)` serves all types.
 *
 * @example
 * const id = toGlobalId('Customer', '01J…'); // 'Q3VzdG9tZXI6MDFK4oCm'
 * fromGlobalId(id); // { type: 'Customer', key: '01J…' }
 */
export function toGlobalId(type: NodeType, key: string): string {
  return Buffer.from(`${type}:${key}`, 'utf8').toString('base64url');
}

/** Decodes a global id; `null` for anything that is not one of ours (never throws). */
export function fromGlobalId(id: string): { type: NodeType; key: string } | null {
  if (id.length === 0 || id.length > 200 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  const type = decoded.slice(0, colon);
  const key = decoded.slice(colon + 1);
  if (!NODE_TYPES.has(type) || key.length === 0) return null;
  return { type: type as NodeType, key };
}

/** Decodes a global id and insists on its type: a Vehicle id is no Customer id. */
export function keyOfGlobalId(id: string, type: NodeType): string | null {
  const parsed = fromGlobalId(id);
  return parsed && parsed.type === type ? parsed.key : null;
}
