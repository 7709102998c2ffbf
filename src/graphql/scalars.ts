import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/**
 * Custom scalars. Inputs are taken as trimmed strings and checked by the mutation that
 * uses them, so a malformed email or date becomes a `userErrors` entry with a field
 * path and code (what a form needs), not a request-level error. Outputs are normalised.
 */
const MAX_SCALAR_LENGTH = 320;

function stringInput(name: string) {
  const parse = (value: unknown): string => {
    if (typeof value !== 'string') throw new GraphQLError(`${name} must be a string`, { extensions: { code: 'BAD_USER_INPUT' } });
    if (value.length > MAX_SCALAR_LENGTH) throw new GraphQLError(`${name} is too long`, { extensions: { code: 'BAD_USER_INPUT' } });
    return value.trim();
  };
  return {
    parseValue: parse,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string`, { extensions: { code: 'BAD_USER_INPUT' } });
      return parse(ast.value);
    },
  };
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()),
  ...stringInput('DateTime'),
});

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  serialize: (value) => String(value).slice(0, 10),
  ...stringInput('Date'),
});

export const EmailAddressScalar = new GraphQLScalarType({
  name: 'EmailAddress',
  serialize: (value) => String(value),
  ...stringInput('EmailAddress'),
});

/** Accepts `"129.50"` or a JSON number (converted exactly as written) as input. */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    return stringInput('Decimal').parseValue(value);
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return ast.value;
    return stringInput('Decimal').parseLiteral(ast);
  },
});
