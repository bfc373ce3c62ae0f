import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { Pool } from 'pg';
import { databaseEnv, readEnv } from '../../common/config';
import { deleteCalendarDay, listCalendarDays, upsertCalendarDays } from '../../adapters/postgres/calendar';
import { readCalendarCsv } from '../../imports/calendarCsv';
import { runCli } from './runCli';

// Edits the calendar of non-working days: import a CSV (country;day;kind;name), list a
// country's year, delete a day. Bad lines are reported by number and nothing of a file is
// written unless every line is good.
//
// Exit code: 0 done, 2 a file with bad lines (nothing imported) or no such day, 1 the command
// could not run, 64 on usage.

const USAGE = 'usage: calendarDays import FILE.csv | list COUNTRY YEAR | delete COUNTRY YYYY-MM-DD\n'
  + '       DATABASE_URL must be set';

const out = (s: string) => process.stdout.write(`${s}\n`);

async function importFile(pool: Pool, file: string): Promise<number> {
  try {
    await access(file);
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const { days, errors } = await readCalendarCsv(createReadStream(file));
  if (errors.length > 0) {
    process.stderr.write(`${file}: nothing imported\n${errors.map((e) => `  line ${e.line}: ${e.reason}\n`).join('')}`);
    return 2;
  }
  await upsertCalendarDays(pool, days);
  out(`${file}: ${days.length} days imported`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const wellFormed = command === 'import' ? args.length === 1
    : command === 'list' ? args.length === 2 && /^\d{4}$/.test(args[1]!)
      : command === 'delete' ? args.length === 2
        : false;
  if (!wellFormed) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const { DATABASE_URL } = readEnv(databaseEnv);
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
  try {
    if (command === 'import') return await importFile(pool, args[0]!);
    if (command === 'list') {
      for (const d of await listCalendarDays(pool, args[0]!, Number(args[1]))) out(`${d.day} ${d.weekday}  ${d.kind.padEnd(8)} ${d.name ?? ''}`);
      return 0;
    }
    const deleted = await deleteCalendarDay(pool, args[0]!, args[1]!);
    out(deleted ? 'deleted' : 'no such day');
    return deleted ? 0 : 2;
  } finally {
    await pool.end();
  }
}

runCli('calendar', () => main(process.argv.slice(2)));
