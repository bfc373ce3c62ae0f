import { createHash } from 'node:crypto';
import { AMOUNT, PHONE_KINDS, VARIABLE_NAME, type PhoneKind } from '../domain/contactInput';
import { amountInKopecks } from '../domain/messageTemplate';
import { MAX_NUMBER_RU } from '../domain/moneyRu';
import { normalizePhone, type CountryCode } from '../domain/phoneNumbers';
import {
  CsvReadError, ENCODING_SAMPLE_BYTES, isRefusal, readCsvRows, type CsvDelimiter, type CsvEncoding, type CsvRecord, type CsvRow,
} from './csvRows';

// The "accounting" list shape of a hosted PBX autoinformer:
//   "NAME","PHONE_NUMBER","USER_VARS"
//   "Igor Lipko","17605632123;79508881234","BALANCE=-68.27"
// PHONE_NUMBER: one or more numbers separated by ';', in dialling order, each optionally followed
// by its kind after a colon ("79508881234:mobile"; see readPhoneKind).
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
  raw: string; // the number as written, without its kind
  e164: string;
  note?: string;
  /** As the file says, else 'mobile' when the number's range is only mobile; null when unknown. */
  kind: PhoneKind | null;
}

/** A usable row: at least one number; `warnings` say what was dropped or reinterpreted. */
export interface AccountingContact {
  line: number; // physical line in the file where the row starts; the header is line 1
  rawLine: string; // the row's text as it stands in the file
  externalId: string;
  /** Who the contact is, for the caps: its normalised name and first number (accountingPersonId). */
  personId: string;
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
 * A name as it identifies a person: case, spacing and ё/е do not make another person
 * ("ИВАНОВ  Иван" is "Иванов Иван").
 */
export function normalisedName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();
}

/**
 * The person behind a list row, whose calls the person caps count across contacts and campaigns:
 * the list has no person id, so a person is a normalised name at a number (the first, dialled
 * first). Two rows differing only in the name's case or spacing are one person; one number under
 * two different names is two people (a family's home phone).
 */
export function accountingPersonId(name: string, firstE164: string): string {
  const digest = createHash('sha256').update(`${normalisedName(name)}|${firstE164}`, 'utf8').digest('hex');
  return `person-${digest.slice(0, 16)}`;
}

/**
 * Reads an accounting-shape list, one result per data row, in file order. Throws CsvShapeError
 * before the first row when the header is not the accounting shape. A row that is not valid
 * CSV is reported and reading goes on with the next line; when the input itself fails, the last
 * row says from which line on nothing was read.
 */
export async function* parseAccountingCsv(
  input: AsyncIterable<Buffer | string>,
  options: ParseOptions = {},
): AsyncGenerator<AccountingRow> {
  let delimiter: CsvDelimiter = ',';
  const sampled = await sampleEncoding(input);
  // A line too long to be a row is refused alone: the rows after it are still read.
  const rows = readCsvRows(sampled.input, {
    encoding: sampled.encoding, longLines: 'refuse', onFormat: (f) => { delimiter = f.delimiter; },
  });
  yield* parseAccountingRows(rows, {
    ...options,
    extraColumnsHint: () => ` (a "${delimiter}" inside a field that is not quoted?)`,
  });
}

/**
 * UTF-8 or Windows-1251 (Excel in a Russian locale saves CSV in it), told from the start of the
 * file (ENCODING_SAMPLE_BYTES) by which it mostly is: Cyrillic in Windows-1251 is almost never
 * valid UTF-8, and a UTF-8 list with a damaged character still has far more good sequences than
 * bad bytes. So one broken character does not turn a UTF-8 file into mojibake: the row that
 * holds it decodes to U+FFFD and is refused by name (see readRow).
 */
export function guessListEncoding(sample: Uint8Array): CsvEncoding {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < sample.length;) {
    const b = sample[i]!;
    if (b < 0x80) { i++; continue; }
    const length = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length > 0 && i + length > sample.length) break; // cut by the end of the sample
    let ok = length > 0;
    for (let k = 1; ok && k < length; k++) ok = (sample[i + k]! & 0xc0) === 0x80;
    if (ok) { valid++; i += length; } else { invalid++; i++; }
  }
  return invalid > 0 && invalid * 4 > valid ? 'windows-1251' : 'utf-8';
}

/** Reads the sample the guess needs and gives the input back whole. Text (strings) is UTF-8. */
async function sampleEncoding(input: AsyncIterable<Buffer | string>): Promise<{ encoding: CsvEncoding; input: AsyncIterable<Buffer | string> }> {
  const source = input[Symbol.asyncIterator]();
  const head: (Buffer | string)[] = [];
  let bytes = 0;
  let failure: { error: unknown } | undefined;
  let done = false;
  try {
    while (bytes < ENCODING_SAMPLE_BYTES) {
      const next = await source.next();
      if (next.done) { done = true; break; }
      head.push(next.value);
      if (typeof next.value === 'string') break;
      bytes += next.value.length;
    }
  } catch (error) {
    failure = { error }; // the reader reports it after the rows before
  }
  const binary = head.filter((c): c is Buffer => typeof c !== 'string');
  const encoding = head.some((c) => typeof c === 'string') ? 'utf-8' : guessListEncoding(Buffer.concat(binary));
  async function* whole(): AsyncGenerator<Buffer | string> {
    try {
      yield* head;
      if (failure) throw failure.error;
      if (done) return;
      for (;;) {
        const next = await source.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await source.return?.();
    }
  }
  return { encoding, input: whole() };
}

/**
 * The accounting shape over rows from any reader that gives CsvRow (the CSV reader, the XLSX
 * reader): one header check and one set of row rules, whatever the file was.
 */
export async function* parseAccountingRows(
  rows: AsyncIterable<CsvRow>,
  options: ParseOptions & { extraColumnsHint?: () => string } = {},
): AsyncGenerator<AccountingRow> {
  const defaultCountry = options.defaultCountry ?? 'RU';
  let index: Record<Column, number> | undefined;
  try {
    for await (const row of rows) {
      if (index === undefined) {
        index = readHeader(row);
      } else if (isRefusal(row)) {
        yield unreadable(row.line, row.raw, row.reason);
      } else if (row.fields.length !== ACCOUNTING_COLUMNS.length) {
        const hint = row.fields.length > ACCOUNTING_COLUMNS.length ? options.extraColumnsHint?.() ?? '' : '';
        yield unreadable(row.line, row.raw, columnCountReason(row.fields.length, hint));
      } else {
        yield readRow(row, index, defaultCountry);
      }
    }
  } catch (err) {
    if (!(err instanceof CsvReadError)) throw err;
    if (index === undefined) throw new CsvShapeError(err.message, ACCOUNTING_COLUMNS, []);
    yield unreadable(err.line, err.raw, err.message);
    return;
  }
  if (index === undefined) {
    throw new CsvShapeError(`the file is empty: expected a header line with the columns ${ACCOUNTING_COLUMNS.join(', ')}`, ACCOUNTING_COLUMNS, []);
  }
}

function unreadable(line: number, rawLine: string, reason: string): AccountingRowError {
  return { line, rawLine, error: { field: null, reason, raw: rawLine } };
}

// ---------------------------------------------------------------------------------------------
// Header

function readHeader(row: CsvRow): Record<Column, number> {
  const found = isRefusal(row) ? [row.raw] : row.fields;
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
      `not the accounting list shape: expected the columns ${ACCOUNTING_COLUMNS.join(', ')} on line ${row.line}, found ${shown.join(', ') || 'nothing'}`,
      ACCOUNTING_COLUMNS,
      found,
    );
  }
  return index;
}

function columnCountReason(found: number, hint: string): string {
  return `expected ${ACCOUNTING_COLUMNS.length} columns (${ACCOUNTING_COLUMNS.join(', ')}), found ${found}${hint}`;
}

// ---------------------------------------------------------------------------------------------
// Row rules

// Variable names and BALANCE's amounts follow the same rules as the ERP's contacts (the API).

function readRow(record: CsvRecord, index: Record<Column, number>, defaultCountry: CountryCode): AccountingRow {
  const fields = record.fields;
  const nameField = fields[index.NAME]!;
  const phoneField = fields[index.PHONE_NUMBER]!;
  const varsField = fields[index.USER_VARS]!;

  // A character damaged in a UTF-8 list decodes to U+FFFD: say so instead of importing mojibake.
  // A NUL is no character of any text (Postgres stores none): a damaged or binary line.
  for (const column of ACCOUNTING_COLUMNS) {
    const value = fields[index[column]]!;
    if (value.includes('\ufffd')) {
      return rejected(record, column, 'not valid UTF-8 text (a damaged character, or a line saved in another encoding than the rest of the file)', value);
    }
    if (value.includes('\u0000')) return rejected(record, column, 'contains a NUL character (a damaged line, or binary data)', value);
  }

  const name = nameField.replace(/\s+/g, ' ').trim();
  if (name === '') return rejected(record, 'NAME', 'empty', nameField);

  const phones = readPhones(phoneField, defaultCountry);
  if ('error' in phones) return rejected(record, 'PHONE_NUMBER', phones.error, phoneField);

  const variables = readVariables(varsField);
  if ('error' in variables) return rejected(record, 'USER_VARS', variables.error, variables.raw);

  return {
    line: record.line,
    rawLine: record.raw,
    externalId: accountingExternalId(name, phones.phones.map((p) => p.e164)),
    personId: accountingPersonId(name, phones.phones[0]!.e164),
    name,
    phones: phones.phones,
    variables: variables.variables,
    warnings: phones.warnings,
  };
}

function rejected(record: CsvRecord, field: Column, reason: string, raw: string): AccountingRowError {
  return { line: record.line, rawLine: record.raw, error: { field, reason, raw } };
}

function readPhones(field: string, defaultCountry: CountryCode):
  { phones: AccountingPhone[]; warnings: RowIssue[] } | { error: string } {
  const parts = field.split(';').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) return { error: 'empty' };

  const phones: AccountingPhone[] = [];
  const warnings: RowIssue[] = [];
  const unusable: { raw: string; reason: string }[] = [];
  for (let i = 0; i < parts.length; i++) {
    const written = readPhoneKind(parts[i]!);
    if ('error' in written) return { error: `number ${i + 1} (${parts[i]}): ${written.error}` };
    const raw = written.number;
    const label = `number ${i + 1} (${raw})`;
    const result = normalizePhone(raw, defaultCountry, { type: written.kind === null });
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
    // Only a range that is nothing but mobile says the kind. A fixed line may be a home or a work
    // phone, and FIXED_LINE_OR_MOBILE (the US, Canada, ...) or an unknown range may be either: a
    // wrong guess would give the number another kind's interval, so it stays unknown (null).
    const kind = written.kind ?? (result.type === 'MOBILE' ? 'mobile' : null);
    phones.push(result.note ? { raw, e164: result.e164, note: result.note, kind } : { raw, e164: result.e164, kind });
    if (result.note) warnings.push({ field: 'PHONE_NUMBER', reason: `${label}: ${result.note}`, raw });
  }

  if (phones.length === 0) {
    const only = unusable.length === 1 ? unusable[0] : undefined;
    return { error: only ? only.reason : `no usable number: ${unusable.map((r) => `${r.raw}: ${r.reason}`).join('; ')}` };
  }
  return { phones, warnings };
}

const KIND_NAMES = new Set<string>(PHONE_KINDS);

/**
 * A number and the kind the file gives it: "79508881234:mobile" (a colon, then mobile, home, work
 * or other, in any case). No colon: the kind is not said (null). A number never holds a colon, so
 * anything after one is meant as a kind, and a kind that is not one of these refuses the row
 * rather than calling the number at another kind's interval.
 */
export function readPhoneKind(part: string): { number: string; kind: PhoneKind | null } | { error: string } {
  const colon = part.lastIndexOf(':');
  if (colon < 0) return { number: part, kind: null };
  const number = part.slice(0, colon).trim();
  const kind = part.slice(colon + 1).trim().toLowerCase();
  if (!KIND_NAMES.has(kind)) {
    const said = kind === '' ? 'no kind after the colon' : `"${part.slice(colon + 1).trim()}" is not a kind of number`;
    return { error: `${said}: write ${PHONE_KINDS.slice(0, -1).join(', ')} or ${PHONE_KINDS.at(-1)} after the number and a colon (79508881234:mobile)` };
  }
  return { number, kind: kind as PhoneKind };
}

/** Whether a message can say the amount (the renderer's own bound). */
function amountFits(value: string): boolean {
  try {
    amountInKopecks(value);
    return true;
  } catch {
    return false;
  }
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
    // Templates read BALANCE: "balance" would be a variable of its own, and BALANCE missing.
    if (key !== 'BALANCE' && key.toUpperCase() === 'BALANCE') {
      return { error: `"${pair}": write BALANCE in capitals (variable names are case-sensitive, and templates read BALANCE)`, raw: pair };
    }
    if (key === 'BALANCE') {
      if (!AMOUNT.test(value)) return { error: `"${pair}": BALANCE is not an amount (expected a decimal number such as -68.27)`, raw: pair };
      if (!amountFits(value)) return { error: `"${pair}": BALANCE is out of range (at most ${MAX_NUMBER_RU} roubles either way)`, raw: pair };
    }
    variables.set(key, value);
  }
  return { variables: Object.fromEntries(variables) };
}
