import { ConfigError, databaseEnv, readEnv } from '../../common/config';

// How every command-line tool of the project ends: its exit code from `main`, an unexpected
// error as one line on stderr (exit 1), and a closed stdout (`... | head`) not counted as a
// failure of a command that has done its work.
export function runCli(name: string, main: () => Promise<number>): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  main().then(
    (code) => { process.exitCode = code; },
    (err) => {
      process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

/** A mistake in a command's arguments: the message and the usage are printed, exit 64. */
export class UsageError extends Error {}

/** Exit code of a command called wrongly (sysexits' EX_USAGE). */
export const EX_USAGE = 64;

/**
 * The start every database command shares: its arguments parsed and DATABASE_URL read, or the
 * exit code after the problem and the usage were printed.
 */
export function argsAndDatabase<A>(parse: () => A, usage: string): { args: A; databaseUrl: string } | number {
  try {
    const args = parse();
    return { args, databaseUrl: readEnv(databaseEnv).DATABASE_URL };
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message ? `${err.message}\n` : ''}${usage}\n`);
    return EX_USAGE;
  }
}
