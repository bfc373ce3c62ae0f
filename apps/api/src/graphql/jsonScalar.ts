import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

// Structured values whose shape zod checks (weekly hours by weekday, [start, end] pairs): GraphQL
// passes them through as JSON.

function literal(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      throw new TypeError(`JSON cannot hold a ${ast.kind}`);
  }
}

export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'A JSON value whose shape the field\'s description gives.',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: literal,
});
