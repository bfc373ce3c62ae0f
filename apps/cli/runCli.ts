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
