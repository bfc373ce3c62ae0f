/**
 * An input object without the fields sent as null: GraphQL lets a client send null for any
 * optional field, and the zod schemas read a missing field as "not given" (a default, or kept).
 */
export function withoutNulls<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined)) as T;
}
