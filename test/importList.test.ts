import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ImportError, importList, type ImportReport } from '../imports/contactList';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The list importer against a real, freshly migrated Postgres database.

jest.setTimeout(120_000);

const DEMO = path.resolve(__dirname, '../examples/accounting-demo.csv');
const demoLines = readFileSync(DEMO, 'utf8').split('\n');
const lineOf = (start: string) => demoLines.findIndex((l) => l.startsWith(start)) + 1;
// The demo list's three deliberately bad rows.
const BAD = [
  { line: lineOf('"Козлов Игорь Олегович"'), field: 'PHONE_NUMBER', reason: 'empty' },
  { line: lineOf('"Павлов Евгений Николаевич"'), field: 'PHONE_NUMBER', reason: 'too short: 4 digits' },
  { line: lineOf('"Соколов Максим Игоревич"'), field: 'USER_VARS', reason: expect.stringContaining('BALANCE is not an amount') },
];
const DEMO_ROWS = demoLines.filter((l) => l.trim() !== '').length - 1;

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ('t1','T','+74950000000')`);
});
afterAll(async () => {
  await db?.drop();
});

function textStream(text: string): Readable {
  return Readable.from([Buffer.from(text, 'utf8')]);
}

async function campaign(id: string, state = 'draft'): Promise<string> {
  await db.pool.query(`INSERT INTO campaign (id, name, caller_id, state) VALUES ($1, 'T', '+74950000000', $2)`, [id, state]);
  return id;
}

async function importDemo(campaignId: string, batchSize?: number, chunkLines?: number): Promise<ImportReport> {
  return importList({ pool: db.pool, campaignId, fileName: 'accounting-demo.csv', input: createReadStream(DEMO), createdBy: 'test', batchSize, chunkLines });
}

async function contactByName(campaignId: string, name: string) {
  const { rows: [contact] } = await db.pool.query(
    'SELECT id, external_id, state FROM contact WHERE campaign_id = $1 AND full_name = $2', [campaignId, name]);
  const { rows: phones } = await db.pool.query(
    'SELECT position, e164, raw, note FROM contact_phone WHERE contact_id = $1 ORDER BY position', [contact.id]);
  const { rows: vars } = await db.pool.query('SELECT name, value FROM contact_variable WHERE contact_id = $1', [contact.id]);
  return { ...contact, phones, variables: Object.fromEntries(vars.map((v) => [v.name, v.value])) };
}

describe('importList: the demo list', () => {
  let first: ImportReport;

  beforeAll(async () => {
    first = await importDemo('t1');
  });

  it('imports every good row and rejects the three bad ones', async () => {
    expect(DEMO_ROWS).toBe(52);
    expect(first).toMatchObject({ rowsTotal: 52, rowsImported: 49, rowsUnchanged: 0, rowsRejected: 3 });
    const { rows: [stored] } = await db.pool.query('SELECT * FROM list_import WHERE id = $1', [first.importId]);
    expect(stored).toMatchObject({ campaign_id: 't1', file_name: 'accounting-demo.csv', created_by: 'test', rows_total: 52, rows_imported: 49, rows_rejected: 3 });
    const { rows: [{ n }] } = await db.pool.query(`SELECT count(*)::int AS n FROM contact WHERE campaign_id = 't1' AND state = 'pending'`);
    expect(n).toBe(49);
  });

  it('stores the bad lines with their line numbers and raw text', async () => {
    const { rows } = await db.pool.query(
      `SELECT line, field, reason, raw FROM list_import_issue WHERE import_id = $1 AND severity = 'error' ORDER BY line`, [first.importId]);
    expect(BAD.map((b) => b.line)).toEqual([12, 28, 39]);
    expect(rows).toEqual(BAD.map((b) => ({ ...b, raw: demoLines[b.line - 1] })));
    expect(first.issues.filter((i) => i.severity === 'error')).toEqual(BAD.map((b) => ({ ...b, severity: 'error' })));
  });

  it('warns about the odd numbers of the sample rows, and stores the notes with the numbers', async () => {
    expect(first.issues.filter((i) => i.severity === 'warning')).toEqual([
      { line: 2, field: 'PHONE_NUMBER', severity: 'warning', reason: 'number 1 (17605632123): not a Russian number: US' },
      { line: 3, field: 'PHONE_NUMBER', severity: 'warning', reason: 'number 1 (7760569623): 10 digits without a country code: read as +7 776 056 9623 (KZ)' },
    ]);
    const { rows } = await db.pool.query(`SELECT raw FROM list_import_issue WHERE import_id = $1 AND line = 2`, [first.importId]);
    expect(rows).toEqual([{ raw: demoLines[1] }]);

    expect((await contactByName('t1', 'Igor Lipko')).phones).toEqual([
      { position: 1, e164: '+17605632123', raw: '17605632123', note: 'not a Russian number: US' },
      { position: 2, e164: '+79508881234', raw: '79508881234', note: null },
    ]);
    expect((await contactByName('t1', 'Ilya mihailov')).phones).toEqual([
      { position: 1, e164: '+77760569623', raw: '7760569623', note: '10 digits without a country code: read as +7 776 056 9623 (KZ)' },
    ]);
  });

  it('keeps the numbers in dialling order and the variables exactly as written', async () => {
    const stepanov = await contactByName('t1', 'Степанов Артём Игоревич');
    expect(stepanov.phones.map((p: { position: number; e164: string }) => [p.position, p.e164]))
      .toEqual([[1, '+79671234586'], [2, '+79671234587'], [3, '+79671234584']]);
    expect(stepanov.external_id).toMatch(/^acc-[0-9a-f]{16}$/);
    expect((await contactByName('t1', 'Кузнецова Мария Викторовна')).variables).toEqual({ BALANCE: '-1000000.00', CONTRACT: 'К-77/15' });
    expect((await contactByName('t1', 'Воробьёв Станислав Ильич')).variables).toEqual({ BALANCE: '-350,75' });
    expect((await contactByName('t1', 'Петрова Анна Сергеевна')).variables).toEqual({ BALANCE: '-1.00' });
    const andreeva = await contactByName('t1', 'Андреева Людмила Васильевна');
    expect(andreeva.phones).toEqual([{ position: 1, e164: '+79125550120', raw: '8 912 555-01-20', note: null }]);
  });

  it('changes nothing when the same file is imported again', async () => {
    const snapshot = async () => (await db.pool.query(`
      SELECT c.id, c.external_id, c.full_name, c.updated_at,
             (SELECT json_agg(p ORDER BY p.position) FROM contact_phone p WHERE p.contact_id = c.id) AS phones,
             (SELECT json_object_agg(v.name, v.value) FROM contact_variable v WHERE v.contact_id = c.id) AS variables
        FROM contact c WHERE c.campaign_id = 't1' ORDER BY c.id`)).rows;
    const before = await snapshot();
    expect(before).toHaveLength(49);
    // every number of the good rows, none of the bad ones
    const numbers = before.reduce((n: number, c: { phones: unknown[] }) => n + c.phones.length, 0);
    expect(numbers).toBe(67);

    const again = await importDemo('t1');
    expect(again).toMatchObject({ rowsTotal: 52, rowsImported: 0, rowsUnchanged: first.rowsImported, rowsRejected: 3 });
    expect(again.importId).not.toBe(first.importId);
    expect(again.issues).toEqual(first.issues);
    expect(await snapshot()).toEqual(before);
  });

  it('gives the same contacts, in the same order, whatever the batch and chunk sizes', async () => {
    await campaign('t1-small-batches', 'running');
    const report = await importDemo('t1-small-batches', 7, 5);
    expect(report).toMatchObject({ rowsTotal: 52, rowsImported: 49, rowsRejected: 3 });
    expect(report.issues).toEqual(first.issues);
    const contacts = async (c: string) => (await db.pool.query(
      `SELECT k.external_id, k.full_name, k.person_id,
              (SELECT json_agg(p ORDER BY p.position) FROM (SELECT position, e164, raw, note, kind FROM contact_phone WHERE contact_id = k.id) p) AS phones,
              (SELECT json_object_agg(name, value) FROM contact_variable WHERE contact_id = k.id) AS vars
         FROM contact k WHERE k.campaign_id = $1 ORDER BY k.id`, [c])).rows;
    expect(await contacts('t1-small-batches')).toEqual(await contacts('t1'));
  });
});

describe('importList: refusals', () => {
  async function failure(promise: Promise<unknown>): Promise<ImportError> {
    try {
      await promise;
    } catch (err) {
      if (err instanceof ImportError) return err;
      throw err;
    }
    throw new Error('the import did not fail');
  }

  async function importCount(campaignId: string): Promise<number> {
    const { rows: [{ n }] } = await db.pool.query('SELECT count(*)::int AS n FROM list_import WHERE campaign_id = $1', [campaignId]);
    return n;
  }

  it('refuses a campaign that does not exist', async () => {
    const err = await failure(importDemo('no-such-campaign'));
    expect(err.message).toBe('campaign "no-such-campaign" does not exist');
  });

  it('refuses a completed or cancelled campaign', async () => {
    await campaign('t-done', 'completed');
    expect((await failure(importDemo('t-done'))).message)
      .toBe('campaign "t-done" is completed: contacts can only be added to a draft, running or paused campaign');
    expect(await importCount('t-done')).toBe(0);
  });

  it('refuses a file that is not the accounting shape, naming the file and the columns', async () => {
    await campaign('t-shape');
    const err = await failure(importList({
      pool: db.pool, campaignId: 't-shape', fileName: 'crm.csv', createdBy: 'test',
      input: textStream('external_id;fio;phone\nA-1;Иванов Иван;+79161234567\n'),
    }));
    expect(err.message).toBe('crm.csv: not the accounting list shape: expected the columns NAME, PHONE_NUMBER, USER_VARS '
      + 'on line 1, found "external_id", "fio", "phone"');
    expect(await importCount('t-shape')).toBe(0);
  });
});

describe('importList: repeated contacts', () => {
  it.each([undefined, 1, 2])('imports a contact given twice in one file once and reports the second line (chunks of %s lines)', async (chunkLines) => {
    const id = await campaign(`t-dup-${chunkLines ?? 'default'}`);
    const report = await importList({
      pool: db.pool, campaignId: id, fileName: 'dup.csv', createdBy: 'test', batchSize: 2, chunkLines,
      input: textStream([
        '"NAME","PHONE_NUMBER","USER_VARS"',
        '"Иванов Иван","79161234560","BALANCE=-1.00"',
        '"Петров Пётр","79161234561","BALANCE=-2.00"',
        '"Иванов  Иван","+7 916 123-45-60","BALANCE=-3.00"',
      ].join('\n')),
    });
    expect(report).toMatchObject({ rowsTotal: 3, rowsImported: 2, rowsUnchanged: 0, rowsRejected: 1 });
    expect(report.issues).toEqual([{
      line: 4, field: null, severity: 'error', reason: 'the same contact (name and numbers) as line 2: imported once, from line 2',
    }]);
    expect((await contactByName(id, 'Иванов Иван')).variables).toEqual({ BALANCE: '-1.00' });
  });

  it('tells contacts already there from new ones and from repeats, across chunks', async () => {
    await campaign('t-mixed');
    const line = (name: string, number: string, balance: string) => `"${name}","${number}","BALANCE=${balance}"`;
    const list = (...lines: string[]) => textStream(['"NAME","PHONE_NUMBER","USER_VARS"', ...lines].join('\n'));
    await importList({ pool: db.pool, campaignId: 't-mixed', fileName: 'a.csv', createdBy: 'test', input: list(line('Иванов Иван', '79161234560', '-1.00')) });
    const report = await importList({
      pool: db.pool, campaignId: 't-mixed', fileName: 'b.csv', createdBy: 'test', chunkLines: 2,
      input: list(
        line('Петров Пётр', '79161234561', '-2.00'), // 2: new
        line('Иванов Иван', '79161234560', '-5.00'), // 3: already there, another BALANCE
        line('Сидоров Сидор', '79161234561', '-3.00'), // 4: new, line 2's number under another name
        line('Петров Пётр', '79161234561', '-4.00'), // 5: line 2 again, in another chunk
        line('ПЕТРОВ  пётр', '79161234561;79161234562', '-6.00'), // 6: line 2's person, another contact
      ),
    });
    expect(report).toMatchObject({ rowsTotal: 5, rowsImported: 3, rowsUnchanged: 1, rowsRejected: 1 });
    expect(report.issues.map((i) => [i.line, i.field, i.severity])).toEqual([
      [3, 'USER_VARS', 'warning'], [4, 'PHONE_NUMBER', 'warning'], [5, null, 'error'], [6, 'NAME', 'warning'],
    ]);
    const { rows } = await db.pool.query(`SELECT full_name, (SELECT value FROM contact_variable WHERE contact_id = k.id AND name = 'BALANCE') AS balance
      FROM contact k WHERE campaign_id = 't-mixed' ORDER BY id`);
    expect(rows).toEqual([
      { full_name: 'Иванов Иван', balance: '-1.00' }, { full_name: 'Петров Пётр', balance: '-2.00' },
      { full_name: 'Сидоров Сидор', balance: '-3.00' }, { full_name: 'ПЕТРОВ пётр', balance: '-6.00' },
    ]);
  });

  it('leaves a contact that is already there unchanged, and says which variables were not applied', async () => {
    await campaign('t-update');
    const list = (balance: string) => textStream(`"NAME","PHONE_NUMBER","USER_VARS"\n"Иванов Иван","79161234560","BALANCE=${balance};CONTRACT=A-1"\n`);
    await importList({ pool: db.pool, campaignId: 't-update', fileName: 'a.csv', createdBy: 'test', input: list('-100.00') });
    const report = await importList({ pool: db.pool, campaignId: 't-update', fileName: 'b.csv', createdBy: 'test', input: list('-50.00') });
    expect(report).toMatchObject({ rowsImported: 0, rowsUnchanged: 1 });
    expect(report.issues).toEqual([{
      line: 2, field: 'USER_VARS', severity: 'warning',
      reason: "the contact is already in the campaign and was left unchanged: the file's values of BALANCE were not applied",
    }]);
    expect((await contactByName('t-update', 'Иванов Иван')).variables).toEqual({ BALANCE: '-100.00', CONTRACT: 'A-1' });
  });
});

describe('importList: kinds of numbers', () => {
  it('stores the kind the file gives a number, else mobile for a mobile-only range, else none', async () => {
    await campaign('t-kinds');
    const report = await importList({
      pool: db.pool, campaignId: 't-kinds', fileName: 'kinds.csv', createdBy: 'test',
      input: textStream([
        '"NAME","PHONE_NUMBER","USER_VARS"',
        '"Иванов Иван","79161234560:mobile;+7 495 123-45-67:home;8 812 123-45-67:Work","BALANCE=-1.00"',
        '"Igor Lipko","17605632123;79508881234","BALANCE=-68.27"',
        '"Петров Пётр","79161234561:cell","BALANCE=-2.00"',
        '"Сидоров Сидор","+7 495 123-45-68;79161234562:other","BALANCE=-3.00"',
      ].join('\n')),
    });
    expect(report).toMatchObject({ rowsTotal: 4, rowsImported: 3, rowsRejected: 1 });
    expect(report.issues.filter((i) => i.severity === 'error')).toEqual([{
      line: 4, field: 'PHONE_NUMBER', severity: 'error',
      reason: 'number 1 (79161234561:cell): "cell" is not a kind of number: write mobile, home, work or other after the number and a colon (79508881234:mobile)',
    }]);
    const { rows } = await db.pool.query(`
      SELECT c.full_name, p.position, p.e164, p.raw, p.kind FROM contact c JOIN contact_phone p ON p.contact_id = c.id
       WHERE c.campaign_id = 't-kinds' ORDER BY c.id, p.position`);
    expect(rows).toEqual([
      { full_name: 'Иванов Иван', position: 1, e164: '+79161234560', raw: '79161234560', kind: 'mobile' },
      { full_name: 'Иванов Иван', position: 2, e164: '+74951234567', raw: '+7 495 123-45-67', kind: 'home' },
      { full_name: 'Иванов Иван', position: 3, e164: '+78121234567', raw: '8 812 123-45-67', kind: 'work' },
      { full_name: 'Igor Lipko', position: 1, e164: '+17605632123', raw: '17605632123', kind: null },
      { full_name: 'Igor Lipko', position: 2, e164: '+79508881234', raw: '79508881234', kind: 'mobile' },
      { full_name: 'Сидоров Сидор', position: 1, e164: '+74951234568', raw: '+7 495 123-45-68', kind: null },
      { full_name: 'Сидоров Сидор', position: 2, e164: '+79161234562', raw: '79161234562', kind: 'other' },
    ]);
  });
});

describe('importList: a large list', () => {
  it('imports 20,000 rows fully', async () => {
    await campaign('t-big');
    const rows = 20_000;
    function* lines(): Generator<string> {
      yield '"NAME","PHONE_NUMBER","USER_VARS"\n';
      for (let i = 0; i < rows; i++) {
        const number = `7916${String(i).padStart(7, '0')}`;
        // every tenth contact has a second number
        const phones = i % 10 === 0 ? `${number};7926${String(i).padStart(7, '0')}` : number;
        yield `"Абонент Номер ${i}","${phones}","BALANCE=-${i}.${String(i % 100).padStart(2, '0')};CONTRACT=C-${i}"\n`;
      }
    }
    const started = Date.now();
    const report = await importList({
      pool: db.pool, campaignId: 't-big', fileName: 'big.csv', createdBy: 'test', input: Readable.from(lines()),
    });
    const ms = Date.now() - started;
    process.stdout.write(`imported ${rows} rows in ${ms} ms (${Math.round(rows / (ms / 1000))} rows/s)\n`);

    expect(report).toMatchObject({ rowsTotal: rows, rowsImported: rows, rowsUnchanged: 0, rowsRejected: 0, issues: [], issuesTotal: 0 });
    const { rows: [counts] } = await db.pool.query(`
      SELECT (SELECT count(*)::int FROM contact WHERE campaign_id = 't-big') AS contacts,
             (SELECT count(*)::int FROM contact_phone p JOIN contact c ON c.id = p.contact_id WHERE c.campaign_id = 't-big') AS phones,
             (SELECT count(*)::int FROM contact_variable v JOIN contact c ON c.id = v.contact_id WHERE c.campaign_id = 't-big') AS variables`);
    expect(counts).toEqual({ contacts: rows, phones: rows + rows / 10, variables: rows * 2 });
    expect((await contactByName('t-big', 'Абонент Номер 12345')).variables).toEqual({ BALANCE: '-12345.45', CONTRACT: 'C-12345' });
  });
});
