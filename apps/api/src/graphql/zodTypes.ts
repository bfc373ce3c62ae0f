import { Field, Float, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { GraphQLScalarType } from 'graphql';
import { z } from 'zod';
import { JsonScalar } from './jsonScalar';

// GraphQL types made from the zod schemas of domain/: the settings a user gives are written
// once (domain/campaignSettings.ts), and the API's input and output types follow them. A field
// is typed from its zod type: strings, whole and other numbers, booleans, enums (registered under
// a name made from the type's and the field's), arrays, nested objects (a type of their own),
// and records or tuples as JSON. Descriptions come from zod's describe(). Validation stays with
// zod: GraphQL checks only the shape, and the service parses the value with the same schema.

type TypeFn = () => unknown;

interface FieldShape {
  type: TypeFn;
  nullable: boolean;
  description?: string;
}

const enums = new Map<string, object>();
// Made once per name: two fields whose types share a name must share the shape too.
const classes = new Map<string, new () => object>();

/** Unwraps optional, nullable, default and effects; says whether null/absent is allowed. */
function unwrap(schema: z.ZodTypeAny): { inner: z.ZodTypeAny; nullable: boolean; description?: string } {
  let inner = schema;
  let nullable = false;
  let description = schema.description;
  for (;;) {
    description ??= inner.description;
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) {
      nullable = true;
      inner = inner.unwrap();
    } else if (inner instanceof z.ZodDefault) {
      nullable = true;
      inner = inner._def.innerType;
    } else if (inner instanceof z.ZodEffects) {
      inner = inner.innerType();
    } else {
      return { inner, nullable, description };
    }
  }
}

const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The GraphQL enum of that name, registered once (input and output types share it). */
export function enumOf(name: string, values: readonly string[]): object {
  const existing = enums.get(name);
  if (existing) return existing;
  const e = Object.fromEntries(values.map((v) => [v, v]));
  registerEnumType(e, { name });
  enums.set(name, e);
  return e;
}

/** Dotted field paths (`caps.person`) to GraphQL type names, where the key alone is not the name. */
export type TypeNames = Record<string, string>;

function typeOf(
  schema: z.ZodTypeAny, path: string, kind: 'input' | 'output', names: TypeNames,
): { type: TypeFn; nullable: boolean; description?: string } {
  const { inner, nullable, description } = unwrap(schema);
  // A type is named after its field (`legalPolicy` → LegalPolicy, `caps` → Caps / CapsInput),
  // so the input and output types of a setting share their enums and nested shapes.
  const base = names[path] ?? pascal(path.split('.').pop()!);
  let type: TypeFn;
  if (inner instanceof z.ZodString) type = () => String;
  else if (inner instanceof z.ZodNumber) type = inner.isInt ? () => Int : () => Float;
  else if (inner instanceof z.ZodBoolean) type = () => Boolean;
  else if (inner instanceof z.ZodEnum) {
    const e = enumOf(base, inner.options as string[]);
    type = () => e;
  } else if (inner instanceof z.ZodArray) {
    const element = typeOf(inner.element, path, kind, names);
    type = () => [element.type()];
  } else if (inner instanceof z.ZodObject) {
    const cls = objectClass(`${base}${kind === 'input' ? 'Input' : ''}`, inner, kind, { names, prefix: path });
    type = () => cls;
  } else if (inner instanceof z.ZodRecord || inner instanceof z.ZodTuple || inner instanceof z.ZodUnknown) {
    type = () => JsonScalar as GraphQLScalarType;
  } else {
    throw new Error(`zodTypes: no GraphQL type for ${path} (${inner.constructor.name})`);
  }
  return { type, nullable, description };
}

/** Fields of a zod object as GraphQL fields; `prefix` is the object's own dotted path. */
function fieldsOf(prefix: string, shape: z.ZodRawShape, kind: 'input' | 'output', allNullable: boolean, names: TypeNames): Record<string, FieldShape> {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => {
    const t = typeOf(schema, prefix ? `${prefix}.${key}` : key, kind, names);
    return [key, { ...t, nullable: allNullable || t.nullable }];
  }));
}

/**
 * A class decorated as a GraphQL input or object type with the fields of a zod object. Made
 * once per name. `partial` makes every field optional (a patch); `names` names nested types
 * where their field's key is not the right name.
 */
export function graphqlClass(
  name: string,
  schema: z.AnyZodObject,
  kind: 'input' | 'output',
  opts: { partial?: boolean; description?: string; names?: TypeNames } = {},
): new () => object {
  return objectClass(name, schema, kind, { ...opts, names: opts.names ?? {}, prefix: '' });
}

function objectClass(
  name: string,
  schema: z.AnyZodObject,
  kind: 'input' | 'output',
  opts: { partial?: boolean; description?: string; names: TypeNames; prefix: string },
): new () => object {
  const existing = classes.get(name);
  if (existing) return existing;
  // A named class, so GraphQL and error messages show the type's own name.
  const cls = { [name]: class {} }[name];
  classes.set(name, cls);
  const fields = fieldsOf(opts.prefix, schema.shape, kind, opts.partial ?? false, opts.names);
  for (const [key, f] of Object.entries(fields)) {
    Field(f.type as () => GraphQLScalarType, { nullable: f.nullable, description: f.description })(cls.prototype, key);
  }
  const description = opts.description ?? schema.description;
  (kind === 'input' ? InputType(name, { description }) : ObjectType(name, { description }))(cls);
  return cls;
}
