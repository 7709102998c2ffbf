import { systemClock, type Clock } from '../shared/clock.js';
import { InvariantError } from '../shared/errors.js';
import type { UserErrorCode } from '../shared/user-error.js';
import type { Store } from './store.js';
import { transactWrite, type TransactItem } from './transactions.js';

/**
 * Facts that several domains react to — a car registered, a service visit recorded, an
 * order, a finance contract, an interaction — are written in one transaction together
 * with whatever other domains keep about them, so nothing is lost or counted twice.
 *
 * The domain that owns a fact declares its payload by augmenting {@link FactPayloads}:
 *
 * ```ts
 * declare module '../store/fact-hooks.js' {
 *   interface FactPayloads { ServiceVisitRecorded: ServiceVisitRecorded }
 * }
 * ```
 *
 * A domain that reacts to it default-exports its hooks from `src/<domain>/fact-hooks.ts`
 * (`{ ServiceVisitRecorded: (fact, store) => [...] }`; codegen collects the files): a
 * function returning the transaction items it adds. Most are pure; a hook whose items
 * depend on its own state may read it first (the club reads the membership: a non-member
 * earns nothing, a member's level sets the multiplier) and return a promise — so the
 * owning service asks the registry again on every attempt of its transaction, never
 * re-sending items composed from a stale read. The owning service writes them with its
 * own items, merged per item. Neither domain imports the other.
 *
 * Two restrictions follow from DynamoDB's one-operation-per-item rule: a hook may not
 * touch an item the owner Puts or Deletes, and two contributions to one item may not write
 * overlapping paths — both are refused when the transaction is composed (`InvariantError`),
 * never sent.
 */
// Augmented by the domains that own facts; empty here on purpose.
export interface FactPayloads {}

export type FactName = keyof FactPayloads;

/**
 * A final refusal of a fact by the domain that owns the refused item: a user error code
 * and the message the caller sees (the domain words its own limits). The service writing
 * the fact puts it on the input field of the subject (e.g. `ownerId`).
 */
export interface Refusal {
  code: UserErrorCode;
  message: string;
  /** The input field the refusal is about, when it is not the fact's subject (a voucher code on a visit). */
  field?: string;
}

/** One transaction item a hook adds, and what it means when its condition fails. */
export interface Contribution {
  item: TransactItem;
  /**
   * Explains a failed condition on this item to the caller: a {@link Refusal} (e.g.
   * `LIMIT_REACHED` with the limit in words) or `null` for "the target is gone / changed"
   * (the service's own answer). It is asked whenever the merged item it is part of failed —
   * also when another contribution's condition, or a concurrent write, was the cause — so it
   * must read back and refuse only when its own condition is really false (see
   * `value/fact-hooks.ts`, which checks the list's size).
   */
  explainFailure?: () => Promise<Refusal | null>;
}

/**
 * What a hook is given besides the fact: the store (the table's name; reads for hooks that
 * read and for `explainFailure`) and the time the fact is being written — a document may be
 * dated in the past or the future, and a hook that dates what it writes (club points) must
 * not date it after now.
 */
export interface HookContext {
  now: Date;
}

/** `context` is always given by the registry; a direct call (a seed, a test) may leave it out for the system time. */
export type FactHook<N extends FactName> = (fact: FactPayloads[N], store: Store, context?: HookContext) => Contribution[] | Promise<Contribution[]>;

export type FactHooks = { [N in FactName]?: FactHook<N> };

/** DynamoDB's limit on items in one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Every domain's hooks, by fact. Built once at start-up from the generated list (`composition.ts`). */
export class FactHookRegistry {
  private readonly byFact = new Map<FactName, FactHook<FactName>[]>();

  constructor(
    private readonly store: Store,
    hookSets: readonly FactHooks[],
    private readonly clock: Clock = systemClock,
  ) {
    for (const hooks of hookSets) {
      for (const [name, hook] of Object.entries(hooks) as [FactName, FactHook<FactName>][]) {
        this.byFact.set(name, [...(this.byFact.get(name) ?? []), hook]);
      }
    }
  }

  /**
   * The items every reacting domain adds to the transaction that records `fact`, in hook
   * order. Ask again on each attempt of a transaction: a hook may have read state that a
   * failed attempt shows to be stale.
   */
  async contributions<N extends FactName>(name: N, fact: FactPayloads[N]): Promise<Contribution[]> {
    const parts = await Promise.all((this.byFact.get(name) ?? []).map((hook) => (hook as FactHook<N>)(fact, this.store, { now: this.clock() })));
    return parts.flat();
  }

  /** Writes a fact's items, its owner's and the contributions, in one transaction (see `writeContributions`). */
  write(contributions: readonly Contribution[]): Promise<FactWriteResult> {
    return writeContributions(this.store, contributions);
  }
}

/** A transaction item after merging, with every contribution merged into it, in order. */
export interface MergedItem {
  item: TransactItem;
  sources: Contribution[];
}

const UPDATE_ACTIONS = ['SET', 'REMOVE', 'ADD', 'DELETE'] as const;
type UpdateAction = (typeof UPDATE_ACTIONS)[number];
/** An action keyword of an update expression (not a placeholder such as `:delete` or `#add`). */
const ACTION_KEYWORD = /(?<![\w#:.])(SET|REMOVE|ADD|DELETE)(?=\s)/gi;

/** The clauses of an update expression by action, e.g. `SET a = :a, b = :b ADD c :c` → { SET: 'a = :a, b = :b', ADD: 'c :c' }. */
export function updateClauses(expression: string): Partial<Record<UpdateAction, string>> {
  const clauses: Partial<Record<UpdateAction, string>> = {};
  const marks = [...expression.matchAll(ACTION_KEYWORD)];
  marks.forEach((mark, i) => {
    const action = mark[1]!.toUpperCase() as UpdateAction;
    const body = expression.slice(mark.index! + mark[0].length, marks[i + 1]?.index ?? expression.length).trim();
    clauses[action] = clauses[action] ? `${clauses[action]}, ${body}` : body;
  });
  return clauses;
}

/** Where an item lands: its table and primary key (a Put's key is part of its item). */
function targetOf(item: TransactItem): string {
  const op = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
  if (!op) throw new InvariantError('A transaction item has no operation');
  const key = item.Put ? { PK: item.Put.Item?.PK, SK: item.Put.Item?.SK } : (op as { Key: Record<string, unknown> }).Key;
  return JSON.stringify([op.TableName, key?.PK, key?.SK]);
}

interface Expressions {
  update?: string;
  condition?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** An Update's or ConditionCheck's expressions with every placeholder prefixed, so two contributions' `#n`/`:v` cannot collide. */
function prefixed(item: TransactItem, prefix: string): Expressions {
  const op = (item.Update ?? item.ConditionCheck)!;
  const names = op.ExpressionAttributeNames ?? {};
  const values = op.ExpressionAttributeValues ?? {};
  const rename = (expression: string | undefined) =>
    expression?.replace(/[#:][A-Za-z0-9_]+/g, (token) => (token in names || token in values ? `${token[0]}${prefix}_${token.slice(1)}` : token));
  return {
    update: rename(item.Update?.UpdateExpression),
    condition: rename(op.ConditionExpression),
    names: Object.fromEntries(Object.entries(names).map(([k, v]) => [`#${prefix}_${k.slice(1)}`, v])),
    values: Object.fromEntries(Object.entries(values).map(([k, v]) => [`:${prefix}_${k.slice(1)}`, v])),
  };
}

/** Splits at commas outside parentheses: `a = list_append(a, :x), b = :y` → two assignments. */
function topLevelParts(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '(') depth++;
    else if (body[i] === ')') depth--;
    else if (body[i] === ',' && depth === 0) (parts.push(body.slice(start, i)), (start = i + 1));
  }
  parts.push(body.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** The document paths an update expression writes, with name placeholders resolved (`aggregates.visits`, `vehicleVins`). */
export function writtenPaths(update: string, names: Record<string, string>): string[] {
  const resolve = (path: string) => path.replace(/#[A-Za-z0-9_]+/g, (token) => names[token] ?? token).replace(/\[/g, '.[');
  return (Object.entries(updateClauses(update)) as [UpdateAction, string][]).flatMap(([action, body]) =>
    topLevelParts(body).map((part) => resolve((action === 'SET' ? part.split('=')[0]! : part.split(/\s+/)[0]!).trim())),
  );
}

const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/** Several Updates/ConditionChecks on one item as one operation: clauses concatenated by action, conditions ANDed. */
function mergeSameItem(items: readonly TransactItem[]): TransactItem {
  if (items.some((i) => i.Put || i.Delete)) {
    throw new InvariantError(`Two contributions write the same item and one of them is a Put or Delete, which cannot be merged: ${targetOf(items[0]!)}`);
  }
  const parts = items.map((item, i) => prefixed(item, `c${i}`));
  // DynamoDB refuses one update writing overlapping paths ("Two document paths overlap"),
  // which would surface as a fault at the caller's request: refuse it here, naming both.
  const written = parts.map((p) => writtenPaths(p.update ?? '', p.names));
  written.forEach((paths, i) =>
    written.slice(i + 1).forEach((other, d) => {
      const clash = paths.find((a) => other.some((b) => overlaps(a, b)));
      if (clash) throw new InvariantError(`Contributions ${i} and ${i + 1 + d} both write ${clash} on ${targetOf(items[0]!)}; one update cannot write overlapping paths`);
    }),
  );
  const clauses: Partial<Record<UpdateAction, string[]>> = {};
  for (const part of parts) {
    for (const [action, body] of Object.entries(updateClauses(part.update ?? '')) as [UpdateAction, string][]) (clauses[action] ??= []).push(body);
  }
  const conditions = [...new Set(parts.flatMap((p) => (p.condition ? [p.condition] : [])))];
  const names = Object.assign({}, ...parts.map((p) => p.names)) as Record<string, string>;
  const values = Object.assign({}, ...parts.map((p) => p.values)) as Record<string, unknown>;
  const first = (items[0]!.Update ?? items[0]!.ConditionCheck)!;
  const common = {
    TableName: first.TableName,
    Key: first.Key,
    ...(conditions.length ? { ConditionExpression: conditions.map((c) => `(${c})`).join(' AND ') } : {}),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
  const update = UPDATE_ACTIONS.filter((a) => clauses[a]).map((a) => `${a} ${clauses[a]!.join(', ')}`).join(' ');
  // Only condition checks: still a condition check (an Update needs something to update).
  return update ? { Update: { ...common, UpdateExpression: update } } : { ConditionCheck: { ...common, ConditionExpression: common.ConditionExpression ?? 'attribute_exists(PK)' } };
}

/**
 * DynamoDB lets a transaction touch an item once, and several domains change the same
 * item for one fact (the owner's profile: the customer domain counts the car, the value
 * domain appends the purchase). Contributions on the same table and key become one
 * operation, at the place of the first; the others stay as they are. Pure.
 *
 * @example
 * mergeContributions([{ item: update(profile, 'SET #a = :a') }, { item: update(profile, 'ADD #b :b') }])
 * // one Update: 'SET #c0_a = :c0_a ADD #c1_b :c1_b', with both contributions as its sources
 */
export function mergeContributions(contributions: readonly Contribution[]): MergedItem[] {
  const byTarget = new Map<string, Contribution[]>();
  for (const c of contributions) {
    const target = targetOf(c.item);
    byTarget.set(target, [...(byTarget.get(target) ?? []), c]);
  }
  return [...byTarget.values()].map((sources) => ({ item: sources.length === 1 ? sources[0]!.item : mergeSameItem(sources.map((s) => s.item)), sources }));
}

/** The first refusal among contributions whose items failed, asked in order; null when none explains itself. */
export async function explainFailures(failed: readonly Contribution[]): Promise<Refusal | null> {
  for (const contribution of failed) {
    const refusal = await contribution.explainFailure?.();
    if (refusal) return refusal;
  }
  return null;
}

/** `conflicted`: some item lost to a concurrent transaction, not (only) to its condition — see `transactWrite`. */
export type FactWriteResult = { ok: true } | { ok: false; failed: Contribution[]; conflicted: boolean };

/**
 * Writes the contributions of one fact (the owner's own and every hook's) in one
 * transaction, merged by item. When conditions fail, `failed` lists every contribution
 * merged into a failed item, in order: the writer checks its own items by identity and
 * asks the rest to explain themselves (`explainFailures`).
 */
export async function writeContributions(store: Store, contributions: readonly Contribution[]): Promise<FactWriteResult> {
  const merged = mergeContributions(contributions);
  if (merged.length > MAX_TRANSACTION_ITEMS) {
    throw new InvariantError(`A fact needs ${merged.length} transaction items; DynamoDB takes at most ${MAX_TRANSACTION_ITEMS}`);
  }
  const result = await transactWrite(store.doc, merged.map((m) => m.item));
  return result.ok ? result : { ok: false, failed: result.failedConditions.flatMap((i) => merged[i]?.sources ?? []), conflicted: result.conflicted };
}

/**
 * Whether contributions can be written as one transaction: within DynamoDB's item limit,
 * and mergeable (no item both Put and updated, no overlapping paths on one item). A writer
 * that packs several facts into one transaction (a batch of interactions) asks this before
 * adding the next fact, and starts a new transaction when the answer is no. Pure.
 */
export function fitsOneTransaction(contributions: readonly Contribution[]): boolean {
  try {
    return mergeContributions(contributions).length <= MAX_TRANSACTION_ITEMS;
  } catch (error) {
    if (error instanceof InvariantError) return false;
    throw error;
  }
}
