import { CsvReadError, isRefusal, readCsvRows, type CsvEncoding } from './csvRows';

// Reader of the Russian numbering plan registry ("Реестр российской системы и плана нумерации")
// as the regulator publishes it: one CSV file per code family (ABC-3xx, ABC-4xx, ABC-8xx, DEF-9xx),
// about a million rows in all, `;` between fields, one line a row, no quoting (operator names
// carry their quotes as plain text: `ПАО "Ростелеком"`; a field that a spreadsheet saved wholly in
// CSV quotes, `"ООО ""Т2 Мобайл"""`, is unquoted).
//
// Two headers are in use (columns are found by name, so their order does not matter):
//   АВС/ DEF;От;До;Емкость;Оператор;Регион                          (older files)
//   АВС/ DEF;От;До;Емкость;Оператор;Регион;Территория ГАР;ИНН       (newer files, UTF-8 with BOM)
// In newer files "Регион" is often `settlement|subject` and is "-" for some rows, while
// "Территория ГАР" (the federal address register's territory, `settlement|district|subject`)
// is always filled. Older files were published in Windows-1251.

/** A range of numbers: `from`/`to` are 10-digit national numbers (code * 10^7 + От). */
export interface NumberingPlanRange {
  line: number; // physical line of the file; the header is line 1
  code: number;
  from: number;
  to: number;
  capacity: number | null; // null when the file has no Емкость column
  operator: string;
  region: string; // "Регион" as written; "" when the file gives none
  territory: string | null; // "Территория ГАР", when the file has that column
  inn: string | null; // "ИНН" of the operator, when the file has that column
  warning?: string; // the row is usable, but something in it is odd (capacity mismatch)
}

/** A row that cannot be used; `field` names the column at fault (null: the line as a whole). */
export interface NumberingPlanError {
  line: number;
  field: string | null;
  error: string;
}

export type NumberingPlanRow = NumberingPlanRange | NumberingPlanError;

export function isPlanError(row: NumberingPlanRow): row is NumberingPlanError {
  return 'error' in row;
}

export interface NumberingPlanHeader {
  encoding: CsvEncoding;
  columns: string[]; // as written in the file
  format: 'registry' | 'registry-gar'; // the older 6 columns, or with "Территория ГАР"
}

/** Not a registry file (no header, or required columns missing): nothing in it can be read. */
export class NumberingPlanFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NumberingPlanFormatError';
  }
}

export interface NumberingPlanParseOptions {
  onHeader?: (header: NumberingPlanHeader) => void;
}

// The columns, as named in the files, and how a header cell is recognised. "АВС/ DEF" is written
// with Cyrillic or Latin ABC and with or without the space: matched on "def".
type Column = 'code' | 'from' | 'to' | 'capacity' | 'operator' | 'region' | 'territory' | 'inn';
const COLUMN_NAMES: Record<Column, string> = {
  code: 'АВС/ DEF', from: 'От', to: 'До', capacity: 'Емкость', operator: 'Оператор', region: 'Регион',
  territory: 'Территория ГАР', inn: 'ИНН',
};
const REQUIRED: readonly Column[] = ['code', 'from', 'to', 'operator', 'region'];

function columnOf(cell: string): Column | null {
  const c = cell.toLowerCase().replace(/ё/g, 'е').replace(/[\s\ufeff]+/g, '');
  if (c.includes('def')) return 'code';
  switch (c) {
    case 'от': return 'from';
    case 'до': return 'to';
    case 'емкость': return 'capacity';
    case 'оператор': return 'operator';
    case 'регион': return 'region';
    case 'территориягар': return 'territory';
    case 'инн': return 'inn';
    default: return null;
  }
}

/**
 * Reads a registry file, one result per data line, in file order (blank lines are skipped).
 * Throws NumberingPlanFormatError before the first row when the header is not the registry's.
 * The input is consumed as a stream: memory does not grow with the file.
 */
export async function* parseNumberingPlanCsv(
  input: AsyncIterable<Buffer | Uint8Array | string>,
  options: NumberingPlanParseOptions = {},
): AsyncGenerator<NumberingPlanRow> {
  let encoding: CsvEncoding = 'utf-8';
  const rows = readCsvRows(input, {
    delimiter: ';', quotes: 'relaxed', multiline: false, onFormat: (f) => { encoding = f.encoding; },
  });
  let header: { index: Map<Column, number>; count: number } | undefined;
  try {
    for await (const row of rows) {
      if (header === undefined) {
        const fields = isRefusal(row) ? [row.raw] : row.fields;
        header = readHeader(fields);
        options.onHeader?.({
          encoding,
          columns: fields.map((f) => f.trim()),
          format: header.index.has('territory') ? 'registry-gar' : 'registry',
        });
      } else if (isRefusal(row)) {
        yield { line: row.line, field: null, error: row.reason };
      } else {
        yield readRow(row.line, row.fields, header.index, header.count);
      }
    }
  } catch (err) {
    // A registry line is a few hundred characters: a file without line breaks is not one.
    if (err instanceof CsvReadError && err.kind === 'line-too-long') {
      throw new NumberingPlanFormatError(`${err.reason}: not a numbering plan registry file`);
    }
    throw err;
  }
  if (header === undefined) throw new NumberingPlanFormatError('the file is empty: no header line');
}

function readHeader(fields: string[]): { index: Map<Column, number>; count: number } {
  const index = new Map<Column, number>();
  fields.forEach((cell, i) => {
    const column = columnOf(cell);
    if (column !== null && !index.has(column)) index.set(column, i);
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new NumberingPlanFormatError(
      `not a numbering plan registry file: the header has no ${missing.map((c) => `"${COLUMN_NAMES[c]}"`).join(', ')} `
      + `(expected "АВС/ DEF;От;До;Емкость;Оператор;Регион", found "${fields.join(';').slice(0, 200)}")`);
  }
  return { index, count: fields.length };
}

const DIGITS = /^\d+$/;

function readRow(line: number, fields: string[], index: Map<Column, number>, count: number): NumberingPlanRow {
  if (fields.length !== count) {
    return { line, field: null, error: `expected ${count} fields separated by ";", found ${fields.length}` };
  }
  const get = (c: Column): string | null => {
    const i = index.get(c);
    return i === undefined ? null : fields[i]!.trim();
  };
  const codeText = get('code')!;
  if (!/^\d{3}$/.test(codeText)) return bad(line, 'code', `not a 3-digit code: "${codeText}"`);
  const fromText = get('from')!;
  if (!DIGITS.test(fromText) || fromText.length > 7) return bad(line, 'from', `not a number of up to 7 digits: "${fromText}"`);
  const toText = get('to')!;
  if (!DIGITS.test(toText) || toText.length > 7) return bad(line, 'to', `not a number of up to 7 digits: "${toText}"`);
  const fromLocal = Number(fromText);
  const toLocal = Number(toText);
  if (fromLocal > toLocal) return bad(line, 'to', `${toText} is less than От ${fromText}`);
  const operator = get('operator')!;
  if (operator === '') return bad(line, 'operator', 'empty');

  let capacity: number | null = null;
  let warning: string | undefined;
  const capacityText = get('capacity');
  if (capacityText !== null) {
    if (!DIGITS.test(capacityText)) return bad(line, 'capacity', `not a number: "${capacityText}"`);
    capacity = Number(capacityText);
    const size = toLocal - fromLocal + 1;
    // The range is what routes calls; a wrong capacity is a clerical slip in the file.
    if (capacity !== size) warning = `${COLUMN_NAMES.capacity}: ${capacity} but the range holds ${size} numbers`;
  }

  const base = Number(codeText) * 10_000_000;
  const range: NumberingPlanRange = {
    line,
    code: Number(codeText),
    from: base + fromLocal,
    to: base + toLocal,
    capacity,
    operator,
    region: get('region')!,
    territory: get('territory'),
    inn: get('inn'),
  };
  if (warning !== undefined) range.warning = warning;
  return range;
}

function bad(line: number, column: Column, reason: string): NumberingPlanError {
  return { line, field: COLUMN_NAMES[column], error: `${COLUMN_NAMES[column]}: ${reason}` };
}
