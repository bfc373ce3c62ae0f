import { encode } from 'iconv-lite';
import { Readable } from 'node:stream';
import {
  CsvReadError,
  ENCODING_SAMPLE_BYTES,
  MAX_LINE_CHARS,
  isRefusal,
  readCsvRows,
  type CsvFormat,
  type CsvReadOptions,
  type CsvRow,
} from './csvRows';

/** Feeds the bytes in small chunks, so that lines, CRLFs and multi-byte characters are split. */
async function read(text: string | Buffer, options: CsvReadOptions = {}, chunkSize = 3): Promise<{ rows: CsvRow[]; format?: CsvFormat }> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  let format: CsvFormat | undefined;
  const rows: CsvRow[] = [];
  for await (const row of readCsvRows(Readable.from(chunks), { ...options, onFormat: (f) => { format = f; } })) rows.push(row);
  return { rows, format };
}

/** Each row as `line: field|field` or `line! reason`. */
function show(rows: CsvRow[]): string[] {
  return rows.map((r) => (isRefusal(r) ? `${r.line}! ${r.reason}` : `${r.line}: ${r.fields.join('|')}`));
}

describe('readCsvRows: delimiter', () => {
  it('takes ";" from a header with more ";" than ","', async () => {
    const { rows, format } = await read('external_id;fio;phone\nA-1;Иванов, Иван;+7 912 345-67-89\n');
    expect(format?.delimiter).toBe(';');
    expect(show(rows)).toEqual(['1: external_id|fio|phone', '2: A-1|Иванов, Иван|+7 912 345-67-89']);
  });

  it('takes "," otherwise, not counting delimiters inside quotes', async () => {
    const { rows, format } = await read('"NAME","PHONE_NUMBER","USER_VARS;A;B;C"\n"A","79161234560;79161234561","X=1;Y=2"\n');
    expect(format?.delimiter).toBe(',');
    expect(show(rows)).toEqual(['1: NAME|PHONE_NUMBER|USER_VARS;A;B;C', '2: A|79161234560;79161234561|X=1;Y=2']);
  });

  it('uses the delimiter it is given', async () => {
    const { rows, format } = await read('a,b;c\n1,2;3\n', { delimiter: ';' });
    expect(format?.delimiter).toBe(';');
    expect(show(rows)).toEqual(['1: a,b|c', '2: 1,2|3']);
  });
});

describe('readCsvRows: encodings', () => {
  it('drops a UTF-8 BOM split across chunks, and counts CRLF lines right', async () => {
    const { rows, format } = await read('\ufeffфио;тел\r\nИванов;1\r\n\r\nПетров;2\r\n', {}, 1);
    expect(format).toEqual({ encoding: 'utf-8', delimiter: ';' });
    expect(show(rows)).toEqual(['1: фио|тел', '2: Иванов|1', '4: Петров|2']);
    expect(rows[0]!.raw).toBe('фио;тел');
  });

  it('drops the BOM of text given as strings', async () => {
    const rows: CsvRow[] = [];
    for await (const row of readCsvRows(Readable.from(['\ufeffa;b\n', '1;2\n']))) rows.push(row);
    expect(show(rows)).toEqual(['1: a|b', '2: 1|2']);
  });

  it('reads Windows-1251 when the file is not UTF-8', async () => {
    const bytes = encode('АВС/ DEF;От;До;Оператор;Регион\r\n343;2000000;2999999;ПАО "Ростелеком";Свердловская обл.\r\n', 'windows-1251');
    expect(bytes.includes(Buffer.from('Р', 'utf8'))).toBe(false); // the fixture really is not UTF-8
    const { rows, format } = await read(bytes, { quotes: 'relaxed' });
    expect(format).toEqual({ encoding: 'windows-1251', delimiter: ';' });
    expect(show(rows)).toEqual([
      '1: АВС/ DEF|От|До|Оператор|Регион',
      '2: 343|2000000|2999999|ПАО "Ростелеком"|Свердловская обл.',
    ]);
  });

  it('keeps UTF-8 when the sample ends in the middle of a letter', async () => {
    const bytes = Buffer.from(`a;b\n${'ё;Ёлка\n'.repeat(ENCODING_SAMPLE_BYTES / 4)}`);
    let split = ENCODING_SAMPLE_BYTES;
    while (bytes[split - 1]! < 0xc0) split++; // the sample ends with the first byte of a letter
    let format: CsvFormat | undefined;
    let count = 0;
    for await (const row of readCsvRows(Readable.from([bytes.subarray(0, split), bytes.subarray(split)]), { onFormat: (f) => { format = f; } })) {
      if (!isRefusal(row) && row.fields[1] === 'Ёлка') count++;
    }
    expect(format?.encoding).toBe('utf-8');
    expect(count).toBe(ENCODING_SAMPLE_BYTES / 4);
  });

  it('turns bytes that are not UTF-8 into U+FFFD when UTF-8 is required', async () => {
    const bytes = Buffer.concat([Buffer.from('name\n'), encode('Иванов\n', 'windows-1251')]);
    const { rows, format } = await read(bytes, { encoding: 'utf-8' });
    expect(format?.encoding).toBe('utf-8');
    expect(show(rows)).toEqual(['1: name', `2: ${'\ufffd'.repeat(6)}`]);
  });
});

describe('readCsvRows: records and refused lines', () => {
  const HEADER = '"NAME","PHONE","VARS"';

  it('reads a quoted field spanning two lines, then names the line of a bad row after it', async () => {
    const text = `${HEADER}\r\n"Иванов\r\nИван","79161234560","X=1"\r\n"B"x,"79161234561","X=1"\r\n"C","79161234562","X=1"\r\n`;
    const { rows } = await read(text);
    expect(show(rows)).toEqual([
      '1: NAME|PHONE|VARS',
      '2: Иванов\r\nИван|79161234560|X=1',
      '4! text after a closing quote (a quote inside a quoted field must be doubled: "")',
      '5: C|79161234562|X=1',
    ]);
    expect(rows[1]!.raw).toBe('"Иванов\r\nИван","79161234560","X=1"');
    expect(rows[2]!.raw).toBe('"B"x,"79161234561","X=1"');
  });

  it('refuses a line whose quote is never closed, and reads the lines after it', async () => {
    const text = [HEADER, '"A","79161234560","X=1"', '"B,79161234561,X=1', '"C","79161234562","X=1"', 'D,79161234563,X=1', ''].join('\n');
    const { rows } = await read(text);
    expect(show(rows)).toEqual([
      '1: NAME|PHONE|VARS',
      '2: A|79161234560|X=1',
      '3! unterminated quote: a quote opened on this line is not closed',
      '4: C|79161234562|X=1',
      '5: D|79161234563|X=1',
    ]);
  });

  it('does not join lines into a record with another number of fields than the header', async () => {
    // Joined, lines 2 and 3 parse as one record of 2 fields: an open quote, not a field with a line break.
    const { rows } = await read(`${HEADER}\n"A,"79161234560\n",X=1\n"B","79161234561","X=1"\n`);
    expect(show(rows)).toEqual([
      '1: NAME|PHONE|VARS',
      '2! text after a closing quote (a quote inside a quoted field must be doubled: "")',
      '3! unterminated quote: a quote opened on this line is not closed',
      '4: B|79161234561|X=1',
    ]);
  });

  it('names a stray quote in a field that is not quoted', async () => {
    const { rows } = await read(`${HEADER}\nG"H,1,2\n`);
    expect(show(rows)).toEqual(['1: NAME|PHONE|VARS', '2! a quote inside a field that is not quoted']);
  });

  it('refuses an open quote on the last line', async () => {
    const { rows } = await read(`${HEADER}\n"A","1","X=1`);
    expect(show(rows)).toEqual(['1: NAME|PHONE|VARS', '2! unterminated quote: a quote opened on this line is not closed']);
  });

  it('reads every line as a record when fields may not span lines', async () => {
    const { rows } = await read('a;b\n"x;1\ny";2\n', { delimiter: ';', multiline: false });
    expect(show(rows)).toEqual(['1: a|b', '2! unterminated quote: a quote opened on this line is not closed', '3! a quote inside a field that is not quoted']);
  });

  it('keeps quotes that open no field as text when relaxed', async () => {
    const text = [
      'a;b;c',
      '900;ООО "Т2 МОБАЙЛ";Краснодарский край',
      '900;"ООО ""Т2 Мобайл""; Москва";"г. Москва"',
      '900;"Оператор" ООО;Москва',
      '900;b;',
    ].join('\n');
    const { rows } = await read(text, { delimiter: ';', quotes: 'relaxed', multiline: false });
    expect(show(rows)).toEqual([
      '1: a|b|c',
      '2: 900|ООО "Т2 МОБАЙЛ"|Краснодарский край',
      '3: 900|ООО "Т2 Мобайл"; Москва|г. Москва',
      '4: 900|"Оператор" ООО|Москва',
      '5: 900|b|',
    ]);
  });

  it('trims around fields, not inside quotes, when asked', async () => {
    const { rows } = await read('a ; b\n  x ;"  y  "\n', { trim: true });
    expect(show(rows)).toEqual(['1: a|b', '2: x|  y  ']);
  });

  it('skips blank lines and reads a last line without a line end', async () => {
    const { rows } = await read('a,b\n\n   \n1,2\r\r3,4');
    expect(show(rows)).toEqual(['1: a|b', '4: 1|2', '6: 3|4']);
  });

  it('reads more records than one parsing group, in order', async () => {
    const body = Array.from({ length: 450 }, (_, i) => (i === 300 ? '"bad"x,1' : `${i},"v${i}"`));
    const { rows } = await read(`n,v\n${body.join('\n')}\n`, {}, 4096);
    expect(rows).toHaveLength(451);
    expect(show(rows.slice(299, 302))).toEqual(['300: 298|v298', '301: 299|v299', '302! text after a closing quote (a quote inside a quoted field must be doubled: "")']);
    expect(show(rows.slice(-1))).toEqual(['451: 449|v449']);
  });

  it('yields nothing for an empty file', async () => {
    expect((await read('')).rows).toEqual([]);
    expect((await read('\ufeff\n \n')).rows).toEqual([]);
  });
});

describe('readCsvRows: reading stops', () => {
  it('throws after the rows before, naming from which line nothing was read', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('a,b\n1,2\n3,');
      throw new Error('connection reset');
    }
    const rows: CsvRow[] = [];
    let error: unknown;
    try {
      for await (const row of readCsvRows(failing())) rows.push(row);
    } catch (err) {
      error = err;
    }
    expect(show(rows)).toEqual(['1: a|b', '2: 1|2']);
    expect(error).toBeInstanceOf(CsvReadError);
    expect(error).toMatchObject({
      kind: 'unreadable', line: 3, raw: '3,',
      message: 'the file could not be read (connection reset): nothing was read from line 3 on',
    });
  });

  it('stops at a line too long to be text, without holding the rest', async () => {
    function* chunks(): Generator<string> {
      yield 'a,b\n1,2\n';
      for (let i = 0; i < 30; i++) yield 'x'.repeat(50_000); // 1.5 M characters, no line break
    }
    const rows: CsvRow[] = [];
    await expect((async () => { for await (const row of readCsvRows(Readable.from(chunks()))) rows.push(row); })())
      .rejects.toMatchObject({ kind: 'line-too-long', line: 3, reason: `line 3 is longer than ${MAX_LINE_CHARS} characters (is this a text file?)` });
    expect(show(rows)).toEqual(['1: a|b', '2: 1|2']);
  });

  it('with longLines: refuse, refuses a long line alone and reads on after its line break, whatever the chunks', async () => {
    const long = 'y'.repeat(MAX_LINE_CHARS + 5);
    const reason = (line: number) => `${line}! line ${line} is longer than ${MAX_LINE_CHARS} characters: refused, and read on from the next line (is this a text file?)`;
    // Arriving in chunks (the CR of its CRLF at the end of one, the LF at the start of the next), and whole.
    function* chunked(): Generator<string> {
      yield 'a,b\n1,2\n';
      for (let i = 0; i < long.length; i += 100_000) yield long.slice(i, i + 100_000);
      yield '\r';
      yield '\n3,4\n"5","6"\n';
    }
    for (const input of [[...chunked()], [`a,b\n1,2\n${long}\r\n3,4\n"5","6"\n`]]) {
      const rows: CsvRow[] = [];
      for await (const row of readCsvRows(Readable.from(input), { longLines: 'refuse' })) rows.push(row);
      expect(show(rows)).toEqual(['1: a|b', '2: 1|2', reason(3), '4: 3|4', '5: 5|6']);
      expect(rows[2]!.raw).toBe(`${'y'.repeat(200)}…`);
    }
  });

  it('reads a line of quoted fields as csv-parse does', async () => {
    const { rows } = await read('"a","b","c"\n"Иванов, Иван","7916;7926","X=1"\n"","",""\n"x""y","z","w"\n');
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b', 'c'], raw: '"a","b","c"' },
      { line: 2, fields: ['Иванов, Иван', '7916;7926', 'X=1'], raw: '"Иванов, Иван","7916;7926","X=1"' },
      { line: 3, fields: ['', '', ''], raw: '"","",""' },
      { line: 4, fields: ['x"y', 'z', 'w'], raw: '"x""y","z","w"' },
    ]);
  });

  it('stops reading the input when the reader is abandoned', async () => {
    const input = Readable.from(['a,b\n', '1,2\n', '3,4\n']);
    for await (const row of readCsvRows(input)) {
      expect(row.line).toBe(1);
      break;
    }
    expect(input.destroyed).toBe(true);
  });
});
