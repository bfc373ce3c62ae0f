import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse/sync';
import { normalizePhone, type CountryCode } from '../domain/phoneNumbers';

// The "accounting" list shape of a hosted PBX autoinformer:
//   "NAME","PHONE_NUMBER","USER_VARS"
//   "Igor Lipko","17605632123;79508881234","BALANCE=-68.27"
// PHONE_NUMBER: one or more numbers separated by ';', in dialling order.
// USER_VARS: KEY=VALUE pairs separated by ';' that the message template reads.

export const ACCOUNTING_COLUMNS = ['NAME', 'PHONE_NUMBER', 'USER_VARS'] as const;
type Column = (typeof ACCOUNTING_COLUMNS)[number];

/** One problem found in a row. `raw` is the offending value (a field, a number, a pair). */
export interface RowIssue {
  field: string | null; // null: the line itself is not valid CSV
  reason: string;
  raw: string;
}

export interface AccountingPhone {
  raw: string;
  e164: string;
  note?: string;
}

/** A usable row: at least one number; `warnings` say what was dropped or reinterpreted. */
export interface AccountingContact {
  line: number; // physical line in the file where the row starts; the header is line 1
  rawLine: string; // the row's text as it stands in the file
  externalId: string;
  name: string;
  phones: AccountingPhone[];
  variables: Record<string, string>;
  warnings: RowIssue[];
}

/** A rejected row: only the first problem found is reported. */
export interface AccountingRowError {
  line: number;
  rawLine: string;
  error: RowIssue;
}

export type AccountingRow = AccountingContact | AccountingRowError;

export function isRowError(row: AccountingRow): row is AccountingRowError {
  return 'error' in row;
}

/** The file is not in the accounting shape (or is empty): nothing in it can be read as rows. */
export class CsvShapeError extends Error {
  constructor(
    message: string,
    readonly expected: readonly string[],
    readonly found: readonly string[],
  ) {
    super(message);
    this.name = 'CsvShapeError';
  }
}

export interface ParseOptions {
  defaultCountry?: CountryCode;
}

/**
 * The ERP gives no id in this shape, so the contact's external id is derived from what
 * identifies it: re-importing the same file finds the same ids and changes nothing.
 */
export function accountingExternalId(name: string, e164s: readonly string[]): string {
  const digest = createHash('sha256').update(`${name}|${e164s.join(';')}`, 'utf8').digest('hex');
  return `acc-${digest.slice(0, 16)}`;
}

/**
 * Reads an accounting-shape list, one result per data row, in file order. Throws CsvShapeError
 * before the first row when the header is not the accounting shape. A row that is not valid
 * CSV is reported and reading goes on with the next line.
 */
export async function* parseAccountingCsv(
  input: AsyncIterable<Buffer | string>,
  options: ParseOptions = {},
): AsyncGenerator<AccountingRow> {
  const defaultCountry = options.defaultCountry ?? 'RU';
  const lines = new LineReader(input);
  const header = await readHeader(lines);
  const records = new RecordReader(lines, header.delimiter, ACCOUNTING_COLUMNS.length);

  // Records are parsed by csv-parse in groups: one call per record costs more than the parsing.
  let group: RawRecord[] = [];
  const flush = function* (): Generator<AccountingRow> {
    const fields = parseGroup(group, header.delimiter);
    for (let i = 0; i < group.length; i++) {
      const record = group[i]!;
      const result = fields[i]!;
      if (typeof result === 'string') {
        yield { line: record.line, rawLine: record.text, error: { field: null, reason: result, raw: record.text } };
      } else if (result.length !== ACCOUNTING_COLUMNS.length) {
        yield { line: record.line, rawLine: record.text, error: { field: null, reason: columnCountReason(result.length, header.delimiter), raw: record.text } };
      } else {
        yield readRow(record, header.index, result, defaultCountry);
      }
    }
    group = [];
  };

  for (;;) {
    const record = await records.next();
    if (record === undefined) break;
    if (record.unreadable !== undefined) {
      yield* flush();
      yield { line: record.line, rawLine: record.text, error: { field: null, reason: record.unreadable, raw: record.text } };
      continue;
    }
    group.push(record);
    if (group.length >= GROUP_SIZE) yield* flush();
  }
  yield* flush();
  const failure = lines.failure();
  if (failure) yield { line: failure.line, rawLine: failure.text, error: { field: null, reason: failure.reason, raw: failure.text } };
}

const GROUP_SIZE = 200;
// A quoted field may hold line breaks; a "record" longer than this is a quote left open.
const MAX_LINES_PER_RECORD = 20;
// Longer than any sane row: a binary file or a file without line breaks.
const MAX_LINE_CHARS = 1_000_000;

// ---------------------------------------------------------------------------------------------
// Physical lines
//
// Line numbers and the raw text come from this reader, not from csv-parse: csv-parse 6 counts
// a CRLF inside a quoted field as two lines, drops the LF of CRLF from `raw`, and after a stray
// quote it swallows the rest of the file as one field. Splitting lines ourselves keeps every
// line number right and lets a broken line be reported alone.

interface PhysicalLine {
  no: number;
  text: string;
  eol: string; // '\r\n', '\n', '\r' or '' at the end of the file
}

class LineReader {
  private readonly source: AsyncIterator<Buffer | string>;
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  private ready: PhysicalLine[] = [];
  private readyHead = 0; // index of the next line in `ready` (shift() is O(n) on long arrays)
  private pushedBack: PhysicalLine[] = [];
  private lineNo = 0;
  private atStart = true;
  private done = false;
  private failed: { line: number; reason: string; text: string } | undefined;

  constructor(input: AsyncIterable<Buffer | string>) {
    this.source = input[Symbol.asyncIterator]();
  }

  async next(): Promise<PhysicalLine | undefined> {
    if (this.pushedBack.length > 0) return this.pushedBack.pop();
    if (this.readyHead === this.ready.length) {
      this.ready = [];
      this.readyHead = 0;
      while (this.ready.length === 0 && !this.done) await this.fill();
    }
    return this.readyHead < this.ready.length ? this.ready[this.readyHead++] : undefined;
  }

  /** Lines handed back are returned again by next(), in their order. */
  pushBack(lines: PhysicalLine[]): void {
    for (let i = lines.length - 1; i >= 0; i--) this.pushedBack.push(lines[i]!);
  }

  /** Why the reader stopped before the end of the input, if it did. */
  failure(): { line: number; reason: string; text: string } | undefined {
    return this.failed;
  }

  private async fill(): Promise<void> {
    let chunk: IteratorResult<Buffer | string>;
    try {
      chunk = await this.source.next();
    } catch (err) {
      this.stop(`the file could not be read (${(err as Error).message})`);
      return;
    }
    if (chunk.done) {
      this.buffer += this.decoder.end();
      this.split(true);
      this.done = true;
      return;
    }
    this.buffer += typeof chunk.value === 'string' ? chunk.value : this.decoder.write(chunk.value);
    if (this.atStart && this.buffer.length > 0) {
      if (this.buffer.charCodeAt(0) === 0xfeff) this.buffer = this.buffer.slice(1); // BOM from Excel
      this.atStart = false;
    }
    this.split(false);
    if (this.buffer.length > MAX_LINE_CHARS) {
      this.stop(`line ${this.lineNo + 1} is longer than ${MAX_LINE_CHARS} characters (is this a text file?)`);
    }
  }

  private split(atEnd: boolean): void {
    const lineBreak = /\r\n|\r|\n/g;
    let start = 0;
    let match: RegExpExecArray | null;
    while ((match = lineBreak.exec(this.buffer)) !== null) {
      // A CR at the end of a chunk may be the first half of a CRLF: wait for the next chunk.
      if (match[0] === '\r' && match.index === this.buffer.length - 1 && !atEnd) break;
      this.ready.push({ no: ++this.lineNo, text: this.buffer.slice(start, match.index), eol: match[0] });
      start = match.index + match[0].length;
    }
    this.buffer = this.buffer.slice(start);
    if (atEnd && this.buffer.length > 0) {
      this.ready.push({ no: ++this.lineNo, text: this.buffer, eol: '' });
      this.buffer = '';
    }
  }

  private stop(reason: string): void {
    const line = this.lineNo + 1;
    this.failed = { line, reason: `${reason}: nothing was read from line ${line} on`, text: this.buffer };
    this.buffer = '';
    this.done = true;
  }
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

// ---------------------------------------------------------------------------------------------
// Header

interface Header {
  delimiter: ';' | ',';
  index: Record<Column, number>;
}

async function readHeader(lines: LineReader): Promise<Header> {
  let first = await lines.next();
  while (first !== undefined && isBlank(first.text)) first = await lines.next();
  const expected = ACCOUNTING_COLUMNS.join(', ');
  if (first === undefined) {
    const failure = lines.failure();
    throw new CsvShapeError(failure ? failure.reason : `the file is empty: expected a header line with the columns ${expected}`, ACCOUNTING_COLUMNS, []);
  }
  const delimiter = detectDelimiter(first.text);
  let found: string[];
  try {
    found = (parseCsv(first.text, csvOptions(delimiter)) as string[][])[0] ?? [];
  } catch {
    found = [first.text];
  }
  const names = found.map((name) => name.trim().toUpperCase());
  const index = {} as Record<Column, number>;
  const ok = names.length === ACCOUNTING_COLUMNS.length
    && ACCOUNTING_COLUMNS.every((column) => {
      index[column] = names.indexOf(column);
      return index[column] >= 0 && names.lastIndexOf(column) === index[column];
    });
  if (!ok) {
    const shown = found.slice(0, 10).map((name) => JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name));
    if (found.length > 10) shown.push(`… (${found.length} columns)`);
    throw new CsvShapeError(
      `not the accounting list shape: expected the columns ${expected} on line ${first.no}, found ${shown.join(', ') || 'nothing'}`,
      ACCOUNTING_COLUMNS,
      found,
    );
  }
  return { delimiter, index };
}

// Excel in a Russian locale saves CSV with ';', the PBX export uses ','; the header tells which.
function detectDelimiter(headerLine: string): ';' | ',' {
  let semicolons = 0;
  let commas = 0;
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ';') semicolons++;
    else if (!quoted && ch === ',') commas++;
  }
  return semicolons > commas ? ';' : ',';
}

function csvOptions(delimiter: string) {
  return { delimiter, quote: '"', escape: '"', relax_column_count: false, relax_quotes: false, skip_empty_lines: false, bom: false };
}

// ---------------------------------------------------------------------------------------------
// Records: one line, or several when a quoted field holds line breaks

interface RawRecord {
  line: number;
  text: string;
  unreadable?: string; // set when the record is not valid CSV
}

class RecordReader {
  constructor(
    private readonly lines: LineReader,
    private readonly delimiter: string,
    private readonly columns: number,
  ) {}

  async next(): Promise<RawRecord | undefined> {
    let first = await this.lines.next();
    while (first !== undefined && isBlank(first.text)) first = await this.lines.next();
    if (first === undefined) return undefined;
    let quotes = countQuotes(first.text);
    if (quotes % 2 === 0) return { line: first.no, text: first.text };

    // An odd number of quotes: either a quoted field goes on to the next lines, or a quote was
    // left open. Take the following lines only if together they make exactly one good row.
    const taken = [first];
    while (taken.length < MAX_LINES_PER_RECORD) {
      const next = await this.lines.next();
      if (next === undefined) break;
      taken.push(next);
      quotes += countQuotes(next.text);
      if (quotes % 2 === 0) {
        const text = joinLines(taken);
        if (this.isOneRecord(text)) return { line: first.no, text };
        break;
      }
    }
    this.lines.pushBack(taken.slice(1));
    return { line: first.no, text: first.text, unreadable: this.whyNotCsv(first.text) };
  }

  private whyNotCsv(text: string): string {
    try {
      parseCsv(text, csvOptions(this.delimiter));
    } catch (err) {
      return csvErrorReason(err);
    }
    return UNTERMINATED;
  }

  private isOneRecord(text: string): boolean {
    try {
      const records = parseCsv(text, csvOptions(this.delimiter)) as string[][];
      return records.length === 1 && records[0]!.length === this.columns;
    } catch {
      return false;
    }
  }
}

const UNTERMINATED = 'unterminated quote: a quote opened on this line is not closed';

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++;
  return n;
}

function joinLines(lines: PhysicalLine[]): string {
  return lines.map((l, i) => (i < lines.length - 1 ? l.text + l.eol : l.text)).join('');
}

/** Fields of each record, or the reason it is not valid CSV. */
function parseGroup(group: RawRecord[], delimiter: string): (string[] | string)[] {
  if (group.length === 0) return [];
  try {
    const records = parseCsv(group.map((r) => r.text).join('\n'), csvOptions(delimiter)) as string[][];
    if (records.length === group.length) return records;
  } catch {
    // some record in the group is broken: find which, one by one
  }
  return group.map((record) => {
    try {
      const records = parseCsv(record.text, csvOptions(delimiter)) as string[][];
      return records.length === 1 ? records[0]! : 'not a single CSV row';
    } catch (err) {
      return csvErrorReason(err);
    }
  });
}

function csvErrorReason(err: unknown): string {
  switch ((err as { code?: string }).code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text after a closing quote (a quote inside a quoted field must be doubled: "")';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside a field that is not quoted';
    case 'CSV_QUOTE_NOT_CLOSED':
      return UNTERMINATED;
    default:
      return `not valid CSV (${(err as Error).message})`;
  }
}

function columnCountReason(found: number, delimiter: string): string {
  const hint = found > ACCOUNTING_COLUMNS.length ? ` (a "${delimiter}" inside a field that is not quoted?)` : '';
  return `expected ${ACCOUNTING_COLUMNS.length} columns (${ACCOUNTING_COLUMNS.join(', ')}), found ${found}${hint}`;
}

// ---------------------------------------------------------------------------------------------
// Row rules

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Money as accounting writes it: optional minus, dot or comma, at most kopecks.
const AMOUNT = /^-?\d+(?:[.,]\d{1,2})?$/;

function readRow(record: RawRecord, index: Record<Column, number>, fields: string[], defaultCountry: CountryCode): AccountingRow {
  const nameField = fields[index.NAME]!;
  const phoneField = fields[index.PHONE_NUMBER]!;
  const varsField = fields[index.USER_VARS]!;

  // A list saved as Windows-1251 decodes to U+FFFD: say so instead of importing mojibake.
  for (const column of ACCOUNTING_COLUMNS) {
    const value = fields[index[column]]!;
    if (value.includes('\ufffd')) {
      return rejected(record, column, 'not valid UTF-8 text (is the file saved in Windows-1251? save it as UTF-8)', value);
    }
  }

  const name = nameField.replace(/\s+/g, ' ').trim();
  if (name === '') return rejected(record, 'NAME', 'empty', nameField);

  const phones = readPhones(phoneField, defaultCountry);
  if ('error' in phones) return rejected(record, 'PHONE_NUMBER', phones.error, phoneField);

  const variables = readVariables(varsField);
  if ('error' in variables) return rejected(record, 'USER_VARS', variables.error, variables.raw);

  return {
    line: record.line,
    rawLine: record.text,
    externalId: accountingExternalId(name, phones.phones.map((p) => p.e164)),
    name,
    phones: phones.phones,
    variables: variables.variables,
    warnings: phones.warnings,
  };
}

function rejected(record: RawRecord, field: Column, reason: string, raw: string): AccountingRowError {
  return { line: record.line, rawLine: record.text, error: { field, reason, raw } };
}

function readPhones(field: string, defaultCountry: CountryCode):
  { phones: AccountingPhone[]; warnings: RowIssue[] } | { error: string } {
  const parts = field.split(';').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) return { error: 'empty' };

  const phones: AccountingPhone[] = [];
  const warnings: RowIssue[] = [];
  const unusable: { raw: string; reason: string }[] = [];
  for (let i = 0; i < parts.length; i++) {
    const raw = parts[i]!;
    const label = `number ${i + 1} (${raw})`;
    const result = normalizePhone(raw, defaultCountry);
    if (!result.ok) {
      unusable.push({ raw, reason: result.reason });
      warnings.push({ field: 'PHONE_NUMBER', reason: `${label} dropped: ${result.reason}`, raw });
      continue;
    }
    const same = phones.find((p) => p.e164 === result.e164);
    if (same) {
      warnings.push({ field: 'PHONE_NUMBER', reason: `${label} dropped: the same number as ${same.raw}`, raw });
      continue;
    }
    phones.push(result.note ? { raw, e164: result.e164, note: result.note } : { raw, e164: result.e164 });
    if (result.note) warnings.push({ field: 'PHONE_NUMBER', reason: `${label}: ${result.note}`, raw });
  }

  if (phones.length === 0) {
    const only = unusable.length === 1 ? unusable[0] : undefined;
    return { error: only ? only.reason : `no usable number: ${unusable.map((r) => `${r.raw}: ${r.reason}`).join('; ')}` };
  }
  return { phones, warnings };
}

function readVariables(field: string): { variables: Record<string, string> } | { error: string; raw: string } {
  // A Map, not an object literal: a variable may well be called "__proto__" or "constructor".
  const variables = new Map<string, string>();
  for (const part of field.split(';')) {
    const pair = part.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) return { error: `"${pair}": not a KEY=VALUE pair`, raw: pair };
    const key = pair.slice(0, eq).trim();
    // The value is kept as written (only the spaces around the pair are dropped): an amount
    // is read aloud from this text, so "-68.27" must not become -68.27000001 or "-68,27".
    const value = pair.slice(eq + 1).trim();
    if (!VARIABLE_NAME.test(key)) {
      return { error: `"${pair}": "${key}" is not a valid variable name (Latin letters, digits and _, not starting with a digit)`, raw: pair };
    }
    if (variables.has(key)) return { error: `"${pair}": ${key} is given twice`, raw: pair };
    if (key === 'BALANCE' && !AMOUNT.test(value)) {
      return { error: `"${pair}": BALANCE is not an amount (expected a decimal number such as -68.27)`, raw: pair };
    }
    variables.set(key, value);
  }
  return { variables: Object.fromEntries(variables) };
}
