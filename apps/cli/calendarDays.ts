import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { Pool } from 'pg';
import { z } from 'zod';
import { runCli } from './runCli';

// Edits the calendar of non-working days (table calendar_day): import a CSV
// (country;day;kind;name), list a country's year, delete a day. Bad lines are reported by
// number and nothing of a file is written unless every line is good.

const row = z.object({
  country: z.string().regex(/^[A-Z]{2}$/, 'a two-letter ISO country code'),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(d)), 'not a date'),
  kind: z.enum(['holiday', 'working']),
  name: z.string().optional().default(''),
});

async function main(argv: string[]): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) { process.stderr.write('DATABASE_URL is not set\n'); return 1; }
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const [command, ...args] = argv;
    if (command === 'import' && args.length === 1) {
      const records: Record<string, string>[] = parse(readFileSync(args[0], 'utf8'), { columns: true, delimiter: ';', skip_empty_lines: true, bom: true, trim: true });
      const errors: string[] = [];
      const good = records.flatMap((r, i) => {
        const parsed = row.safeParse(r);
        if (parsed.success) return [parsed.data];
        errors.push(`line ${i + 2}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
        return [];
      });
      if (errors.length) { process.stderr.write(`${args[0]}: nothing imported\n  ${errors.join('\n  ')}\n`); return 2; }
      await pool.query(
        `INSERT INTO calendar_day (country, day, kind, name)
         SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::text[])
         ON CONFLICT (country, day) DO UPDATE SET kind = excluded.kind, name = excluded.name`,
        [good.map((g) => g.country), good.map((g) => g.day), good.map((g) => g.kind), good.map((g) => g.name)]);
      console.log(`${args[0]}: ${good.length} days imported`);
      return 0;
    }
    if (command === 'list' && args.length === 2) {
      const { rows } = await pool.query(
        `SELECT to_char(day, 'YYYY-MM-DD Dy') AS day, kind, name FROM calendar_day
          WHERE country = $1 AND extract(year FROM day) = $2 ORDER BY day`, [args[0], Number(args[1])]);
      for (const r of rows) console.log(`${r.day}  ${r.kind.padEnd(8)} ${r.name ?? ''}`);
      return 0;
    }
    if (command === 'delete' && args.length === 2) {
      const { rowCount } = await pool.query('DELETE FROM calendar_day WHERE country = $1 AND day = $2', args);
      console.log(rowCount ? 'deleted' : 'no such day');
      return rowCount ? 0 : 2;
    }
    process.stderr.write('usage: calendarDays import FILE.csv | list COUNTRY YEAR | delete COUNTRY YYYY-MM-DD\n');
    return 64;
  } finally {
    await pool.end();
  }
}

runCli('calendar', () => main(process.argv.slice(2)));
