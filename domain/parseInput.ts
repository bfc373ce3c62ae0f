import type { z } from 'zod';
import { InputError } from './inputError';

/** Parses `input` with `schema`; bad input throws an InputError whose paths start with `prefix` (`entries`, `input`). */
export function parseInput<S extends z.ZodTypeAny>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw InputError.fromZod(parsed.error, prefix);
  return parsed.data;
}
