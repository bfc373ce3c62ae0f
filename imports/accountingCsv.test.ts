import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import {
  accountingExternalId,
  CsvShapeError,
  guessListEncoding,
  isRowError,
  parseAccountingCsv,
  type AccountingContact,
  type AccountingRow,
  type AccountingRowError,
} from './accountingCsv';

// /work/shared/samples/erp-accounting.csv, as published (LF line ends, no BOM).
const SAMPLE = [
  '"NAME","PHONE_NUMBER","USER_VARS"',
  '"Igor Lipko","17605632123;79508881234","BALANCE=-68.27"',
  '"Ilya mihailov","7760569623","BALANCE=-525.19"',
  '',
].join('\n');

const HEADER = '"NAME","PHONE_NUMBER","USER_VARS"';

/** Feeds the text in small chunks, so that lines, CRLFs and UTF-8 characters are split. */
async function parse(text: string | Buffer, chunkSize = 5): Promise<AccountingRow[]> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const rows: AccountingRow[] = [];
  for await (const row of parseAccountingCsv(Readable.from(chunks))) rows.push(row);
  return rows;
}

function contact(row: AccountingRow | undefined): AccountingContact {
  if (row === undefined || isRowError(row)) throw new Error(`expected a contact, got ${JSON.stringify(row)}`);
  return row;
}

function rowError(row: AccountingRow | undefined): AccountingRowError {
  if (row === undefined || !isRowError(row)) throw new Error(`expected an error, got ${JSON.stringify(row)}`);
  return row;
}

/** Only the error of the single data row of a file made of HEADER and `line`. */
async function errorOf(line: string): Promise<AccountingRowError['error']> {
  const rows = await parse(`${HEADER}\n${line}\n`);
  expect(rows).toHaveLength(1);
  return rowError(rows[0]).error;
}

describe('parseAccountingCsv: the sample file', () => {
  it('reads both rows with their numbers in order, the notes and the variables as written', async () => {
    const rows = await parse(SAMPLE);
    expect(rows).toHaveLength(2);
    const igor = contact(rows[0]);
    expect(igor).toMatchObject({
      line: 2,
      rawLine: '"Igor Lipko","17605632123;79508881234","BALANCE=-68.27"',
      name: 'Igor Lipko',
      phones: [
        { raw: '17605632123', e164: '+17605632123', note: 'not a Russian number: US' },
        { raw: '79508881234', e164: '+79508881234' },
      ],
      variables: { BALANCE: '-68.27' },
    });
    expect(igor.phones[1]!.note).toBeUndefined();
    expect(igor.warnings).toEqual([
      { field: 'PHONE_NUMBER', reason: 'number 1 (17605632123): not a Russian number: US', raw: '17605632123' },
    ]);

    const ilya = contact(rows[1]);
    expect(ilya).toMatchObject({
      line: 3,
      name: 'Ilya mihailov',
      phones: [{ raw: '7760569623', e164: '+77760569623', note: '10 digits without a country code: read as +7 776 056 9623 (KZ)' }],
      variables: { BALANCE: '-525.19' },
    });
    expect(ilya.warnings).toHaveLength(1);
  });

  it('derives a stable external id from the name and the normalized numbers', async () => {
    const [first, second] = [await parse(SAMPLE), await parse(SAMPLE, 1)];
    const expected = `acc-${createHash('sha256').update('Igor Lipko|+17605632123;+79508881234').digest('hex').slice(0, 16)}`;
    expect(contact(first[0]).externalId).toBe(expected);
    expect(contact(second[0]).externalId).toBe(expected);
    expect(accountingExternalId('Igor Lipko', ['+17605632123', '+79508881234'])).toBe(expected);
    expect(contact(first[1]).externalId).toMatch(/^acc-[0-9a-f]{16}$/);
    expect(contact(first[1]).externalId).not.toBe(expected);
    // the same contact written differently is the same contact
    const rewritten = await parse(`${HEADER}\n"  Igor   Lipko ","+1 760 563 2123; 8 950 888-12-34","BALANCE=-1"\n`);
    expect(contact(rewritten[0]).externalId).toBe(expected);
  });
});

describe('parseAccountingCsv: file formats', () => {
  it('tolerates a BOM and CRLF line ends, counting lines right', async () => {
    const rows = await parse(`\ufeff${SAMPLE.replace(/\n/g, '\r\n')}`, 1);
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
    expect(contact(rows[0]).name).toBe('Igor Lipko');
    expect(contact(rows[1]).rawLine).toBe('"Ilya mihailov","7760569623","BALANCE=-525.19"');
  });

  it('detects the ";" delimiter from the header and reads quoted fields with ";" inside', async () => {
    const text = [
      'NAME;PHONE_NUMBER;USER_VARS',
      'Иванов Иван Иванович;"79161234560;79031234561";"BALANCE=-12345,50;CONTRACT=Д-2024-0001"',
      '"Петрова; Анна";79031234562;BALANCE=-1.00',
    ].join('\r\n');
    const rows = await parse(text, 3);
    expect(contact(rows[0])).toMatchObject({
      line: 2,
      name: 'Иванов Иван Иванович',
      phones: [{ e164: '+79161234560' }, { e164: '+79031234561' }],
      variables: { BALANCE: '-12345,50', CONTRACT: 'Д-2024-0001' },
      warnings: [],
    });
    expect(contact(rows[1])).toMatchObject({ line: 3, name: 'Петрова; Анна', variables: { BALANCE: '-1.00' } });
  });

  it('reads a quoted field that spans lines, and numbers the following lines right', async () => {
    const text = `${HEADER}\r\n"Иванов\r\nИван","79161234560","BALANCE=-1"\r\n\r\n"Петров","79161234561",""\r\n`;
    const rows = await parse(text, 2);
    expect(rows.map((r) => r.line)).toEqual([2, 5]);
    expect(contact(rows[0]).name).toBe('Иванов Иван');
    expect(contact(rows[0]).rawLine).toBe('"Иванов\r\nИван","79161234560","BALANCE=-1"');
    expect(contact(rows[1]).variables).toEqual({});
  });

  it('skips blank lines and reads a last line without a line end', async () => {
    const rows = await parse(`${HEADER}\n\n   \n"A","79161234560","X=1"\n\n"B","79161234561","X=2"`);
    expect(rows.map((r) => [r.line, contact(r).name])).toEqual([[4, 'A'], [6, 'B']]);
  });

  it('reports a malformed line and goes on with the next one', async () => {
    const text = [
      HEADER,
      '"A","79161234560","X=1"',
      '"B"x,"79161234561","X=1"', // text after a closing quote
      '"C,"79161234562","X=1"', // a quote missing: the next quote closes the field early
      '"D","79161234563","X=1"',
      'E,79161234564', // a column missing
      'F,79161234565,X=1,Y=2', // a column too many
      'G"H,79161234566,X=1', // a quote inside an unquoted field
      '"I","79161234567","X=1"',
    ].join('\n');
    const rows = await parse(text);
    expect(rows.map((r) => (isRowError(r) ? `${r.line}: ${r.error.reason}` : `${r.line} ok`))).toEqual([
      '2 ok',
      '3: text after a closing quote (a quote inside a quoted field must be doubled: "")',
      '4: text after a closing quote (a quote inside a quoted field must be doubled: "")',
      '5 ok',
      '6: expected 3 columns (NAME, PHONE_NUMBER, USER_VARS), found 2',
      '7: expected 3 columns (NAME, PHONE_NUMBER, USER_VARS), found 4 (a "," inside a field that is not quoted?)',
      '8: a quote inside a field that is not quoted',
      '9 ok',
    ]);
    const broken = rowError(rows[2]);
    expect(broken.error.field).toBeNull();
    expect(broken.rawLine).toBe('"C,"79161234562","X=1"');
  });

  it('reports a quote left open on the last line', async () => {
    const rows = await parse(`${HEADER}\n"A","79161234560","X=1"\n"B","79161234561","X=1\n`);
    expect(rows.map((r) => r.line)).toEqual([2, 3]);
    expect(rowError(rows[1]).error.reason).toContain('unterminated quote');
  });

  it('says from which line on nothing was read when the input fails', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${HEADER}\n"A","79161234560","X=1"\n"B","7916`);
      throw new Error('connection reset');
    }
    const rows: AccountingRow[] = [];
    for await (const row of parseAccountingCsv(failing())) rows.push(row);
    expect(rows).toHaveLength(2);
    expect(contact(rows[0]).line).toBe(2);
    expect(rowError(rows[1])).toMatchObject({
      line: 3,
      rawLine: '"B","7916',
      error: { field: null, reason: 'the file could not be read (connection reset): nothing was read from line 3 on' },
    });
  });

  it('reads a Windows-1251 file (Excel in a Russian locale saves CSV in it)', async () => {
    const text = iconv.encode(`${HEADER}\r\n"Иванов Иван","8 912 345-67-89","BALANCE=12345,50"\r\n"Пётр Ёлкин","79161234560","X=1"\r\n`, 'windows-1251');
    const rows = await parse(text);
    expect(rows.map((r) => contact(r).name)).toEqual(['Иванов Иван', 'Пётр Ёлкин']);
    expect(contact(rows[0]).variables).toEqual({ BALANCE: '12345,50' });
  });

  it('keeps a UTF-8 file with one damaged character UTF-8, and refuses that row by name', async () => {
    const good = Array.from({ length: 20 }, (_, i) => `"Абонент ${i}","7916123456${i % 10}","N=${i}"`).join('\n');
    const damaged = Buffer.concat([Buffer.from('"Ива'), Buffer.from([0xd0]), Buffer.from('нов","79161234599","X=1"\n')]);
    const text = Buffer.concat([Buffer.from(`${HEADER}\n"Иван Петров","79161234598","X=1"\n`), damaged, Buffer.from(`${good}\n`)]);
    const rows = await parse(text);
    expect(contact(rows[0]).name).toBe('Иван Петров');
    expect(rowError(rows[1]).error).toMatchObject({ field: 'NAME', reason: expect.stringContaining('not valid UTF-8') });
    expect(rows.slice(2).map((r) => contact(r).name)).toEqual(Array.from({ length: 20 }, (_, i) => `Абонент ${i}`));
  });

  it('tells the encodings apart by what the sample mostly is', () => {
    expect(guessListEncoding(Buffer.from('Иванов Иван;8912', 'utf8'))).toBe('utf-8');
    expect(guessListEncoding(iconv.encode('Иванов Иван;8912', 'windows-1251'))).toBe('windows-1251');
    expect(guessListEncoding(Buffer.from('NAME,PHONE_NUMBER\nA,1\n'))).toBe('utf-8');
    // A character cut by the end of the sample is not a bad byte.
    expect(guessListEncoding(Buffer.from('Иванов', 'utf8').subarray(0, 11))).toBe('utf-8');
  });
});

describe('parseAccountingCsv: the header', () => {
  async function headerError(text: string): Promise<CsvShapeError> {
    try {
      await parse(text);
    } catch (err) {
      if (err instanceof CsvShapeError) return err;
      throw err;
    }
    throw new Error('no error');
  }

  it('names the expected and the found columns when the shape is wrong', async () => {
    const err = await headerError('external_id;fio;phone\nA-1;Иванов;79161234560\n');
    expect(err.message).toBe(
      'not the accounting list shape: expected the columns NAME, PHONE_NUMBER, USER_VARS on line 1, found "external_id", "fio", "phone"');
    expect(err.found).toEqual(['external_id', 'fio', 'phone']);
  });

  it('takes the columns in any order and in any case', async () => {
    const rows = await parse('user_vars,Name,PHONE_NUMBER\n"BALANCE=-5","Иванов","79161234560"\n');
    expect(contact(rows[0])).toMatchObject({ name: 'Иванов', variables: { BALANCE: '-5' } });
  });

  it('rejects an empty file and a header with a column twice', async () => {
    expect((await headerError('')).message).toContain('the file is empty');
    expect((await headerError('\ufeff\n\n')).message).toContain('the file is empty');
    expect((await headerError('NAME,PHONE_NUMBER,NAME\n')).message).toContain('found "NAME", "PHONE_NUMBER", "NAME"');
  });

  it('accepts a file with a header only', async () => {
    expect(await parse(`${HEADER}\n`)).toEqual([]);
  });
});

describe('parseAccountingCsv: row rules', () => {
  it('collapses whitespace in NAME and requires it', async () => {
    const rows = await parse(`${HEADER}\n"  Иванов \t Иван  ","79161234560",""\n"  ","79161234561",""\n`);
    expect(contact(rows[0]).name).toBe('Иванов Иван');
    expect(rowError(rows[1]).error).toEqual({ field: 'NAME', reason: 'empty', raw: '  ' });
  });

  it('requires a usable number, naming the problem', async () => {
    expect(await errorOf('"A","",""')).toEqual({ field: 'PHONE_NUMBER', reason: 'empty', raw: '' });
    expect(await errorOf('"A"," ; ",""')).toMatchObject({ field: 'PHONE_NUMBER', reason: 'empty' });
    expect(await errorOf('"A","12-34",""')).toEqual({ field: 'PHONE_NUMBER', reason: 'too short: 4 digits', raw: '12-34' });
    expect(await errorOf('"A","1234567890",""')).toMatchObject({ field: 'PHONE_NUMBER', reason: 'not a valid number in any country' });
    expect(await errorOf('"A","12-34;abc",""')).toMatchObject({
      field: 'PHONE_NUMBER',
      reason: 'no usable number: 12-34: too short: 4 digits; abc: contains letters',
    });
  });

  it('keeps a row whose extra numbers are unusable or repeated, with a warning for each', async () => {
    const rows = await parse(`${HEADER}\n"A","12-34;79161234560;8 916 123-45-60;;79161234561",""\n`);
    const row = contact(rows[0]);
    expect(row.phones.map((p) => p.e164)).toEqual(['+79161234560', '+79161234561']);
    expect(row.warnings).toEqual([
      { field: 'PHONE_NUMBER', reason: 'number 1 (12-34) dropped: too short: 4 digits', raw: '12-34' },
      { field: 'PHONE_NUMBER', reason: 'number 3 (8 916 123-45-60) dropped: the same number as 79161234560', raw: '8 916 123-45-60' },
    ]);
  });

  it('takes a kind after a number and a colon, in any case, and stores the number without it', async () => {
    const rows = await parse(`${HEADER}\n"A","+7 495 123-45-67 : Home;79161234560:mobile;8 812 123-45-67:WORK;79161234561:other",""\n`);
    const row = contact(rows[0]);
    expect(row.phones).toEqual([
      { raw: '+7 495 123-45-67', e164: '+74951234567', kind: 'home' },
      { raw: '79161234560', e164: '+79161234560', kind: 'mobile' },
      { raw: '8 812 123-45-67', e164: '+78121234567', kind: 'work' },
      { raw: '79161234561', e164: '+79161234561', kind: 'other' },
    ]);
    expect(row.warnings).toEqual([]);
    // The kind is no part of who the contact is: the same list without kinds is the same contacts.
    const plain = await parse(`${HEADER}\n"A","+7 495 123-45-67;79161234560;8 812 123-45-67;79161234561",""\n`);
    expect(contact(plain[0]).externalId).toBe(row.externalId);
  });

  it('infers mobile when the file says nothing and the range is only mobile, else leaves the kind unknown', async () => {
    const rows = await parse(SAMPLE);
    // +1 760 (US) may be a fixed line or a mobile: unknown; +7 950 is a Russian mobile range.
    expect(contact(rows[0]).phones.map((p) => p.kind)).toEqual([null, 'mobile']);
    expect(contact(rows[1]).phones.map((p) => p.kind)).toEqual(['mobile']); // +7 776 (KZ): mobile
    const fixed = await parse(`${HEADER}\n"A","+7 495 123-45-67",""\n`);
    expect(contact(fixed[0]).phones[0]!.kind).toBeNull(); // Moscow fixed line: home or work?
    // What the file says wins over the range.
    const said = await parse(`${HEADER}\n"A","79508881234:work",""\n`);
    expect(contact(said[0]).phones[0]!.kind).toBe('work');
  });

  it('refuses the row when a kind is not one of mobile, home, work, other, naming PHONE_NUMBER', async () => {
    expect(await errorOf('"A","79161234560;79508881234:cell",""')).toEqual({
      field: 'PHONE_NUMBER',
      reason: 'number 2 (79508881234:cell): "cell" is not a kind of number: write mobile, home, work or other after the number and a colon (79508881234:mobile)',
      raw: '79161234560;79508881234:cell',
    });
    expect(await errorOf('"A","79508881234:",""')).toMatchObject({
      field: 'PHONE_NUMBER', reason: expect.stringContaining('number 1 (79508881234:): no kind after the colon: write mobile'),
    });
    // A bad kind on a number that would be dropped still refuses the row: the file meant something else.
    expect((await errorOf('"A","12-34:мобильный;79161234560",""')).field).toBe('PHONE_NUMBER');
  });

  it('keeps variables exactly as written', async () => {
    const rows = await parse(`${HEADER}\n"A","79161234560","BALANCE=-1000000.00; CONTRACT=Д-2024/01 ;NOTE=a=b;EMPTY=;"\n`);
    expect(contact(rows[0]).variables).toEqual({ BALANCE: '-1000000.00', CONTRACT: 'Д-2024/01', NOTE: 'a=b', EMPTY: '' });
  });

  it('rejects bad variables, naming USER_VARS and the pair', async () => {
    expect(await errorOf('"A","79161234560","BALANCE=-1;CONTRACT"')).toEqual({
      field: 'USER_VARS', reason: '"CONTRACT": not a KEY=VALUE pair', raw: 'CONTRACT',
    });
    expect(await errorOf('"A","79161234560","BALANCE=-1;BALANCE=-2"')).toEqual({
      field: 'USER_VARS', reason: '"BALANCE=-2": BALANCE is given twice', raw: 'BALANCE=-2',
    });
    expect(await errorOf('"A","79161234560","1ST=x"')).toMatchObject({
      field: 'USER_VARS', reason: expect.stringContaining('"1ST" is not a valid variable name'), raw: '1ST=x',
    });
    expect(await errorOf('"A","79161234560","СУММА=5"')).toMatchObject({ field: 'USER_VARS', raw: 'СУММА=5' });
  });

  it.each(['-68.27', '-68,27', '68', '-1000000.00', '0', '-0.5'])('accepts BALANCE=%s', async (amount) => {
    const rows = await parse(`${HEADER}\n"A","79161234560","BALANCE=${amount}"\n`);
    expect(contact(rows[0]).variables.BALANCE).toBe(amount);
  });

  it.each(['abc', '', '-68.273', '1 000.00', '+5', '-', '5.', '.5', '1e3', '-68.27 руб'])('rejects BALANCE=%j', async (amount) => {
    const error = await errorOf(`"A","79161234560","BALANCE=${amount}"`);
    expect(error).toMatchObject({ field: 'USER_VARS', reason: expect.stringContaining('BALANCE is not an amount') });
  });

  it('reports the first problem of a row, in column order', async () => {
    expect((await errorOf('"","12-34","BALANCE=abc"')).field).toBe('NAME');
    expect((await errorOf('"A","12-34","BALANCE=abc"')).field).toBe('PHONE_NUMBER');
  });
});
