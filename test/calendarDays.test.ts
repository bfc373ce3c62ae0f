import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The calendar CLI a user edits non-working days with: the shipped Russian file imports, and
// a file with a bad line imports nothing and names the line.

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

const repo = path.resolve(__dirname, '..');
const cli = (...args: string[]): string =>
  execFileSync(process.execPath, ['--import', 'tsx', 'apps/cli/calendarDays.ts', ...args], {
    cwd: repo, env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });

it('imports the shipped Russian calendar, idempotently', async () => {
  expect(cli('import', 'calendars/RU.csv')).toMatch(/24 days imported/);
  expect(cli('import', 'calendars/RU.csv')).toMatch(/24 days imported/);
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM calendar_day WHERE country = 'RU'`);
  expect(rows[0].n).toBe(24);
  expect(cli('list', 'RU', '2026')).toContain('2026-05-11 Mon  holiday');
});

it('rejects a file with a bad line, naming it, and writes nothing of it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cal-'));
  const file = path.join(dir, 'bad.csv');
  writeFileSync(file, 'country;day;kind;name\nKZ;2026-03-22;holiday;Наурыз\nKZ;2026-13-01;holiday;x\nKZ;2026-03-23;weekend;x\n');
  let stderr = '';
  try {
    cli('import', file);
  } catch (err) {
    stderr = String((err as { stderr: string }).stderr);
  }
  expect(stderr).toMatch(/line 3: day: not a date/);
  expect(stderr).toMatch(/line 4: kind:/);
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM calendar_day WHERE country = 'KZ'`);
  expect(rows[0].n).toBe(0);
});
