import { PaddockError } from '../shared/errors.js';
import { batchGetItems, itemMapKey } from './batch.js';
import type { Store } from './store.js';
import { ENTITY_TYPE_ATTRIBUTE, INDEXES, TABLE_KEYS, type IndexName, type Item, type Key } from './table.js';

/**
 * One definition per item type: its key, its index attributes, `toItem` and a validated
 * `fromItem`. Kept in-house rather than DynamoDB-Toolbox or ElectroDB: those add 122 KB /
 * 225 KB (minified) to the GraphQL bundle, and would re-encode the keys that
 * `key-part.ts` already makes injective and take over the transactions that
 * `transactions.ts` turns into precise user errors. This helper adds neither: key formats
 * stay in the entity files, writes stay plain SDK commands.
 */

/** A stored item that is not the record it claims to be. Jobs skip such items as poison records. */
export class MalformedItemError extends PaddockError {
  constructor(
    readonly entity: string,
    readonly key: Key,
    readonly problems: readonly string[],
  ) {
    super(`Malformed ${entity} item ${key.PK} / ${key.SK}: ${problems.join('; ')}`);
    this.name = 'MalformedItemError';
  }
}

/** Reads one attribute: returns the value, or throws a short description of what it expected. */
export type Field<T> = (value: unknown) => T;

class FieldProblem extends PaddockError {}
const expected = (what: string, value: unknown): never => {
  throw new FieldProblem(`expected ${what}, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}`);
};
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Set);

/**
 * Field readers for `fromItem`. They check the shape DynamoDB can get wrong (a missing
 * attribute, a string where a number belongs, a map where a list belongs); nested
 * records are checked to be maps or lists of maps, their own fields are trusted.
 */
export const field = {
  string: ((v) => (typeof v === 'string' ? v : expected('a string', v))) as Field<string>,
  number: ((v) => (typeof v === 'number' && Number.isFinite(v) ? v : expected('a number', v))) as Field<number>,
  boolean: ((v) => (typeof v === 'boolean' ? v : expected('a boolean', v))) as Field<boolean>,
  oneOf: <T extends string>(values: readonly T[]): Field<T> => (v) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : expected(`one of ${values.join(', ')}`, v)),
  /** A map whose fields are trusted (money, an author, an address). */
  map: <T>(): Field<T> => (v) => (isPlainObject(v) ? (v as T) : expected('a map', v)),
  /** A list of maps whose fields are trusted. */
  listOfMaps: <T>(): Field<T[]> => (v) => (Array.isArray(v) && v.every(isPlainObject) ? (v as T[]) : expected('a list of maps', v)),
  listOf: <T>(element: Field<T>): Field<T[]> => (v) => (Array.isArray(v) ? v.map(element) : expected('a list', v)),
  /** A string set, read back as a sorted list; DynamoDB stores no empty sets, so absent is empty. */
  stringSet: ((v) => (v === undefined ? [] : v instanceof Set ? [...(v as Set<unknown>)].map(field.string).sort() : expected('a string set', v))) as Field<string[]>,
  optional: <T>(inner: Field<T>): Field<T | undefined> => (v) => (v === undefined || v === null ? undefined : inner(v)),
  withDefault: <T>(inner: Field<T>, fallback: () => T): Field<T> => (v) => (v === undefined ? fallback() : inner(v)),
};

/** Index attributes by the index's name in `table.ts`: an entity never spells `GSI1PK`. */
export type IndexKeys = Partial<Record<IndexName, { pk: string; sk: string }>>;

/** The item attributes of index keys, named by `INDEXES`. */
export function indexAttributes(keys: IndexKeys): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [name, key] of Object.entries(keys) as [IndexName, { pk: string; sk: string }][]) {
    attributes[INDEXES[name].partitionKey] = key.pk;
    attributes[INDEXES[name].sortKey] = key.sk;
  }
  return attributes;
}

export interface EntitySpec<R> {
  /** The `entityType` attribute every item of this kind carries. */
  name: string;
  key: (record: R) => Key;
  /** Index keys derived from the record; an index left out keeps the item out of it (sparse). */
  indexes?: (record: R) => IndexKeys;
  /** One reader per record field: `fromItem` copies exactly these, nothing else of the item. */
  fields: { [K in keyof R]-?: Field<R[K]> };
  /** Attributes stored beside the record's (search text, TTL) or stored differently (sets). */
  stored?: (record: R) => Record<string, unknown>;
  /** A realistic, valid record: the fixture tests start from (`entity.make(overrides)`). */
  example: () => R;
}

export interface Entity<R> {
  readonly name: string;
  key: (record: R) => Key;
  toItem: (record: R) => Item;
  /** The record, or a `MalformedItemError` naming the entity, the key and every bad field. */
  fromItem: (item: Record<string, unknown>) => R;
  /** Whether an item is of this kind (its `entityType`). */
  is: (item: Record<string, unknown>) => boolean;
  /** A fixture: the entity's example with `overrides` (tests, seeds). */
  make: (overrides?: Partial<R>) => R;
}

/**
 * Reads a record of entity `name` out of an item, field by field; for item kinds whose
 * writes are not a plain `toItem` (a lookup item keyed by a hash it does not store).
 */
export function readItem<R>(name: string, fields: { [K in keyof R]-?: Field<R[K]> }, item: Record<string, unknown>): R {
  const key = { PK: String(item[TABLE_KEYS.partitionKey]), SK: String(item[TABLE_KEYS.sortKey]) };
  if (item[ENTITY_TYPE_ATTRIBUTE] !== name) throw new MalformedItemError(name, key, [`${ENTITY_TYPE_ATTRIBUTE} is ${String(item[ENTITY_TYPE_ATTRIBUTE])}`]);
  const record: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [attribute, read] of Object.entries(fields) as [string, Field<unknown>][]) {
    try {
      const value = read(item[attribute]);
      if (value !== undefined) record[attribute] = value;
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      problems.push(`${attribute}: ${error.message}`);
    }
  }
  if (problems.length) throw new MalformedItemError(name, key, problems);
  return record as R;
}

/**
 * @example
 * const dealerEntity = defineEntity<DealerRecord>({ name: 'Dealer', key: (d) => dealerKeys.profile(d.id), fields: { id: field.string, … } });
 * dealerEntity.fromItem(dealerEntity.toItem(makeDealer())) // the same record
 */
export function defineEntity<R>(spec: EntitySpec<R>): Entity<R> {
  const entity: Entity<R> = {
    name: spec.name,
    key: spec.key,
    toItem: (record) => ({
      ...spec.key(record),
      [ENTITY_TYPE_ATTRIBUTE]: spec.name,
      ...(spec.indexes ? indexAttributes(spec.indexes(record)) : {}),
      ...record,
      ...spec.stored?.(record),
    }),
    fromItem: (item) => readItem(spec.name, spec.fields, item),
    is: (item) => item[ENTITY_TYPE_ATTRIBUTE] === spec.name,
    make: (overrides = {}) => ({ ...spec.example(), ...overrides }),
  };
  DEFINED.push(entity as Entity<unknown>);
  return entity;
}

const DEFINED: Entity<unknown>[] = [];

/** Every entity defined so far (those of the modules imported): for tests that check all of them. */
export function definedEntities(): readonly Entity<unknown>[] {
  return DEFINED;
}

/**
 * Many records of one entity by id, in as few BatchGetItem calls as DynamoDB allows (the
 * DataLoaders' read). Ids without an item are missing from the map.
 *
 * @example
 * const customers = await getRecords(store, customerEntity, customerKeys.profile, ids);
 */
export async function getRecords<R>(store: Store, entity: Pick<Entity<R>, 'fromItem'>, keyOf: (id: string) => Key, ids: readonly string[], options: { consistentRead?: boolean } = {}): Promise<Map<string, R>> {
  const items = await batchGetItems(store.doc, store.tableName, ids.map(keyOf), options);
  const result = new Map<string, R>();
  for (const id of ids) {
    const item = items.get(itemMapKey(keyOf(id)));
    if (item) result.set(id, entity.fromItem(item));
  }
  return result;
}
