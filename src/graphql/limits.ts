import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLEnumType,
  type GraphQLInputObjectType,
  type GraphQLInterfaceType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLUnionType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { PaddockError } from '../shared/errors.js';
import { MAX_PAGE_SIZE } from './connection.js';
import type { DomainModule, ListBounds } from './domain-module.js';

/**
 * Request limits against abusive queries, checked during validation (before any
 * resolver runs, so an oversized query costs no DynamoDB read):
 * - depth: nesting of selections (fragments followed);
 * - aliases: how many aliased fields one operation may have (alias-based batching);
 * - cost: every field costs 1, multiplied by the sizes of the lists above it, so
 *   "100 customers × 100 vehicles × …" is refused up front. List sizes come from the
 *   schema (see {@link listMultiplier}), never from a hand-kept list of field names;
 * - selections: how many selection nodes the measurement may visit. Each fragment is
 *   measured once per document, so this is bounded by the document's size, and the cap
 *   stops a huge document before its cost is even known.
 */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxSelections: number;
  /**
   * Where introspection is enabled (development), operations that select only
   * introspection fields skip the depth limit (graphql-js's own `getIntrospectionQuery()`
   * nests `ofType` 15 deep) and are bounded by this cost instead: introspection reads only
   * the in-memory schema, never DynamoDB. Unset: introspection gets no exemption.
   */
  maxIntrospectionCost?: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 30, maxCost: 20_000, maxSelections: 2_000 };
/** Enough for `getIntrospectionQuery()` on this schema (about 43,000) with room to grow. */
export const DEFAULT_INTROSPECTION_COST = 100_000;

/** The page size of a connection whose `first` is omitted and has no default in the schema. */
export const DEFAULT_PAGE_SIZE = 20;
/** The most ids `nodes(ids:)` accepts (enforced by its resolver); a variable may hold that many. */
export const MAX_NODE_IDS = 100;
/**
 * A plain list (`[X]`, not a connection) costs as if it held this many elements unless its
 * domain declares a larger real bound (`listBounds` in its module): most of ours are small
 * by construction (consents: one per channel; service plan: one per catalogue item).
 */
export const DEFAULT_LIST_SIZE = 20;

/**
 * Every module's `listBounds`, merged. Each domain declares the bounds of its own plain
 * lists beside the constant that enforces them, so no central list can drift; two modules
 * bounding the same `Type.field` is a programming fault (which bound would hold?).
 */
export function listBoundsOf(modules: readonly DomainModule[]): ListBounds {
  const merged: Record<string, number> = {};
  const owner = new Map<string, string>();
  for (const module of modules) {
    for (const [field, bound] of Object.entries(module.listBounds ?? {})) {
      if (owner.has(field)) throw new PaddockError(`List bound ${field} is declared twice (by modules ${owner.get(field)} and ${module.name}).`);
      owner.set(field, module.name);
      merged[field] = bound;
    }
  }
  return merged;
}

/**
 * The request body size both entry points accept (local server and Lambda handler).
 * API Gateway HTTP API allows 10 MB and Lambda 6 MB per invocation; the largest real
 * operation (`recordInteractions`, 100 events) is about 100 kB, so 1 MiB leaves ample room
 * while keeping a hostile body from being parsed at all.
 */
export const MAX_REQUEST_BODY_BYTES = 1_048_576;
/** graphql-js parser cap: a document with more tokens is refused before validation. */
export const MAX_QUERY_TOKENS = 10_000;

/** The JSON body of a 413 answer, shaped like any other GraphQL error. */
export function payloadTooLargeBody(): string {
  return JSON.stringify({
    errors: [{ message: `Request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes: MAX_REQUEST_BODY_BYTES } }],
  });
}

export const INVALID_JSON_MESSAGE = 'Body is not valid JSON';

/** The JSON body of a 400 answer to a request that is not GraphQL over JSON at all. */
export function badRequestBody(message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
}

/** The measure of one operation. */
export interface Measure {
  depth: number;
  aliases: number;
  /** The worst-case cost: every list at its largest possible size. */
  cost: number;
  /** Selection nodes visited to compute this; bounded by the document's size. */
  visited: number;
  /** True when every top-level field is an introspection field (`__schema`, `__type`, `__typename`). */
  introspectionOnly: boolean;
  /** Set when the walk stopped at `maxSelections`; the other figures are then partial. */
  truncated: boolean;
}

/*
 * Type predicates by `Symbol.toStringTag` rather than graphql-js's `isObjectType` & co.,
 * which use `instanceof`: the schema is built by whichever copy of graphql Apollo loaded,
 * and under vitest that copy (CommonJS) is not this module's (ESM), so the graphql-js
 * predicates throw "from another module or realm". The tags are part of graphql-js's API.
 */
const tagged = (type: unknown, tag: string): boolean => Object.prototype.toString.call(type) === `[object ${tag}]`;
const isObjectType = (type: unknown): type is GraphQLObjectType => tagged(type, 'GraphQLObjectType');
const isInterfaceType = (type: unknown): type is GraphQLInterfaceType => tagged(type, 'GraphQLInterfaceType');
const isUnionType = (type: unknown): type is GraphQLUnionType => tagged(type, 'GraphQLUnionType');
const isEnumType = (type: unknown): type is GraphQLEnumType => tagged(type, 'GraphQLEnumType');
const isInputObjectType = (type: unknown): type is GraphQLInputObjectType => tagged(type, 'GraphQLInputObjectType');
const isCompositeType = (type: unknown) => isObjectType(type) || isInterfaceType(type) || isUnionType(type);
const isListOrNonNull = (type: unknown): type is { ofType: GraphQLOutputType } => tagged(type, 'GraphQLList') || tagged(type, 'GraphQLNonNull');
const getNamedType = (type: GraphQLOutputType): GraphQLNamedType => (isListOrNonNull(type) ? getNamedType(type.ofType) : type);
/** Whether the field returns a list, nullable or not. */
const returnsList = (type: GraphQLOutputType): boolean => tagged(type, 'GraphQLList') || (tagged(type, 'GraphQLNonNull') && tagged((type as { ofType: unknown }).ofType, 'GraphQLList'));

const isConnectionType = (type: GraphQLNamedType): boolean => isObjectType(type) && type.name.endsWith('Connection');

/**
 * How many times a field's selection set is counted: the size of the list it returns.
 * - a connection (its type is a `…Connection` object, or it takes `first`): the `first`
 *   given in the query, else the argument's default in the schema, else
 *   {@link DEFAULT_PAGE_SIZE}; a variable may hold anything up to `MAX_PAGE_SIZE` (100), since
 *   validation runs before variables are bound;
 * - `nodes(ids:)`: the number of ids ({@link MAX_NODE_IDS} for a variable);
 * - a plain list of objects: its bound in `listBounds` or {@link DEFAULT_LIST_SIZE}; the
 *   `edges` of a connection count 1, their page size is already counted on the connection;
 * - anything else: 1.
 */
/** A literal page size as the cost counts it: itself when it is one the resolver accepts, else the largest. */
function clampPageSize(first: number): number {
  return Number.isInteger(first) && first >= 1 && first <= MAX_PAGE_SIZE ? first : MAX_PAGE_SIZE;
}

export function listMultiplier(parentType: GraphQLNamedType, field: GraphQLField<unknown, unknown>, node: FieldNode, schema: GraphQLSchema, listBounds: ListBounds = {}): number {
  const argument = (name: string) => node.arguments?.find((a) => a.name.value === name)?.value;
  const firstDefinition = field.args.find((a) => a.name === 'first');
  const returned = getNamedType(field.type);
  if (firstDefinition || isConnectionType(returned)) {
    const first = argument('first');
    // A page size the resolver will refuse (negative, zero, beyond the maximum) must not
    // make the cost small or negative: a cost below zero once let any query through.
    if (first?.kind === Kind.INT) return clampPageSize(Number(first.value));
    if (first?.kind === Kind.VARIABLE) return MAX_PAGE_SIZE;
    return typeof firstDefinition?.defaultValue === 'number' ? firstDefinition.defaultValue : DEFAULT_PAGE_SIZE;
  }
  if (!returnsList(field.type)) return 1;
  if (field.args.some((a) => a.name === 'ids')) {
    const ids = argument('ids');
    if (ids?.kind === Kind.LIST) return ids.values.length;
    return ids?.kind === Kind.VARIABLE ? MAX_NODE_IDS : 1;
  }
  if (!isCompositeType(returned) || isConnectionType(parentType)) return 1;
  if (parentType.name.startsWith('__')) return introspectionListSize(schema, field.name);
  return listBounds[`${parentType.name}.${field.name}`] ?? DEFAULT_LIST_SIZE;
}

const introspectionSizes = new WeakMap<GraphQLSchema, Record<string, number>>();

/**
 * Introspection lists are sized from this schema itself. Per-type lists (`fields`,
 * `enumValues`, …) take their average over all types, so `types { fields { … } }` costs
 * what the schema really holds (types × average = total), and a nesting such as
 * `types { fields { type { fields { type … } } } }` still multiplies at every level, which
 * bounds it although introspection may skip the depth limit.
 */
function introspectionListSize(schema: GraphQLSchema, field: string): number {
  let sizes = introspectionSizes.get(schema);
  if (!sizes) {
    const types = Object.values(schema.getTypeMap());
    const fields = types.flatMap((t) => (isObjectType(t) || isInterfaceType(t) ? Object.values(t.getFields()) : []));
    const perType = (count: (t: GraphQLNamedType) => number) => Math.max(1, Math.ceil(types.reduce((sum, t) => sum + count(t), 0) / types.length));
    sizes = {
      types: types.length,
      directives: schema.getDirectives().length,
      fields: perType((t) => (isObjectType(t) || isInterfaceType(t) ? Object.keys(t.getFields()).length : 0)),
      inputFields: perType((t) => (isInputObjectType(t) ? Object.keys(t.getFields()).length : 0)),
      enumValues: perType((t) => (isEnumType(t) ? t.getValues().length : 0)),
      interfaces: perType((t) => (isObjectType(t) || isInterfaceType(t) ? t.getInterfaces().length : 0)),
      possibleTypes: perType((t) => (isInterfaceType(t) || isUnionType(t) ? schema.getPossibleTypes(t).length : 0)),
      args: Math.max(1, Math.ceil(fields.reduce((sum, f) => sum + f.args.length, 0) / Math.max(1, fields.length))),
    };
    introspectionSizes.set(schema, sizes);
  }
  return sizes[field] ?? DEFAULT_LIST_SIZE;
}

const INTROSPECTION_FIELDS = new Set(['__schema', '__type', '__typename']);
const EMPTY = { depth: 0, aliases: 0, cost: 0 };
type Figures = typeof EMPTY;
/** Keeps costs exact integers; a fragment bomb would otherwise reach 2^1000 and Infinity. */
const clamp = (n: number) => Math.min(n, Number.MAX_SAFE_INTEGER);

/**
 * Measures one operation: depth, aliases and worst-case cost, each fragment measured once
 * (a fragment's measure does not depend on where it is spread), so the work is linear in
 * the document's size whatever the spreads multiply to. A fragment that spreads itself
 * (already refused by graphql's NoFragmentCyclesRule) counts as empty here.
 *
 * @example
 * measureOperation(schema, fragments, operation, { maxSelections: 2_000 }).cost
 */
export function measureOperation(
  schema: GraphQLSchema,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  operation: OperationDefinitionNode,
  { maxSelections, listBounds = {} }: { maxSelections: number; listBounds?: ListBounds },
): Measure {
  const memo = new Map<string, Figures>();
  const inProgress = new Set<string>();
  let visited = 0;
  let truncated = false;

  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined): Figures => {
    let depth = 0;
    let aliases = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (truncated || ++visited > maxSelections) {
        truncated = true;
        break;
      }
      if (selection.kind === Kind.FIELD) {
        const field = parentType ? fieldOf(schema, parentType, selection.name.value) : undefined;
        const inner = selection.selectionSet ? walk(selection.selectionSet, field && getNamedType(field.type)) : EMPTY;
        const multiplier = field && parentType ? listMultiplier(parentType, field, selection, schema, listBounds) : 1;
        depth = Math.max(depth, inner.depth + 1);
        aliases += (selection.alias ? 1 : 0) + inner.aliases;
        cost = clamp(cost + 1 + multiplier * inner.cost);
        continue;
      }
      const inner =
        selection.kind === Kind.INLINE_FRAGMENT
          ? walk(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType)
          : fragment(selection.name.value);
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
      cost = clamp(cost + inner.cost);
    }
    return { depth, aliases, cost };
  };

  const fragment = (name: string): Figures => {
    const known = memo.get(name);
    if (known) return known;
    const definition = fragments.get(name);
    if (!definition || inProgress.has(name)) return EMPTY;
    inProgress.add(name);
    const measured = walk(definition.selectionSet, schema.getType(definition.typeCondition.name.value));
    inProgress.delete(name);
    memo.set(name, measured);
    return measured;
  };

  const figures = walk(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
  return { ...figures, visited, truncated, introspectionOnly: selectsOnlyIntrospection(operation.selectionSet, fragments, new Set()) };
}

/** Whether every top-level field (through fragments) is `__schema`, `__type` or `__typename`. */
function selectsOnlyIntrospection(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen: Set<string>): boolean {
  return selectionSet.selections.every((selection) => {
    if (selection.kind === Kind.FIELD) return INTROSPECTION_FIELDS.has(selection.name.value);
    if (selection.kind === Kind.INLINE_FRAGMENT) return selectsOnlyIntrospection(selection.selectionSet, fragments, seen);
    const definition = fragments.get(selection.name.value);
    if (!definition || seen.has(selection.name.value)) return true;
    seen.add(selection.name.value);
    return selectsOnlyIntrospection(definition.selectionSet, fragments, seen);
  });
}

function fieldOf(schema: GraphQLSchema, type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  // The meta fields are not in any type's field map; graphql-js exports their definitions.
  if (name === SchemaMetaFieldDef.name) return type === schema.getQueryType() ? SchemaMetaFieldDef : undefined;
  if (name === TypeMetaFieldDef.name) return type === schema.getQueryType() ? TypeMetaFieldDef : undefined;
  return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
}

/**
 * A query refused by these limits. Apollo re-wraps every validation error with the code
 * GRAPHQL_VALIDATION_FAILED; the server's error formatter finds this class as the
 * original error and restores QUERY_TOO_COMPLEX, so clients can tell "too big" from "wrong".
 */
export class QueryTooComplexError extends GraphQLError {
  constructor(message: string, extensions: Record<string, unknown>) {
    super(message, { extensions: { code: 'QUERY_TOO_COMPLEX', ...extensions } });
    this.name = 'QueryTooComplexError';
  }
}

const limitError = (message: string, extensions: Record<string, unknown>) => new QueryTooComplexError(message, extensions);

/** The requested cost of an operation as reported to clients in `extensions.cost`. */
export interface RequestedCost {
  requestedQueryCost: number;
  limit: number;
}

/**
 * The query-limits validation rule, plus the measures it took: the server reports the
 * requested cost of every operation from them without measuring it a second time.
 * `listBounds` are the modules' plain-list bounds ({@link listBoundsOf}); without them
 * every plain list costs {@link DEFAULT_LIST_SIZE}.
 */
export function createQueryLimits(limits: QueryLimits, listBounds: ListBounds = {}) {
  const measures = new WeakMap<OperationDefinitionNode, Measure>();
  const introspectionExempt = (m: Measure) => limits.maxIntrospectionCost !== undefined && m.introspectionOnly;
  const costLimit = (m: Measure) => (introspectionExempt(m) ? limits.maxIntrospectionCost! : limits.maxCost);

  const rule: ValidationRule = (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    return {
      OperationDefinition(node) {
        const m = measureOperation(context.getSchema(), fragments, node, { maxSelections: limits.maxSelections, listBounds });
        measures.set(node, m);
        if (m.truncated) {
          context.reportError(limitError(`Query has more than ${limits.maxSelections} selections.`, { selections: { limit: limits.maxSelections } }));
          return;
        }
        const maxCost = costLimit(m);
        if (m.depth > limits.maxDepth && !introspectionExempt(m)) context.reportError(limitError(`Query depth ${m.depth} exceeds the limit of ${limits.maxDepth}.`, { depth: { requested: m.depth, limit: limits.maxDepth } }));
        if (m.aliases > limits.maxAliases) context.reportError(limitError(`Query uses ${m.aliases} aliases; the limit is ${limits.maxAliases}.`, { aliases: { requested: m.aliases, limit: limits.maxAliases } }));
        if (m.cost > maxCost) context.reportError(limitError(`Query cost ${m.cost} exceeds the limit of ${maxCost}.`, { cost: { requestedQueryCost: m.cost, limit: maxCost } }));
      },
    };
  };

  return {
    rule,
    /** The requested cost measured when the operation was validated (undefined if it never was). */
    requestedCost(operation: OperationDefinitionNode): RequestedCost | undefined {
      const m = measures.get(operation);
      if (!m || m.truncated) return undefined;
      return { requestedQueryCost: m.cost, limit: costLimit(m) };
    },
  };
}

/** The validation rule alone (for `validate()` in tests and tools). */
/**
 * Refuses operations of a kind the schema has no root type for (Paddock has no
 * subscriptions). graphql-js 16 finds that only during execution and throws an error
 * without a code, which the edge would mask as a fault; this makes it the caller's mistake.
 */
export const supportedOperationsRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(new GraphQLError(`This API has no ${node.operation} operations.`, { nodes: [node] }));
    }
  },
});

export function queryLimitsRule(limits: QueryLimits, listBounds: ListBounds = {}): ValidationRule {
  return createQueryLimits(limits, listBounds).rule;
}
