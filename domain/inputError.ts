import type { z } from 'zod';

/** Bad input from a user, the ERP or a file: every problem named by its field path. */
export class InputError extends Error {
  override readonly name: string = 'InputError';
  constructor(message: string, readonly issues: readonly { path: string; message: string }[] = []) {
    super(message);
  }

  /** The issues of a failed zod parse, with `prefix` before each path (e.g. `contacts.3`). */
  static fromZod(error: z.ZodError, prefix = ''): InputError {
    const issues = error.issues.map((i) => ({ path: [prefix, ...i.path].filter((p) => p !== '').join('.'), message: i.message }));
    return new InputError(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), issues);
  }
}
