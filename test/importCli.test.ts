import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeAccountingExtract } from '../bench/accountingExtract';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The import's command line as a user runs it: its report on stdout and its logs on stderr, a
// file with no rows, and a process killed in the middle of an import leaving no half list.

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..');
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), 'import-cli-test-'));
  for (const id of ['cli-out', 'cli-empty', 'cli-kill']) {
    await db.pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ($1, 'T', '+74950000000')`, [id]);
  }
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

/** Starts a CLI as its own node process (no npx in between: a kill reaches the importer itself). */
function startCli(args: string[], script = 'apps/cli/importList.ts'): { child: ChildProcess; done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

test('the report goes to stdout and the logs to stderr', async () => {
  const file = path.join(dir, 'small.csv');
  writeFileSync(file, '"NAME","PHONE_NUMBER","USER_VARS"\n"Иванов Иван","79161234560","BALANCE=-1.00"\n"Петров Пётр","1234","BALANCE=-2.00"\n');
  const { code, stdout, stderr } = await startCli(['--campaign', 'cli-out', file]).done;
  expect(code).toBe(0);
  expect(stdout.split('\n')).toEqual([
    `${file}: import 1`,
    '  rows read:       2',
    '  imported:        1',
    '  already there:   0 (left unchanged)',
    '  rejected:        1',
    '',
    'Rejected rows (1), not imported:',
    '  line 3: PHONE_NUMBER: too short: 4 digits',
    '',
  ]);
  const logs = stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
  expect(logs.map((l) => l.msg)).toEqual(['list import started', 'list import finished']);
  // Ids and counts only: no name, number or amount of the list.
  expect(stderr).not.toMatch(/Иванов|7916|1\.00/);
});

test('a file with only its header: "no rows" on stderr, exit 2, nothing written', async () => {
  const file = path.join(dir, 'header.csv');
  writeFileSync(file, '"NAME","PHONE_NUMBER","USER_VARS"\r\n');
  const { code, stdout, stderr } = await startCli(['--campaign', 'cli-empty', file]).done;
  expect({ code, stdout, stderr }).toEqual({
    code: 2, stdout: '', stderr: 'header.csv: no rows: the file has its header and nothing after it; nothing was written\n',
  });
  expect((await db.pool.query(`SELECT count(*)::int AS n FROM list_import WHERE campaign_id = 'cli-empty'`)).rows[0].n).toBe(0);
});

test('an import killed in the middle leaves no half list, and the next one imports the whole file', async () => {
  const ROWS = 100_000;
  const file = path.join(dir, 'extract.csv');
  await writeAccountingExtract(ROWS, file);
  const counts = async () => (await db.pool.query<{ contacts: number; phones: number; variables: number }>(
    `SELECT (SELECT count(*)::int FROM contact WHERE campaign_id = 'cli-kill') AS contacts,
            (SELECT count(*)::int FROM contact_phone p JOIN contact c ON c.id = p.contact_id WHERE c.campaign_id = 'cli-kill') AS phones,
            (SELECT count(*)::int FROM contact_variable v JOIN contact c ON c.id = v.contact_id WHERE c.campaign_id = 'cli-kill') AS variables`)).rows[0]!;

  const first = startCli(['--campaign', 'cli-kill', file]);
  // Killed once it has read some rows (its progress is recorded every 10,000) and before the end.
  let read = 0;
  for (let i = 0; i < 1200 && read === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const { rows } = await db.pool.query<{ rows_total: number }>(`SELECT rows_total FROM list_import WHERE campaign_id = 'cli-kill'`);
    read = rows[0]?.rows_total ?? 0;
  }
  expect(read).toBeGreaterThan(0);
  expect(read).toBeLessThan(ROWS);
  first.child.kill('SIGKILL');
  expect(await first.done).toMatchObject({ code: null, signal: 'SIGKILL' });

  // Postgres rolls the session's transaction back when it sees the connection gone.
  for (let i = 0; i < 200; i++) {
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 20001
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(await counts()).toEqual({ contacts: 0, phones: 0, variables: 0 });
  const { rows: [killed] } = await db.pool.query(`SELECT id::int, state FROM list_import WHERE campaign_id = 'cli-kill'`);
  expect(killed.state).toBe('running'); // nobody has looked yet
  expect((await db.pool.query('SELECT count(*)::int AS n FROM list_import_issue WHERE import_id = $1', [killed.id])).rows[0].n).toBe(0);

  const second = await startCli(['--campaign', 'cli-kill', file]).done;
  expect(second.code).toBe(0);
  expect(second.stdout).toContain(`  imported:        ${ROWS}\n`);
  expect(await counts()).toEqual({ contacts: ROWS, phones: ROWS + ROWS / 5, variables: 2 * ROWS });
  const { rows: imports } = await db.pool.query(
    `SELECT id::int, state, error, rows_total, rows_imported FROM list_import WHERE campaign_id = 'cli-kill' ORDER BY id`);
  expect(imports).toEqual([
    {
      id: killed.id, state: 'failed', rows_total: 0, rows_imported: 0,
      error: 'interrupted: the importing process stopped before the end, and nothing of this import was written; importing the file again is safe',
    },
    { id: expect.any(Number), state: 'done', error: null, rows_total: ROWS, rows_imported: ROWS },
  ]);
});

describe('campaign:create', () => {
  const create = (args: string[]) => startCli(args, 'apps/cli/createCampaign.ts').done;

  test('creates a draft campaign through the settings schema, its defaults filled in, and lists import into it', async () => {
    const settings = path.join(dir, 'settings.json');
    writeFileSync(settings, JSON.stringify({ timeZone: 'Asia/Yekaterinburg', legalPolicy: 'ru_230fz', maxChannels: 10, name: 'overridden' }));
    const made = await create(['dec-debts', '--name', 'Долги декабря', '--caller-id', '+74951234567', '--settings', `@${settings}`]);
    expect(made).toMatchObject({ code: 0, stdout: 'dec-debts\n' });
    const { rows } = await db.pool.query(
      `SELECT name, caller_id, state, time_zone, legal_policy, max_channels, window_start::text, max_attempts_per_number FROM campaign WHERE id = 'dec-debts'`);
    expect(rows).toEqual([{
      name: 'Долги декабря', caller_id: '+74951234567', state: 'draft', time_zone: 'Asia/Yekaterinburg', legal_policy: 'ru_230fz',
      max_channels: 10, window_start: '09:00:00', max_attempts_per_number: 3,
    }]);
    const { rows: audit } = await db.pool.query(`SELECT actor FROM audit_log WHERE action = 'campaign.created' AND entity_id = 'dec-debts'`);
    expect(audit).toEqual([{ actor: expect.stringMatching(/^cli:/) }]);

    const file = path.join(dir, 'dec.csv');
    writeFileSync(file, '"NAME","PHONE_NUMBER","USER_VARS"\n"Иванов Иван","79161234560","BALANCE=-1.00"\n');
    expect((await startCli(['--campaign', 'dec-debts', file]).done).code).toBe(0);
  });

  test('refuses bad settings naming every field, and writes nothing', async () => {
    const refused = await create(['Bad Id', '--name', ' ', '--caller-id', '84951234567', '--settings', '{"windowStart":"21:00","windowEnd":"09:00"}']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe([
      'campaign not created:',
      '  id: lowercase letters, digits, dot, dash, underscore; at most 63',
      '  name: must not be empty',
      '  callerId: an E.164 number such as +74951234567',
      '  windowEnd: must be after windowStart (21:00)',
      '',
    ].join('\n'));
    const again = await create(['dec-debts', '--name', 'x', '--caller-id', '+74951234567']);
    expect(again).toMatchObject({ code: 1, stderr: 'campaign not created:\n  id: a campaign with this id exists\n' });
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM campaign WHERE id <> 'dec-debts' AND id NOT LIKE 'cli-%'`)).rows[0].n).toBe(0);
  });

  test('a usage mistake: exit 64 with the usage', async () => {
    const wrong = await create(['--name', 'x']);
    expect(wrong.code).toBe(64);
    expect(wrong.stderr).toMatch(/^no campaign id given\nusage: npm run campaign:create -- <id>/);
  });
});
