import { InputError } from '../inputError';

/** The error `run` throws, of the given kind (an InputError unless told); anything else, or nothing, fails the test. */
export function refusal<E extends Error = InputError>(
  run: () => unknown, kind: abstract new (...args: never[]) => E = InputError as unknown as abstract new (...args: never[]) => E,
): E {
  try {
    run();
  } catch (err) {
    if (err instanceof kind) return err;
    throw err;
  }
  throw new Error(`expected a ${kind.name}`);
}
