import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { Pool } from 'pg';
import { addMassCallRefusals } from '../../adapters/postgres/massCallRefusals';
import { readRefusalCsv } from './refusalCsv';
import { argsAndDatabase, runCli, UsageError } from './runCli';

// npm run import:refusals -- FILE.csv
//
// Puts the numbers of a file (number;refused_at;operator, apps/cli/refusalCsv.ts) on the refusal
// list of mass calls, in one transaction. Every bad line is named by its number and nothing of
// the file is written unless every line is good. A number already on the list keeps its entry.
// Exit code: 0 done, 2 a file with bad lines (nothing imported), 1 the command could not run, 64 on usage.

const USAGE = 'usage: npm run import:refusals -- FILE.csv   (columns number;refused_at;operator, number required)\n'
  + '       DATABASE_URL must be set';

/** Bad lines printed; the count says how many more there were. */
const SHOWN_ERRORS = 1000;

function parseArgs(argv: string[]): { file: string } {
  if (argv.length !== 1 || argv[0]!.startsWith('-')) throw new UsageError(argv.length === 0 ? 'no file given' : '');
  return { file: argv[0]! };
}

async function main(): Promise<number> {
  const start = argsAndDatabase(() => parseArgs(process.argv.slice(2)), USAGE);
  if (typeof start === 'number') return start;
  const { args: { file }, databaseUrl } = start;
  try {
    await access(file);
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const { entries, errors } = await readRefusalCsv(createReadStream(file));
  if (errors.length > 0) {
    const shown = errors.slice(0, SHOWN_ERRORS);
    process.stderr.write(`${file}: ${errors.length} bad line${errors.length === 1 ? '' : 's'}, nothing imported\n`
      + shown.map((e) => `  line ${e.line}: ${e.reason}\n`).join('')
      + (errors.length > shown.length ? `  … and ${errors.length - shown.length} more\n` : ''));
    return 2;
  }
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { added } = await addMassCallRefusals(pool, entries, 'import', `import:${path.basename(file)}`);
    process.stdout.write(`${file}: ${entries.length} numbers read, ${added} added, ${entries.length - added} already on the list\n`);
    return 0;
  } finally {
    await pool.end();
  }
}

runCli('import:refusals', main);
