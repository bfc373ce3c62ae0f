// Reader of the Russian numbering plan registry ("Реестр российской системы и плана нумерации")
// as the regulator publishes it: one CSV file per code family (ABC-3xx, ABC-4xx, ABC-8xx, DEF-9xx),
// about a million rows in all, `;` between fields, no quoting (operator names carry their quotes
// as plain text: `ПАО "Ростелеком"`).
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
  encoding: 'utf-8' | 'windows-1251';
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

// Long enough to hold Cyrillic text of many rows, so the guess is not made on the header alone.
export const ENCODING_SAMPLE_BYTES = 64 * 1024;

/**
 * Reads a registry file, one result per data line, in file order (blank lines are skipped).
 * Throws NumberingPlanFormatError before the first row when the header is not the registry's.
 * The input is consumed as a stream: memory does not grow with the file.
 */
export async function* parseNumberingPlanCsv(
  input: AsyncIterable<Buffer | Uint8Array | string>,
  options: NumberingPlanParseOptions = {},
): AsyncGenerator<NumberingPlanRow> {
  const text = decodeStream(input);
  let lineNo = 0;
  let header: { index: Map<Column, number>; count: number } | undefined;

  for await (const rawLine of splitLines(text.chunks)) {
    lineNo++;
    const line = lineNo === 1 ? rawLine.replace(/^\ufeff/, '') : rawLine;
    if (line.trim() === '') continue;
    const fields = splitFields(line);
    if (header === undefined) {
      header = readHeader(fields);
      options.onHeader?.({
        encoding: text.encoding(),
        columns: fields.map((f) => f.trim()),
        format: header.index.has('territory') ? 'registry-gar' : 'registry',
      });
      continue;
    }
    yield readRow(lineNo, fields, header.index, header.count);
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

/**
 * Splits a line at `;`. The registry does not quote fields and its operator names contain
 * quotes (`ООО "Т2 Мобайл"`), so a quote is plain text, except that a field written wholly in
 * CSV quotes (`"ООО ""Т2 Мобайл"";..."`, as a spreadsheet saves it) is unquoted.
 */
export function splitFields(line: string): string[] {
  if (!line.includes('"')) return line.split(';');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    const quoted = readQuoted(line, i);
    if (quoted !== null) {
      fields.push(quoted.value);
      i = quoted.end;
    } else {
      const end = line.indexOf(';', i);
      fields.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length : end;
    }
    if (i >= line.length) return fields;
    i++; // past the ';'
    if (i === line.length) {
      fields.push('');
      return fields;
    }
  }
}

/** A CSV-quoted field starting at `start` (spaces allowed around it), or null if it is not one. */
function readQuoted(line: string, start: number): { value: string; end: number } | null {
  let i = start;
  while (line[i] === ' ' || line[i] === '\t') i++;
  if (line[i] !== '"') return null;
  let value = '';
  for (i++; i < line.length; i++) {
    if (line[i] !== '"') {
      value += line[i];
    } else if (line[i + 1] === '"') {
      value += '"';
      i++;
    } else {
      let j = i + 1;
      while (line[j] === ' ' || line[j] === '\t') j++;
      return j === line.length || line[j] === ';' ? { value, end: j } : null;
    }
  }
  return null;
}

/**
 * Decodes the byte stream as UTF-8, or as Windows-1251 when its first ENCODING_SAMPLE_BYTES are
 * not valid UTF-8 (Cyrillic in Windows-1251 never is: its letters are bytes 0xC0-0xFF, which
 * UTF-8 allows only as a lead byte followed by a continuation byte 0x80-0xBF).
 */
function decodeStream(input: AsyncIterable<Buffer | Uint8Array | string>): {
  chunks: AsyncGenerator<string>;
  encoding: () => NumberingPlanHeader['encoding'];
} {
  let encoding: NumberingPlanHeader['encoding'] = 'utf-8';
  async function* chunks(): AsyncGenerator<string> {
    const iterator = input[Symbol.asyncIterator]();
    const sample: Uint8Array[] = [];
    let sampled = 0;
    let done = false;
    while (sampled < ENCODING_SAMPLE_BYTES) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      if (typeof next.value === 'string') {
        // Already text: nothing to detect. Strings and bytes are not mixed in one input.
        yield* passText(next.value, iterator);
        return;
      }
      sample.push(next.value);
      sampled += next.value.length;
    }
    encoding = isUtf8(sample) ? 'utf-8' : 'windows-1251';
    // fatal: false for the rest: a stray bad byte deep in a UTF-8 file becomes U+FFFD in its row.
    const decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
    for (const chunk of sample) yield decoder.decode(chunk, { stream: true });
    if (!done) {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        const chunk = next.value;
        yield typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      }
    }
    yield decoder.decode();
  }
  return { chunks: chunks(), encoding: () => encoding };
}

async function* passText(first: string, rest: AsyncIterator<Buffer | Uint8Array | string>): AsyncGenerator<string> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield typeof next.value === 'string' ? next.value : Buffer.from(next.value).toString('utf8');
  }
}

function isUtf8(chunks: Uint8Array[]): boolean {
  // stream: true, so a character cut at the end of the sample is not taken for an error.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for (const chunk of chunks) decoder.decode(chunk, { stream: true });
    return true;
  } catch {
    return false;
  }
}

const MAX_LINE_CHARS = 1 << 20;

/** Lines without their "\n" or "\r\n". */
async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    if (chunk === '') continue;
    const text = rest + chunk;
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end === -1) break;
      yield text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
    // A registry line is a few hundred characters: a file without line breaks is not one, and
    // must not be held in memory whole.
    if (rest.length > MAX_LINE_CHARS) {
      throw new NumberingPlanFormatError(`a line longer than ${MAX_LINE_CHARS} characters: not a numbering plan registry file`);
    }
  }
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}
