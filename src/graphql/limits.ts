import { GraphQLError, Kind, type ASTVisitor, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * Request limits against abusive queries, checked during validation (before any
 * resolver runs, so an oversized query costs no DynamoDB read):
 * - depth: nesting of selections (fragments followed);
 * - aliases: how many aliased fields one operation may have (alias-based batching);
 * - cost: every field costs 1, multiplied by the page size of the connections above it
 *   (`first`, default 20), so "100 customers × 100 vehicles × …" is refused up front.
 */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 30, maxCost: 20_000 };

const DEFAULT_PAGE = 20;
const MAX_PAGE_SIZE = 100;
const LIST_FIELDS = new Set(['customers', 'vehicles', 'dealers', 'odometerHistory', 'nodes']);

function limitError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX' } });
}

/**
 * The page size a list field asks for. Validation runs before variables are bound, so a
 * page size given by a variable is assumed to be the largest allowed.
 */
function pageSize(field: FieldNode): number | null {
  const arg = field.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'ids');
  if (!arg) return null;
  const value = arg.value;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.LIST) return value.values.length;
  return MAX_PAGE_SIZE;
}

interface Measure {
  depth: number;
  aliases: number;
  cost: number;
}

function measure(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  visiting: Set<string>,
): Measure {
  let depth = 0;
  let aliases = 0;
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) aliases++;
      const inner = selection.selectionSet ? measure(selection.selectionSet, fragments, visiting) : { depth: 0, aliases: 0, cost: 0 };
      const size = pageSize(selection);
      const multiplier = size ?? (LIST_FIELDS.has(selection.name.value) ? DEFAULT_PAGE : 1);
      depth = Math.max(depth, selection.selectionSet ? inner.depth + 1 : 1);
      aliases += inner.aliases;
      cost += 1 + multiplier * inner.cost;
    } else {
      const set =
        selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : visiting.has(selection.name.value) ? null : fragments[selection.name.value]?.selectionSet;
      if (!set) continue;
      const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
      if (name) visiting.add(name);
      const inner = measure(set, fragments, visiting);
      if (name) visiting.delete(name);
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
      cost += inner.cost;
    }
  }
  return { depth, aliases, cost };
}

export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
    return {
      OperationDefinition(node) {
        const m = measure(node.selectionSet, fragments, new Set());
        if (m.depth > limits.maxDepth) context.reportError(limitError(`Query depth ${m.depth} exceeds the limit of ${limits.maxDepth}.`));
        if (m.aliases > limits.maxAliases) context.reportError(limitError(`Query uses ${m.aliases} aliases; the limit is ${limits.maxAliases}.`));
        if (m.cost > limits.maxCost) context.reportError(limitError(`Query cost ${m.cost} exceeds the limit of ${limits.maxCost}.`));
      },
    };
  };
}
