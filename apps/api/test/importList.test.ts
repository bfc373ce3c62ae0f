import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// Supervisors upload lists (POST /uploads) and import them (importList), then follow the job
// (listImport), as a browser or the ERP would over HTTP.

jest.setTimeout(120_000);

const UPLOAD_DIR = mkdtempSync(path.join(os.tmpdir(), 'dialer-uploads-test-'));
const MAX_MB = 1;

let world: ApiWorld;
beforeAll(async () => {
  process.env.API_UPLOAD_DIR = UPLOAD_DIR;
  process.env.API_UPLOAD_MAX_MB = String(MAX_MB);
  world = await startApiWorld();
  for (const id of ['il-csv', 'il-xlsx', 'il-refused']) {
    await world.db.pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ($1, 'T', '+74950000000')`, [id]);
  }
});
afterAll(async () => {
  delete process.env.API_UPLOAD_DIR;
  delete process.env.API_UPLOAD_MAX_MB;
  await world?.close();
});

interface UploadAnswer { status: number; body: Record<string, any> }

async function upload(bytes: Buffer, fileName: string, key: string | null = world.keys.supervisor): Promise<UploadAnswer> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), fileName);
  const res = await fetch(world.url.replace(/\/graphql$/, '/uploads'), {
    method: 'POST', body: form, headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const IMPORT = `mutation($campaignId: String!, $uploadId: String!) { importList(campaignId: $campaignId, uploadId: $uploadId) { id state fileName } }`;
const PROGRESS = `query($id: Int!, $after: Int, $first: Int) { listImport(id: $id) {
  id campaignId state rowsRead imported unchanged refused error createdBy finishedAt
  issues(severity: error, after: $after, first: $first) { id line field severity reason } } }`;

async function finished(id: number, key = world.keys.supervisor): Promise<Record<string, any>> {
  for (let i = 0; i < 600; i++) {
    const answer = await graphql(world.url, PROGRESS, { id, first: 1000 }, key);
    const job = answer.data!.listImport;
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`import ${id} did not finish`);
}

// A list of 1,000 data rows in the accounting shape, three of them broken (a number too short,
// a BALANCE that is not an amount, a fourth column); the header is line (row) 1.
const ROWS = 1000;
const BROKEN = new Map<number, { field: string | null; reason: unknown }>([
  [101, { field: 'PHONE_NUMBER', reason: 'too short: 4 digits' }],
  [502, { field: 'USER_VARS', reason: expect.stringContaining('BALANCE is not an amount') }],
  [803, { field: null, reason: expect.stringContaining('expected 3 columns') }],
]);

function listRows(): string[][] {
  const rows = [['NAME', 'PHONE_NUMBER', 'USER_VARS']];
  for (let line = 2; line <= ROWS + 1; line++) {
    const row = [`Абонент ${line}`, `+7916${String(line).padStart(7, '0')}`, `BALANCE=${line},50`];
    if (line === 101) row[1] = '1234';
    if (line === 502) row[2] = 'BALANCE=a lot';
    if (line === 803) row.push('extra');
    rows.push(row);
  }
  return rows;
}

const csvOf = (rows: string[][]) => Buffer.from(rows.map((r) => r.map((f) => `"${f}"`).join(';')).join('\r\n') + '\r\n', 'utf8');

async function xlsxOf(rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Должники');
  for (const row of rows) ws.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const counts = async () => (await world.db.pool.query<{ contacts: number; imports: number; issues: number }>(
  `SELECT (SELECT count(*)::int FROM contact) AS contacts, (SELECT count(*)::int FROM list_import) AS imports,
          (SELECT count(*)::int FROM list_import_issue) AS issues`)).rows[0]!;

function expectTheBrokenRows(job: Record<string, any>): void {
  expect(job).toMatchObject({ state: 'done', rowsRead: ROWS, imported: ROWS - 3, unchanged: 0, refused: 3, error: null, createdBy: 'key:test-supervisor' });
  expect(job.issues.map((i: any) => ({ line: i.line, field: i.field, reason: i.reason }))).toEqual(
    [...BROKEN].map(([line, issue]) => ({ line, ...issue })));
  expect(job.issues.every((i: any) => i.severity === 'error')).toBe(true);
}

describe('a CSV list', () => {
  let importId: number;

  test('is uploaded, imported as a job, and reports exactly its three broken lines', async () => {
    const sent = await upload(csvOf(listRows()), 'debtors.csv');
    expect(sent).toEqual({ status: 201, body: { uploadId: expect.stringMatching(/^up_[0-9a-f]{32}$/), fileName: 'debtors.csv', format: 'csv', bytes: expect.any(Number) } });
    const started = await graphql(world.url, IMPORT, { campaignId: 'il-csv', uploadId: sent.body.uploadId }, world.keys.supervisor);
    expect(started.errors).toBeUndefined();
    expect(started.data!.importList).toMatchObject({ state: expect.stringMatching(/^(running|done)$/), fileName: 'debtors.csv' });
    importId = started.data!.importList.id;
    expectTheBrokenRows(await finished(importId));
    expect((await world.db.pool.query(`SELECT count(*)::int AS n FROM contact WHERE campaign_id = 'il-csv'`)).rows[0].n).toBe(ROWS - 3);
    // The upload is gone once imported: a second import of it is refused.
    expect(readdirSync(UPLOAD_DIR)).toEqual([]);
    const twice = await graphql(world.url, IMPORT, { campaignId: 'il-csv', uploadId: sent.body.uploadId }, world.keys.supervisor);
    expect(twice.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'uploadId' }] });
  });

  test('refused lines are paged', async () => {
    const page1 = (await graphql(world.url, PROGRESS, { id: importId, first: 2 }, world.keys.viewer)).data!.listImport.issues;
    const page2 = (await graphql(world.url, PROGRESS, { id: importId, first: 2, after: page1[1].id }, world.keys.viewer)).data!.listImport.issues;
    expect([...page1, ...page2].map((i: any) => i.line)).toEqual([...BROKEN.keys()]);
  });

  test('the same file again imports nothing new', async () => {
    const sent = await upload(csvOf(listRows()), 'debtors.csv', world.keys.erp);
    const started = await graphql(world.url, IMPORT, { campaignId: 'il-csv', uploadId: sent.body.uploadId }, world.keys.erp);
    const job = await finished(started.data!.importList.id);
    expect(job).toMatchObject({ state: 'done', rowsRead: ROWS, imported: 0, unchanged: ROWS - 3, refused: 3 });
  });
});

test('an XLSX list is read into the same rows: the same three rows refused, by their row numbers', async () => {
  const sent = await upload(await xlsxOf(listRows()), 'debtors.xlsx');
  expect(sent.body).toMatchObject({ format: 'xlsx' });
  const started = await graphql(world.url, IMPORT, { campaignId: 'il-xlsx', uploadId: sent.body.uploadId }, world.keys.supervisor);
  expect(started.errors).toBeUndefined();
  expectTheBrokenRows(await finished(started.data!.importList.id));
  expect((await world.db.pool.query(`SELECT count(*)::int AS n FROM contact WHERE campaign_id = 'il-xlsx'`)).rows[0].n).toBe(ROWS - 3);
});

test('a Windows-1251 CSV with ";" and decimal commas, as Excel in a Russian locale saves it, is read', async () => {
  await world.db.pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ('il-1251', 'T', '+74950000000')`);
  const text = 'NAME;PHONE_NUMBER;USER_VARS\r\nИванов Иван Иванович;8 912 345-67-89;BALANCE=12345,50\r\nЁлкин Пётр;+7 916 765-43-21;BALANCE=-68,27\r\n';
  const sent = await upload(iconv.encode(text, 'windows-1251'), 'выгрузка.csv');
  expect(sent.body).toMatchObject({ format: 'csv', fileName: 'выгрузка.csv' });
  const started = await graphql(world.url, IMPORT, { campaignId: 'il-1251', uploadId: sent.body.uploadId }, world.keys.supervisor);
  expect(await finished(started.data!.importList.id)).toMatchObject({ state: 'done', imported: 2, refused: 0 });
  const { rows } = await world.db.pool.query(
    `SELECT c.full_name, v.value FROM contact c JOIN contact_variable v ON v.contact_id = c.id AND v.name = 'BALANCE'
      WHERE c.campaign_id = 'il-1251' ORDER BY c.id`);
  expect(rows).toEqual([{ full_name: 'Иванов Иван Иванович', value: '12345,50' }, { full_name: 'Ёлкин Пётр', value: '-68,27' }]);
});

test('an import whose process stopped reads as failed once it has not moved for ten minutes', async () => {
  const { rows: [row] } = await world.db.pool.query(
    `INSERT INTO list_import (campaign_id, file_name, created_by, updated_at) VALUES ('il-refused', 'lost.csv', 'test', now() - interval '11 minutes') RETURNING id::int`);
  const job = (await graphql(world.url, PROGRESS, { id: row.id }, world.keys.viewer)).data!.listImport;
  expect(job).toMatchObject({ state: 'failed', error: expect.stringContaining('interrupted') });
  await world.db.pool.query(`UPDATE list_import SET updated_at = now() WHERE id = $1`, [row.id]);
  expect((await graphql(world.url, PROGRESS, { id: row.id }, world.keys.viewer)).data!.listImport).toMatchObject({ state: 'running', error: null });
});

describe('refused before anything is written', () => {
  test('a PNG renamed .csv', async () => {
    const before = await counts();
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d494844520000000100000001', 'hex'), Buffer.alloc(20_000, 7)]);
    const sent = await upload(png, 'list.csv');
    expect(sent).toEqual({ status: 415, body: { error: 'not a CSV or XLSX file: a PNG image', code: 'NOT_A_LIST' } });
    expect(await counts()).toEqual(before);
    expect(readdirSync(UPLOAD_DIR)).toEqual([]);
  });

  test('a file over API_UPLOAD_MAX_MB, whether its size is declared or found while it arrives', async () => {
    const before = await counts();
    const big = Buffer.from('"NAME","PHONE_NUMBER","USER_VARS"\n' + '"A","+79161234567","X=1"\n'.repeat(Math.ceil((MAX_MB * 1.5 * 1024 * 1024) / 26)));
    const sent = await upload(big, 'big.csv');
    expect(sent).toEqual({ status: 413, body: { error: expect.stringContaining('API_UPLOAD_MAX_MB'), code: 'TOO_LARGE' } });
    // Just over the limit: within the declared length's slack, so found by counting the bytes.
    const edge = await upload(big.subarray(0, MAX_MB * 1024 * 1024 + 10), 'edge.csv');
    expect(edge).toEqual({ status: 413, body: { error: expect.stringContaining('API_UPLOAD_MAX_MB'), code: 'TOO_LARGE' } });
    expect(await counts()).toEqual(before);
    expect(readdirSync(UPLOAD_DIR)).toEqual([]);
  });

  test('a text file that is not the list shape is refused at importList, naming its columns', async () => {
    const sent = await upload(Buffer.from('external_id;fio;phone\nA-1;Иванов;+79161234567\n'), 'crm.csv');
    expect(sent.status).toBe(201);
    const before = await counts();
    const started = await graphql(world.url, IMPORT, { campaignId: 'il-refused', uploadId: sent.body.uploadId }, world.keys.supervisor);
    expect(started.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'uploadId', message: expect.stringContaining('expected the columns NAME, PHONE_NUMBER, USER_VARS') }] });
    expect(await counts()).toEqual(before);
  });

  test('a campaign that does not exist leaves the upload for another try', async () => {
    const sent = await upload(csvOf(listRows().slice(0, 3)), 'small.csv');
    const missing = await graphql(world.url, IMPORT, { campaignId: 'il-none', uploadId: sent.body.uploadId }, world.keys.supervisor);
    expect(missing.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'campaignId', message: 'does not exist' }] });
    const ok = await graphql(world.url, IMPORT, { campaignId: 'il-refused', uploadId: sent.body.uploadId }, world.keys.supervisor);
    expect(await finished(ok.data!.importList.id)).toMatchObject({ state: 'done', imported: 2 });
  });
});

test('uploads need the credentials and roles of importList, and are audited without names', async () => {
  const csv = csvOf(listRows().slice(0, 2));
  expect((await upload(csv, 'x.csv', null)).status).toBe(401);
  expect((await upload(csv, 'x.csv', 'dk_madeup')).status).toBe(401);
  expect(await upload(csv, 'x.csv', world.keys.viewer)).toEqual({ status: 403, body: expect.objectContaining({ code: 'FORBIDDEN' }) });
  // Another caller's upload is not theirs to import.
  const mine = await upload(csv, 'Иванов.csv', world.keys.erp);
  const theirs = await graphql(world.url, IMPORT, { campaignId: 'il-refused', uploadId: mine.body.uploadId }, world.keys.supervisor);
  expect(theirs.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'uploadId' }] });
  const { rows } = await world.db.pool.query(`SELECT actor, entity, entity_id, details, source FROM audit_log WHERE action = 'api.upload' ORDER BY id`);
  expect(rows.length).toBeGreaterThan(0);
  expect(rows[rows.length - 1]).toMatchObject({ actor: 'key:test-erp', entity: 'upload', entity_id: mine.body.uploadId, details: { format: 'csv', bytes: csv.length } });
  expect(rows.every((r) => r.source !== null)).toBe(true);
  expect(JSON.stringify(rows)).not.toMatch(/Иванов|Абонент|debtors/);
  const imports = await world.db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'api.importList' AND entity_id = 'il-csv'`);
  expect(imports.rows[0].n).toBeGreaterThanOrEqual(2);
});

test('an import running when the API stops ends failed, saying so, with the batches before kept', async () => {
  const other = await startApiWorld();
  try {
    await other.db.pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ('il-stop', 'T', '+74950000000')`);
    const rows = [['NAME', 'PHONE_NUMBER', 'USER_VARS']];
    for (let i = 0; i < 15_000; i++) rows.push([`N ${i}`, `+7916${String(i).padStart(7, '0')}`, `B=${i}`]);
    const form = new FormData();
    form.append('file', new Blob([csvOf(rows)]), 'long.csv');
    const sent = await (await fetch(other.url.replace(/\/graphql$/, '/uploads'), {
      method: 'POST', body: form, headers: { authorization: `Bearer ${other.keys.erp}` },
    })).json() as { uploadId: string };
    const started = await graphql(other.url, IMPORT, { campaignId: 'il-stop', uploadId: sent.uploadId }, other.keys.erp);
    const id = started.data!.importList.id as number;
    await other.app.close();
    const { rows: [job] } = await other.db.pool.query('SELECT state, error, rows_total, rows_imported FROM list_import WHERE id = $1', [id]);
    expect(job).toMatchObject({ state: 'failed', error: expect.stringContaining('the API stopped; importing the file again is safe') });
    expect(job.rows_total).toBeLessThan(15_000);
    const { rows: [saved] } = await other.db.pool.query(`SELECT count(*)::int AS n FROM contact WHERE campaign_id = 'il-stop'`);
    expect(saved.n).toBe(job.rows_imported);
  } finally {
    await other.db.drop();
  }
});
