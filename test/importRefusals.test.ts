import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { encode } from 'iconv-lite';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// `npm run import:refusals -- FILE.csv` as a user runs it: a good file is imported whole (a number
// already on the list kept as it was), a file with bad lines is named line by line and nothing of
// it is written.

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..');
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), 'refusals-cli-test-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

async function importFile(name: string, text: string | Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'apps/cli/importRefusals.ts', file],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const stored = async () => (await db.pool.query(
  'SELECT e164, refused_at, operator, source, created_by FROM mass_call_refusal ORDER BY e164')).rows;

test('a file with bad lines names each of them and imports nothing', async () => {
  const r = await importFile('bad.csv', 'number;refused_at;operator\n+79124000001;;МТС\nnot a number;;\n+79124000002;2026-09-02;Билайн\n');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('2 bad lines, nothing imported');
  expect(r.stderr).toMatch(/line 3: number: not a phone number/);
  expect(r.stderr).toMatch(/line 4: refused_at: an ISO 8601 date and time/);
  expect(await stored()).toEqual([]);
});

test('a good file (comma separated, Windows-1251) is imported whole; a number given twice or already there is kept once', async () => {
  const first = await importFile('first.csv', 'number\n8 912 400-00-03\n');
  expect(first.code).toBe(0);
  const text = 'Operator,Number,Refused_At\nМТС,+79124000003,\nМегаФон,+7 912 400-00-04,2026-09-02T10:00:00+03:00\nТ2,89124000004,\n';
  const r = await importFile('second.csv', encode(text, 'win1251'));
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('3 numbers read, 1 added, 2 already on the list');
  expect(await stored()).toEqual([
    { e164: '+79124000003', refused_at: null, operator: null, source: 'import', created_by: 'import:first.csv' },
    { e164: '+79124000004', refused_at: new Date('2026-09-02T07:00:00Z'), operator: 'МегаФон', source: 'import', created_by: 'import:second.csv' },
  ]);
});

test('a file without a number column is refused at its header', async () => {
  const r = await importFile('header.csv', 'phone;operator\n+79124000005;МТС\n');
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('line 1: the header has no number column (expected number;refused_at;operator)');
});
