import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { parseAccountingRows } from './accountingCsv';
import { CsvReadError, isRefusal, type CsvRow } from './csvRows';
import { sniffListFormat } from './listFormat';
import { readXlsxRows } from './xlsxRows';

// The XLSX reader gives the rows the CSV reader would, so the accounting shape reads both alike.

async function workbook(fill: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  fill(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Fed in small chunks, as an upload arrives. */
function chunked(bytes: Buffer, size = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

test('cells read as the text a person sees: numbers, rich text, formulas, dates, links', async () => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('List');
    ws.addRow(['NAME', 'PHONE_NUMBER', 'USER_VARS']);
    ws.addRow([{ richText: [{ text: 'Иванов ' }, { text: 'Иван', font: { bold: true } }] }, 79508881234, 'BALANCE=-68,27']);
    ws.addRow(['Петров', { formula: '"8912"&"3456789"', result: '89123456789' }, -68.27]);
    ws.addRow([new Date(Date.UTC(2026, 11, 1)), { text: 'site', hyperlink: 'https://example.org' }, true]);
  });
  const rows = await all(readXlsxRows(chunked(bytes)));
  expect(rows).toEqual([
    { line: 1, fields: ['NAME', 'PHONE_NUMBER', 'USER_VARS'], raw: 'NAME,PHONE_NUMBER,USER_VARS' },
    { line: 2, fields: ['Иванов Иван', '79508881234', 'BALANCE=-68,27'], raw: 'Иванов Иван,79508881234,"BALANCE=-68,27"' },
    { line: 3, fields: ['Петров', '89123456789', '-68.27'], raw: 'Петров,89123456789,-68.27' },
    { line: 4, fields: ['2026-12-01', 'site', 'TRUE'], raw: '2026-12-01,site,TRUE' },
  ]);
});

test('line numbers are the sheet\'s rows; blank rows are skipped, rows have the header\'s columns, other sheets ignored', async () => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('List');
    ws.getRow(1).values = ['NAME', 'PHONE_NUMBER', 'USER_VARS'];
    ws.getRow(2).values = ['A', '+79123456789', ''];
    ws.getRow(4).values = ['', '', ''];
    ws.getRow(5).values = [null, '+79123456780', 'X=1'];
    ws.getCell('E5').value = ' ';
    wb.addWorksheet('Other').addRow(['not', 'read']);
  });
  const rows = await all(readXlsxRows(chunked(bytes)));
  expect(rows.map((r) => [r.line, (r as { fields: string[] }).fields])).toEqual([
    [1, ['NAME', 'PHONE_NUMBER', 'USER_VARS']],
    [2, ['A', '+79123456789', '']], // its empty last cell is an empty field
    [5, ['', '+79123456780', 'X=1']], // the blank E5 is no column
  ]);
});

test('the accounting shape reads a workbook with the CSV path\'s rules and reasons', async () => {
  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('List');
    ws.addRow(['name', 'phone_number', 'user_vars']);
    ws.addRow(['Igor Lipko', '17605632123;79508881234', 'BALANCE=-68.27']);
    ws.addRow(['Bad Number', '1234']); // USER_VARS left empty: the number is what is wrong
    ws.addRow(['Four Columns', '79508881234', 'BALANCE=1', 'extra']);
  });
  const rows = await all(parseAccountingRows(readXlsxRows(chunked(bytes))));
  expect(rows).toEqual([
    expect.objectContaining({ line: 2, name: 'Igor Lipko', phones: [expect.objectContaining({ e164: '+17605632123' }), expect.objectContaining({ e164: '+79508881234' })], variables: { BALANCE: '-68.27' } }),
    expect.objectContaining({ line: 3, error: { field: 'PHONE_NUMBER', reason: 'too short: 4 digits', raw: '1234' } }),
    expect.objectContaining({ line: 4, error: expect.objectContaining({ field: null, reason: 'expected 3 columns (NAME, PHONE_NUMBER, USER_VARS), found 4' }) }),
  ]);
});

test('a ZIP that is not a workbook, and a workbook cut short, are reading errors', async () => {
  const notWorkbook = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]);
  await expect(all(readXlsxRows(chunked(notWorkbook)))).rejects.toThrow(CsvReadError);

  const bytes = await workbook((wb) => {
    const ws = wb.addWorksheet('List');
    ws.addRow(['NAME', 'PHONE_NUMBER', 'USER_VARS']);
    for (let i = 0; i < 2000; i++) ws.addRow([`Name ${i}`, `+7912${String(i).padStart(7, '0')}`, `N=${i}`]);
  });
  const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
  const rows: CsvRow[] = [];
  const failure = await (async () => {
    try {
      for await (const row of readXlsxRows(chunked(cut))) rows.push(row);
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  expect(failure).toBeInstanceOf(CsvReadError);
  expect(rows.every((r) => !isRefusal(r))).toBe(true);
});

test('a list is known by its content, not its name', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  expect(sniffListFormat(png)).toEqual({ refused: 'not a CSV or XLSX file: a PNG image' });
  expect(sniffListFormat(await workbook((wb) => wb.addWorksheet('x').addRow(['a'])))).toEqual({ format: 'xlsx' });
  expect(sniffListFormat(Buffer.from('"NAME","PHONE_NUMBER","USER_VARS"\r\n"Иван","8912",""\r\n', 'utf8'))).toEqual({ format: 'csv' });
  expect(sniffListFormat(Buffer.from([0xc8, 0xe2, 0xe0, 0xed, 0x3b, 0x38, 0x39, 0x0d, 0x0a]))).toEqual({ format: 'csv' }); // Windows-1251
  expect(sniffListFormat(Buffer.from([0x41, 0x00, 0x42]))).toEqual({ refused: 'not a CSV or XLSX file: it holds binary data' });
  expect(sniffListFormat(Buffer.from('d0cf11e0a1b11ae1', 'hex'))).toEqual({ refused: expect.stringContaining('.xls') });
  expect(sniffListFormat(Buffer.alloc(0))).toEqual({ refused: 'the file is empty' });
});

test('text whose bytes straddle the reader\'s chunks is read whole (exceljs#2084)', async () => {
  const names = Array.from({ length: 3000 }, (_, i) => `Абонентова Юлия Эдуардовна №${i}`);
  for (const sharedStrings of [true, false]) {
    const bytes = await workbook((wb) => {
      const ws = wb.addWorksheet('Список');
      // Shared strings (Excel's way) or inline strings in the sheet itself.
      for (const name of names) ws.addRow([sharedStrings ? name : { richText: [{ text: name }] }]);
    });
    const rows = await all(readXlsxRows(chunked(bytes, 777)));
    expect(rows.map((r) => (r as { fields: string[] }).fields[0])).toEqual(names);
  }
  // Two workbooks of 3,000 rows written and read back: about a second alone, more than jest's
  // default 5 s while the integration suites share the two cores (a workload, not a speed claim).
}, 60_000);
