import { Readable } from 'node:stream';
import { ImportError, importList, type ImportReport } from '../imports/contactList';
import { LONG_LINE_KEPT_CHARS, MAX_LINE_CHARS } from '../imports/csvRows';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// What a new user's bad lists did to the import, each now one refused line (or a refused file)
// naming the right line, with nothing else written: against a real, freshly migrated Postgres.

jest.setTimeout(120_000);

const HEADER = '"NAME","PHONE_NUMBER","USER_VARS"\n';
let db: TestDatabase;
let campaigns = 0;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function campaign(templateBody?: string): Promise<string> {
  const id = `bad-${++campaigns}`;
  let templateId: string | null = null;
  if (templateBody !== undefined) {
    const { rows } = await db.pool.query<{ id: string }>('INSERT INTO template (name, body) VALUES ($1, $2) RETURNING id', [`t-${id}`, templateBody]);
    templateId = rows[0]!.id;
  }
  await db.pool.query(`INSERT INTO campaign (id, name, caller_id, template_id) VALUES ($1, 'T', '+74950000000', $2)`, [id, templateId]);
  return id;
}

/** Imports `parts` (bytes as they are, or UTF-8 text) into the campaign, a chunk at a time. */
function run(campaignId: string, parts: (string | Buffer)[]): Promise<ImportReport> {
  return importList({
    pool: db.pool, campaignId, fileName: 'bad.csv', createdBy: 'test',
    input: Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))),
  });
}

/** What the import left in the campaign: contacts by name, and every issue stored. */
async function written(campaignId: string, importId: number) {
  const { rows: contacts } = await db.pool.query<{ full_name: string }>(
    'SELECT full_name FROM contact WHERE campaign_id = $1 ORDER BY id', [campaignId]);
  const { rows: issues } = await db.pool.query(
    'SELECT line, field, severity, reason, raw FROM list_import_issue WHERE import_id = $1 ORDER BY line, id', [importId]);
  return { contacts: contacts.map((c) => c.full_name), issues };
}

const row = (name: string, number: string, vars: string) => `"${name}","${number}","${vars}"\n`;

describe('a damaged line is one refused line, named by its own line number', () => {
  it('a NUL byte', async () => {
    const id = await campaign();
    const report = await run(id, [
      HEADER + row('Иванов Иван', '79161234560', 'BALANCE=-1.00'),
      Buffer.concat([Buffer.from('"Пет'), Buffer.from([0]), Buffer.from('ров Пётр","79161234561","BALANCE=-2.00"\n')]),
      row('Сидоров Сидор', '79161234562', 'BALANCE=-3.00'),
    ]);
    expect(report).toMatchObject({ rowsTotal: 3, rowsImported: 2, rowsRejected: 1 });
    expect(await written(id, report.importId)).toEqual({
      contacts: ['Иванов Иван', 'Сидоров Сидор'],
      // Postgres stores no NUL: the row's text keeps a visible mark in its place.
      issues: [{ line: 3, field: 'NAME', severity: 'error', reason: 'contains a NUL character (a damaged line, or binary data)', raw: '"Пет\u2400ров Пётр","79161234561","BALANCE=-2.00"' }],
    });
  });

  it('an invalid UTF-8 sequence', async () => {
    const id = await campaign();
    const report = await run(id, [
      HEADER + row('Иванов Иван', '79161234560', 'BALANCE=-1.00'),
      Buffer.concat([Buffer.from('"Петров Пётр","79161234561","BALANCE=-2.00;NOTE=Ст'), Buffer.from([0xd0, 0x28]), Buffer.from('"\n')]),
      row('Сидоров Сидор', '79161234562', 'BALANCE=-3.00'),
    ]);
    expect(report).toMatchObject({ rowsTotal: 3, rowsImported: 2, rowsRejected: 1 });
    expect(await written(id, report.importId)).toEqual({
      contacts: ['Иванов Иван', 'Сидоров Сидор'],
      issues: [{
        line: 3, field: 'USER_VARS', severity: 'error',
        reason: 'not valid UTF-8 text (a damaged character, or a line saved in another encoding than the rest of the file)',
        raw: '"Петров Пётр","79161234561","BALANCE=-2.00;NOTE=Ст\ufffd("',
      }],
    });
  });

  it('a line longer than the reader takes, arriving in chunks: refused, and the rows after it read', async () => {
    const id = await campaign();
    const long = `"Длинный","7916${'1'.repeat(MAX_LINE_CHARS + 10)}","X=1"\r\n`;
    const chunks: string[] = [];
    for (let i = 0; i < long.length; i += 64 * 1024) chunks.push(long.slice(i, i + 64 * 1024));
    const report = await run(id, [
      HEADER + row('Иванов Иван', '79161234560', 'BALANCE=-1.00'), ...chunks,
      row('Сидоров Сидор', '79161234562', 'BALANCE=-3.00'),
    ]);
    expect(report).toMatchObject({ rowsTotal: 3, rowsImported: 2, rowsRejected: 1 });
    expect(await written(id, report.importId)).toEqual({
      contacts: ['Иванов Иван', 'Сидоров Сидор'],
      issues: [{
        line: 3, field: null, severity: 'error',
        reason: `line 3 is longer than ${MAX_LINE_CHARS} characters: refused, and read on from the next line (is this a text file?)`,
        raw: `${long.slice(0, LONG_LINE_KEPT_CHARS)}…`,
      }],
    });
  });
});

describe('BALANCE', () => {
  it('out of the range a message can say, negative or positive', async () => {
    const id = await campaign();
    const report = await run(id, [HEADER
      + row('Иванов Иван', '79161234560', 'BALANCE=-999999999999.00')
      + row('Петров Пётр', '79161234561', 'BALANCE=-1000000000000')
      + row('Сидоров Сидор', '79161234562', 'BALANCE=1000000000000.00')]);
    expect(report).toMatchObject({ rowsTotal: 3, rowsImported: 1, rowsRejected: 2 });
    const out = (v: string) => `"BALANCE=${v}": BALANCE is out of range (at most 999999999999 roubles either way)`;
    expect((await written(id, report.importId)).issues).toEqual([
      { line: 3, field: 'USER_VARS', severity: 'error', reason: out('-1000000000000'), raw: row('Петров Пётр', '79161234561', 'BALANCE=-1000000000000').trim() },
      { line: 4, field: 'USER_VARS', severity: 'error', reason: out('1000000000000.00'), raw: row('Сидоров Сидор', '79161234562', 'BALANCE=1000000000000.00').trim() },
    ]);
    expect((await written(id, report.importId)).contacts).toEqual(['Иванов Иван']);
  });

  it('a lower-case balance key', async () => {
    const id = await campaign();
    const report = await run(id, [HEADER + row('Иванов Иван', '79161234560', 'balance=-1.00') + row('Петров Пётр', '79161234561', 'BALANCE=-2.00')]);
    expect(await written(id, report.importId)).toEqual({
      contacts: ['Петров Пётр'],
      issues: [{
        line: 2, field: 'USER_VARS', severity: 'error',
        reason: '"balance=-1.00": write BALANCE in capitals (variable names are case-sensitive, and templates read BALANCE)',
        raw: row('Иванов Иван', '79161234560', 'balance=-1.00').trim(),
      }],
    });
  });

  it('missing, or one the template cannot say, when the campaign\'s template reads it', async () => {
    const id = await campaign('Здравствуйте, {{NAME}}! Ваш долг {{BALANCE|money}} по договору {{CONTRACT|digits}}.');
    const report = await run(id, [HEADER
      + row('Иванов Иван', '79161234560', 'BALANCE=-1.00;CONTRACT=12-34')
      + row('Петров Пётр', '79161234561', 'CONTRACT=12-35')
      + row('Сидоров Сидор', '79161234562', 'BALANCE=-3.00;CONTRACT=')
      + row('Кузнецов Олег', '79161234563', 'BALANCE=-4.00;Contract=12-36')
      + row('Смирнов Ян', '79161234564', 'BALANCE=-5.00;CONTRACT=К-77')]);
    expect(report).toMatchObject({ rowsTotal: 5, rowsImported: 1, rowsRejected: 4 });
    expect((await written(id, report.importId)).issues.map(({ raw: _raw, ...i }) => i)).toEqual([
      { line: 3, field: 'USER_VARS', severity: 'error', reason: "the campaign's template reads {{BALANCE}}, but the row has no BALANCE" },
      { line: 4, field: 'USER_VARS', severity: 'error', reason: "the campaign's template reads {{CONTRACT}}, but the row has an empty CONTRACT" },
      { line: 5, field: 'USER_VARS', severity: 'error', reason: "the campaign's template reads {{CONTRACT}}, but the row has no CONTRACT (it has Contract: names are case-sensitive)" },
      {
        line: 6, field: 'USER_VARS', severity: 'error',
        reason: "the campaign's template cannot say it: template says {{CONTRACT|digits}}, but the contact's CONTRACT is not digits (with spaces, dashes, dots, brackets or + between them)",
      },
    ]);
    expect((await written(id, report.importId)).contacts).toEqual(['Иванов Иван']);
  });
});

describe('who is who', () => {
  it('names differing only in case or spacing at the same number are one person: two contacts, linked caps', async () => {
    const id = await campaign();
    const report = await run(id, [HEADER
      + row('Иванов Иван', '79161234560', 'BALANCE=-1.00')
      + row('ИВАНОВ  иван', '+7 916 123-45-60', 'BALANCE=-1.00')
      + row('Иванова Мария', '79161234560;79161234569', 'BALANCE=-2.00')]);
    expect(report).toMatchObject({ rowsTotal: 3, rowsImported: 3, rowsRejected: 0 });
    expect((await written(id, report.importId)).issues.map(({ raw: _raw, ...i }) => i)).toEqual([
      {
        line: 3, field: 'NAME', severity: 'warning',
        reason: "the same person as line 2 (the same name but for case or spacing, and the same first number): a contact of its own, whose calls count with that line's against the person's caps",
      },
      {
        line: 4, field: 'PHONE_NUMBER', severity: 'warning',
        reason: "number 1 (79161234560) is also on line 2, under another name: another person, called on their own (a campaign's caps.number counts the calls to the number together)",
      },
    ]);
    const { rows } = await db.pool.query<{ full_name: string; person_key: string }>(
      'SELECT full_name, person_key FROM contact WHERE campaign_id = $1 ORDER BY id', [id]);
    expect(rows.map((r) => r.full_name)).toEqual(['Иванов Иван', 'ИВАНОВ иван', 'Иванова Мария']);
    expect(rows[0]!.person_key).toMatch(/^person-[0-9a-f]{16}$/);
    expect(rows[1]!.person_key).toBe(rows[0]!.person_key);
    expect(rows[2]!.person_key).not.toBe(rows[0]!.person_key);
  });

  it('the same person in another campaign counts against the same caps', async () => {
    const a = await campaign();
    const b = await campaign();
    await run(a, [HEADER + row('Иванов Иван', '79161234560', 'BALANCE=-1.00')]);
    await run(b, [HEADER + row('иванов иван', '79161234560', 'BALANCE=-1.00')]);
    const { rows } = await db.pool.query<{ n: number }>(
      'SELECT count(DISTINCT person_key)::int AS n FROM contact WHERE campaign_id IN ($1, $2)', [a, b]);
    expect(rows[0]!.n).toBe(1);
  });
});

describe('a file with nothing to import', () => {
  it('a header alone: "no rows", and nothing written', async () => {
    const id = await campaign();
    const before = await db.pool.query('SELECT count(*)::int AS n FROM list_import');
    const err = await run(id, [HEADER]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect(err).toMatchObject({ noRows: true, message: 'bad.csv: no rows: the file has its header and nothing after it; nothing was written' });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM list_import')).rows).toEqual(before.rows);
  });

  it('a header and blank lines: the same', async () => {
    const id = await campaign();
    const err = await run(id, [`${HEADER}\n\r\n  \n`]).catch((e: unknown) => e);
    expect(err).toMatchObject({ noRows: true });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM list_import WHERE campaign_id = $1', [id])).rows[0].n).toBe(0);
  });
});
