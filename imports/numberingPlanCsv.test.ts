import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ENCODING_SAMPLE_BYTES } from './csvRows';
import {
  NumberingPlanFormatError,
  isPlanError,
  parseNumberingPlanCsv,
  type NumberingPlanHeader,
  type NumberingPlanRow,
} from './numberingPlanCsv';

const EXAMPLES = path.resolve(__dirname, '../examples/numbering');
const OLD = 'АВС/ DEF;От;До;Емкость;Оператор;Регион';
const NEW = 'АВС/ DEF;От;До;Емкость;Оператор;Регион;Территория ГАР;ИНН';

// Windows-1251 for the characters the tests use: Cyrillic А..я at 0xC0..0xFF, Ё/ё at 0xA8/0xB8.
function cp1251(text: string): Buffer {
  return Buffer.from([...text].map((ch) => {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) return c;
    if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
    if (c === 0x401) return 0xa8;
    if (c === 0x451) return 0xb8;
    throw new Error(`no windows-1251 byte for ${ch}`);
  }));
}

async function parse(input: Buffer | string | (Buffer | string)[]): Promise<{ rows: NumberingPlanRow[]; header: NumberingPlanHeader | undefined }> {
  let header: NumberingPlanHeader | undefined;
  const rows: NumberingPlanRow[] = [];
  const chunks = Array.isArray(input) ? input : [input];
  for await (const row of parseNumberingPlanCsv((async function* () { yield* chunks; })(), { onHeader: (h) => { header = h; } })) {
    rows.push(row);
  }
  return { rows, header };
}

describe('parseNumberingPlanCsv', () => {
  it('reads the older 6-column header', async () => {
    const { rows, header } = await parse(Buffer.from(`${OLD}\n916;0000000;9999999;10000000;ПАО "Мобильные ТелеСистемы";г. Москва и Московская область\n`));
    expect(header).toEqual({ encoding: 'utf-8', columns: OLD.split(';'), format: 'registry' });
    expect(rows).toEqual([{
      line: 2, code: 916, from: 9160000000, to: 9169999999, capacity: 10000000,
      operator: 'ПАО "Мобильные ТелеСистемы"', region: 'г. Москва и Московская область', territory: null, inn: null,
    }]);
  });

  it('reads the newer header with "Территория ГАР" and "ИНН", with a BOM and CRLF', async () => {
    const text = `\ufeff${NEW}\r\n301;2110000;2129999;20000;ПАО "Ростелеком";г. Улан-Удэ|Республика Бурятия;г. Улан-Удэ|г.о. город Улан-Удэ|Республика Бурятия;7707049388\r\n`;
    const { rows, header } = await parse(Buffer.from(text));
    expect(header?.format).toBe('registry-gar');
    expect(rows).toEqual([{
      line: 2, code: 301, from: 3012110000, to: 3012129999, capacity: 20000, operator: 'ПАО "Ростелеком"',
      region: 'г. Улан-Удэ|Республика Бурятия', territory: 'г. Улан-Удэ|г.о. город Улан-Удэ|Республика Бурятия', inn: '7707049388',
    }]);
  });

  it('finds columns by name, whatever their order, and tolerates padding around fields', async () => {
    const text = `Регион;Оператор;ABC/DEF;До;От\nСамарская обл.\t;\tПАО "МегаФон"\t;\t927\t;\t0999999\t;\t0000000\n`;
    const { rows } = await parse(text);
    expect(rows).toEqual([expect.objectContaining({ code: 927, from: 9270000000, to: 9270999999, capacity: null, region: 'Самарская обл.', operator: 'ПАО "МегаФон"' })]);
  });

  it('decodes Windows-1251 when the file is not UTF-8', async () => {
    const { rows, header } = await parse(cp1251(`${OLD}\r\n343;2000000;2999999;1000000;ПАО "Ростелеком";Свердловская обл.\r\n`));
    expect(header?.encoding).toBe('windows-1251');
    expect(header?.columns).toEqual(OLD.split(';'));
    expect(rows).toEqual([expect.objectContaining({ line: 2, region: 'Свердловская обл.', operator: 'ПАО "Ростелеком"' })]);
  });

  it('takes a UTF-8 file for UTF-8 when the sample ends in the middle of a letter', async () => {
    const bytes = Buffer.from(`${OLD}\n${'901;0000000;0000000;1;ООО "Ёлка";Москва\n'.repeat(2000)}`);
    // The first chunk is the whole sample and ends with the first byte of a two-byte letter.
    let split = ENCODING_SAMPLE_BYTES;
    while (bytes[split - 1]! < 0xc0) split++;
    const { rows, header } = await parse([bytes.subarray(0, split), bytes.subarray(split)]);
    expect(header?.encoding).toBe('utf-8');
    expect(rows).toHaveLength(2000);
    expect(rows.filter(isPlanError)).toEqual([]);
    expect(new Set(rows.map((r) => (isPlanError(r) ? r.error : r.operator)))).toEqual(new Set(['ООО "Ёлка"']));
  });

  it('reports bad lines naming the field, and goes on', async () => {
    const text = [
      OLD,
      '916;0000000;0999999;1000000;ПАО "МТС";Москва',
      '916;2000000;1999999;0;ПАО "МТС";Москва', // От > До
      '91a;0000000;0999999;1000000;ПАО "МТС";Москва',
      '916;12O0000;1299999;100000;ПАО "МТС";Москва', // letter O in От
      '916;1300000;13999x9;100000;ПАО "МТС";Москва',
      '916;1400000;1499999;много;ПАО "МТС";Москва',
      '916;1500000;1599999;100000;ПАО "МТС"',
      '916;1600000;1699999;100000;;Москва',
      '916;16000000;16999999;1000000;ПАО "МТС";Москва',
      '',
      '916;1700000;1799999;5;ПАО "МТС";Москва', // capacity mismatch: imported, with a warning
    ].join('\n');
    const { rows } = await parse(text);
    expect(rows.map((r) => (isPlanError(r) ? { line: r.line, field: r.field, error: r.error } : { line: r.line, warning: r.warning }))).toEqual([
      { line: 2, warning: undefined },
      { line: 3, field: 'До', error: 'До: 1999999 is less than От 2000000' },
      { line: 4, field: 'АВС/ DEF', error: 'АВС/ DEF: not a 3-digit code: "91a"' },
      { line: 5, field: 'От', error: 'От: not a number of up to 7 digits: "12O0000"' },
      { line: 6, field: 'До', error: 'До: not a number of up to 7 digits: "13999x9"' },
      { line: 7, field: 'Емкость', error: 'Емкость: not a number: "много"' },
      { line: 8, field: null, error: 'expected 6 fields separated by ";", found 5' },
      { line: 9, field: 'Оператор', error: 'Оператор: empty' },
      { line: 10, field: 'От', error: 'От: not a number of up to 7 digits: "16000000"' },
      { line: 12, warning: 'Емкость: 5 but the range holds 100000 numbers' },
    ]);
  });

  it('refuses a file that is not the registry, before any row', async () => {
    await expect(parse('"NAME","PHONE_NUMBER","USER_VARS"\n"Igor","1760","B=1"\n')).rejects.toThrow(NumberingPlanFormatError);
    await expect(parse('АВС/ DEF;От;До;Емкость;Оператор\n')).rejects.toThrow(/"Регион"/);
    await expect(parse('')).rejects.toThrow(/empty/);
  });

  it('reads the example extracts: both headers, both encodings', async () => {
    const files = ['ABC-3xx.csv', 'ABC-4xx.csv', 'ABC-8xx.csv', 'DEF-9xx.csv'];
    const seen: Record<string, NumberingPlanHeader | undefined> = {};
    let total = 0;
    for (const f of files) {
      const { rows, header } = await parse(readFileSync(path.join(EXAMPLES, f)));
      seen[f] = header;
      expect(rows.filter(isPlanError)).toEqual([]);
      expect(rows.filter((r) => !isPlanError(r) && r.warning)).toEqual([]);
      total += rows.length;
    }
    expect(seen['ABC-3xx.csv']).toEqual(expect.objectContaining({ encoding: 'windows-1251', format: 'registry' }));
    expect(seen['DEF-9xx.csv']).toEqual(expect.objectContaining({ encoding: 'utf-8', format: 'registry' }));
    expect(seen['ABC-4xx.csv']).toEqual(expect.objectContaining({ encoding: 'utf-8', format: 'registry-gar' }));
    expect(total).toBeGreaterThanOrEqual(30);
    expect(total).toBeLessThanOrEqual(60);
  });
});

describe('parseNumberingPlanCsv: quotes and fields', () => {
  const HEAD = 'АВС/ DEF;От;До;Емкость;Оператор;Регион';
  async function fields(line: string): Promise<[string, string] | string> {
    const { rows } = await parse(`${HEAD}\n${line}\n`);
    const row = rows[0]!;
    return isPlanError(row) ? row.error : [row.operator, row.region];
  }

  it('keeps quotes inside unquoted fields as text', async () => {
    expect(await fields('900;0000000;0061999;62000;ООО "Т2 МОБАЙЛ";Краснодарский край')).toEqual(['ООО "Т2 МОБАЙЛ"', 'Краснодарский край']);
    expect(await fields('900;0000000;0061999;62000;ООО "Рога;Москва')).toEqual(['ООО "Рога', 'Москва']);
  });

  it('unquotes a field quoted as a spreadsheet saves it', async () => {
    expect(await fields('900;0000001;0000002;2;"ООО ""Т2 Мобайл""; Москва";"г. Москва"')).toEqual(['ООО "Т2 Мобайл"; Москва', 'г. Москва']);
  });

  it('reads a field that starts with a quote but is not quoted as text', async () => {
    expect(await fields('900;0000001;0000002;2;"Оператор" ООО;Москва')).toEqual(['"Оператор" ООО', 'Москва']);
  });

  it('keeps an empty last field', async () => {
    expect(await fields('900;0000001;0000002;2;ПАО "МТС";')).toEqual(['ПАО "МТС"', '']);
  });

  it('refuses a line whose quoted field is not closed, alone: a registry row is one line', async () => {
    const { rows } = await parse(`${HEAD}\n900;0000001;0000002;2;"ООО Рога;Москва\n900;0000003;0000004;2;ПАО "МТС";Москва\n`);
    expect(rows.map((r) => (isPlanError(r) ? `${r.line}: ${r.error}` : `${r.line}: ${r.operator}`))).toEqual([
      '2: unterminated quote: a quote opened on this line is not closed',
      '3: ПАО "МТС"',
    ]);
  });

  it('refuses a file without line breaks as not a registry file', async () => {
    const long = `${HEAD}\n${'9'.repeat(1_100_000)}`;
    await expect(parse(long)).rejects.toThrow(/line 2 is longer than 1000000 characters .*: not a numbering plan registry file/);
  });
});
