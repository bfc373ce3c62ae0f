import { parse as parseCsv, type Options as CsvParseOptions } from 'csv-parse/sync';
import { getDecoder } from 'iconv-lite';

// The one CSV reader of every import (contact lists, the numbering plan registry, calendars).
// It streams: memory holds a group of records, never the file.
//
// Physical lines are split here and csv-parse only says what the fields of a record are. Its
// streaming parser cannot serve: csv-parse 6 counts a CRLF inside a quoted field as two lines,
// drops the LF of CRLF from `raw`, and after a stray quote swallows the rest of the file as one
// field (its stream does not resume after an error). Splitting lines first keeps every line
// number right and lets a broken line be refused alone while the rest of the file is read.

export type CsvEncoding = 'utf-8' | 'windows-1251';
export type CsvDelimiter = ';' | ',';

export interface CsvFormat {
  encoding: CsvEncoding;
  delimiter: CsvDelimiter;
}

export interface CsvReadOptions {
  /** Default: taken from the first non-blank line, `;` when it has more `;` than `,` outside quotes. */
  delimiter?: CsvDelimiter;
  /**
   * Default 'auto': UTF-8 (a BOM is dropped), unless the first ENCODING_SAMPLE_BYTES are not valid
   * UTF-8: then Windows-1251. A forced 'utf-8' turns bytes that are not UTF-8 into U+FFFD.
   */
  encoding?: CsvEncoding | 'auto';
  /**
   * 'strict' (default): a quote opens a field only at its start, and a stray quote refuses the row.
   * 'relaxed': a quote that does not open a field is text (`ООО "Т2 Мобайл"`, `"Оператор" ООО`).
   */
  quotes?: 'strict' | 'relaxed';
  /** Drop the spaces around fields (never inside quotes). */
  trim?: boolean;
  /** A quoted field may hold line breaks (default true); false: every line is a record. */
  multiline?: boolean;
  /**
   * A line longer than MAX_LINE_CHARS: 'stop' (default) ends reading with CsvReadError (a file
   * that is not text); 'refuse' refuses that line alone and reads on from the next line break.
   */
  longLines?: 'stop' | 'refuse';
  /** Told the encoding and the delimiter once, before the first row. */
  onFormat?: (format: CsvFormat) => void;
}

/** A record: its fields as csv-parse read them, from the physical line `line` (the first is 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
  raw: string; // the record's text as it stands in the file (several lines when a field spans them)
}

/** A line that is not valid CSV: reported alone, and reading goes on with the next line. */
export interface CsvRefusal {
  line: number;
  reason: string;
  raw: string;
}

export type CsvRow = CsvRecord | CsvRefusal;

export function isRefusal(row: CsvRow): row is CsvRefusal {
  return 'reason' in row;
}

/**
 * Reading stopped before the end of the input: the input failed, or a line is too long to be
 * text. Thrown after every row before `line` was yielded.
 */
export class CsvReadError extends Error {
  constructor(
    readonly kind: 'unreadable' | 'line-too-long',
    readonly line: number,
    readonly reason: string,
    readonly raw: string,
    options?: { cause?: unknown },
  ) {
    super(`${reason}: nothing was read from line ${line} on`, options);
    this.name = 'CsvReadError';
  }
}

// Long enough to hold Cyrillic text of many rows, so the guess is not made on the header alone.
export const ENCODING_SAMPLE_BYTES = 64 * 1024;
// Longer than any sane row: a binary file or a file without line breaks.
export const MAX_LINE_CHARS = 1_000_000;
// What a refused long line keeps of its text, for the report.
export const LONG_LINE_KEPT_CHARS = 200;
// A quoted field may hold line breaks; a "record" longer than this is a quote left open.
export const MAX_LINES_PER_RECORD = 20;
// Records are parsed by csv-parse in groups: one call per record costs more than the parsing.
const GROUP_SIZE = 200;

const UNTERMINATED = 'unterminated quote: a quote opened on this line is not closed';

/**
 * Reads CSV rows in file order, blank lines skipped: a record, or a refused line. A record whose
 * quoted field spans lines must have as many fields as the first record (the header), else its
 * first line is refused as an unterminated quote and the next lines are read again as records.
 * Throws CsvReadError when reading stops early, after the rows before.
 */
export async function* readCsvRows(
  input: AsyncIterable<Buffer | Uint8Array | string>,
  options: CsvReadOptions = {},
): AsyncGenerator<CsvRow> {
  let encoding: CsvEncoding = 'utf-8';
  const lines = new LineReader(decode(input, options.encoding ?? 'auto', (found) => { encoding = found; }), options.longLines ?? 'stop');
  try {
    const first = await nextNonBlank(lines);
    if (first !== undefined) {
      const delimiter = options.delimiter ?? detectDelimiter(first.text);
      options.onFormat?.({ encoding, delimiter });
      const records = new RecordReader(lines, parserOptions(delimiter, options), options.multiline ?? true);
      const header = await records.assemble(first);
      const [headerRow] = parsePending([header], records.csv);
      if (!isRefusal(headerRow!)) records.expectedFields = headerRow.fields.length;
      yield headerRow!;

      let group: Pending[] = [];
      for (;;) {
        const record = await records.next();
        if (record !== undefined) group.push(record);
        if (group.length >= GROUP_SIZE || (record === undefined && group.length > 0)) {
          yield* parsePending(group, records.csv);
          group = [];
        }
        if (record === undefined) break;
      }
    }
    const failure = lines.failure();
    if (failure) throw failure;
  } finally {
    await lines.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes to text

function decode(
  input: AsyncIterable<Buffer | Uint8Array | string>,
  wanted: CsvEncoding | 'auto',
  found: (encoding: CsvEncoding) => void,
): AsyncGenerator<string> {
  return (async function* () {
    const source = input[Symbol.asyncIterator]();
    try {
      const sample: Buffer[] = [];
      let sampled = 0;
      let done = false;
      let failed: { error: unknown } | undefined;
      let text: string | undefined;
      // Only 'auto' needs a sample; a forced encoding decodes from the first chunk.
      try {
        while (!done && (wanted !== 'auto' ? sample.length === 0 : sampled < ENCODING_SAMPLE_BYTES)) {
          const next = await source.next();
          if (next.done) {
            done = true;
          } else if (typeof next.value === 'string') {
            text = next.value;
            break;
          } else {
            sample.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
            sampled += next.value.length;
          }
        }
      } catch (error) {
        failed = { error }; // the lines read before the failure are still rows
      }
      if (text !== undefined) {
        // Already text: nothing to detect. Strings and bytes are not mixed in one input.
        found('utf-8');
        yield* passText(text, source);
        return;
      }
      const encoding = wanted !== 'auto' ? wanted : isUtf8(sample) ? 'utf-8' : 'windows-1251';
      found(encoding);
      const decoder = getDecoder(encoding); // drops a UTF-8 BOM
      for (const chunk of sample) yield decoder.write(chunk);
      if (failed) throw failed.error;
      while (!done) {
        const next = await source.next();
        if (next.done) break;
        const chunk = next.value;
        yield typeof chunk === 'string' ? chunk : decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      }
      yield decoder.end() ?? '';
    } finally {
      // Stops a stream that is still being read (the reader was abandoned); harmless at its end.
      await source.return?.()?.catch(() => undefined);
    }
  })();
}

async function* passText(first: string, rest: AsyncIterator<Buffer | Uint8Array | string>): AsyncGenerator<string> {
  yield first.charCodeAt(0) === 0xfeff ? first.slice(1) : first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield typeof next.value === 'string' ? next.value : Buffer.from(next.value).toString('utf8');
  }
}

/**
 * Cyrillic in Windows-1251 is never valid UTF-8: its letters are bytes 0xC0-0xFF, which UTF-8
 * allows only as a lead byte followed by a continuation byte 0x80-0xBF.
 */
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

// ---------------------------------------------------------------------------------------------
// Physical lines

interface PhysicalLine {
  no: number;
  text: string;
  eol: string; // '\r\n', '\n', '\r' or '' at the end of the file
  refused?: string; // a line too long to read: `text` is its start
}

class LineReader {
  private buffer = '';
  private ready: PhysicalLine[] = [];
  private readyHead = 0; // index of the next line in `ready` (shift() is O(n) on long arrays)
  private pushedBack: PhysicalLine[] = [];
  private lineNo = 0;
  private done = false;
  private failed: CsvReadError | undefined;
  // Inside a refused long line: its text is dropped up to its line break.
  private skipping = false;

  constructor(private readonly source: AsyncGenerator<string>, private readonly longLines: 'stop' | 'refuse' = 'stop') {}

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
  failure(): CsvReadError | undefined {
    return this.failed;
  }

  async close(): Promise<void> {
    await this.source.return(undefined);
  }

  private async fill(): Promise<void> {
    let chunk: IteratorResult<string>;
    try {
      chunk = await this.source.next();
    } catch (err) {
      this.stop('unreadable', `the file could not be read (${(err as Error).message})`, err);
      return;
    }
    if (chunk.done) {
      this.split(true);
      this.done = true;
      return;
    }
    this.buffer += chunk.value;
    this.split(false);
    if (this.buffer.length > MAX_LINE_CHARS) {
      if (this.longLines === 'stop') {
        this.stop('line-too-long', `line ${this.lineNo + 1} is longer than ${MAX_LINE_CHARS} characters (is this a text file?)`);
        return;
      }
      // Memory holds at most MAX_LINE_CHARS of one line: the rest of it is read and dropped.
      const no = ++this.lineNo;
      this.ready.push({ no, text: `${this.buffer.slice(0, LONG_LINE_KEPT_CHARS)}…`, eol: '', refused: longLineReason(no) });
      this.buffer = '';
      this.skipping = true;
      this.split(false);
    }
  }

  /** Drops the rest of a refused long line; false while its line break has not come yet. */
  private skipRestOfLine(atEnd: boolean): boolean {
    const m = /\r\n|\r|\n/.exec(this.buffer);
    // A CR at the end of a chunk may be the first half of a CRLF: kept for the next chunk, as split does.
    if (m !== null && (m[0] !== '\r' || m.index < this.buffer.length - 1 || atEnd)) {
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.skipping = false;
      return true;
    }
    this.buffer = m === null ? '' : '\r';
    if (atEnd) this.skipping = false;
    return atEnd;
  }

  private split(atEnd: boolean): void {
    if (this.skipping && !this.skipRestOfLine(atEnd)) return;
    const lineBreak = /\r\n|\r|\n/g;
    let start = 0;
    let match: RegExpExecArray | null;
    while ((match = lineBreak.exec(this.buffer)) !== null) {
      // A CR at the end of a chunk may be the first half of a CRLF: wait for the next chunk.
      if (match[0] === '\r' && match.index === this.buffer.length - 1 && !atEnd) break;
      this.push(this.buffer.slice(start, match.index), match[0]);
      start = match.index + match[0].length;
    }
    this.buffer = this.buffer.slice(start);
    if (atEnd && this.buffer.length > 0) {
      this.push(this.buffer, '');
      this.buffer = '';
    }
  }

  private push(text: string, eol: string): void {
    const no = ++this.lineNo;
    if (this.longLines === 'refuse' && text.length > MAX_LINE_CHARS) {
      this.ready.push({ no, text: `${text.slice(0, LONG_LINE_KEPT_CHARS)}…`, eol, refused: longLineReason(no) });
    } else {
      this.ready.push({ no, text, eol });
    }
  }

  private stop(kind: CsvReadError['kind'], reason: string, cause?: unknown): void {
    this.failed = new CsvReadError(kind, this.lineNo + 1, reason, this.buffer, { cause });
    this.buffer = '';
    this.done = true;
  }
}

function longLineReason(line: number): string {
  return `line ${line} is longer than ${MAX_LINE_CHARS} characters: refused, and read on from the next line (is this a text file?)`;
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

async function nextNonBlank(lines: LineReader): Promise<PhysicalLine | undefined> {
  let line = await lines.next();
  while (line !== undefined && isBlank(line.text)) line = await lines.next();
  return line;
}

// Excel in a Russian locale saves CSV with ';', most other tools with ','; the header tells which.
function detectDelimiter(headerLine: string): CsvDelimiter {
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

// ---------------------------------------------------------------------------------------------
// Records: one line, or several when a quoted field holds line breaks

type ParserOptions = CsvParseOptions;

function parserOptions(delimiter: CsvDelimiter, options: CsvReadOptions): ParserOptions {
  return {
    delimiter,
    quote: '"',
    escape: '"',
    // Records reach csv-parse joined by '\n'; a CR or CRLF inside a quoted field is the field's.
    record_delimiter: '\n',
    relax_column_count: true, // how many fields a row must have is the importer's rule
    relax_quotes: options.quotes === 'relaxed',
    trim: options.trim ?? false,
    skip_empty_lines: false,
    bom: false,
  };
}

/** A record found but not yet parsed; `fields` when reading it already parsed it. */
interface Pending {
  line: number;
  raw: string;
  fields?: string[];
  refused?: string;
}

class RecordReader {
  expectedFields: number | undefined;

  constructor(
    private readonly lines: LineReader,
    readonly csv: ParserOptions,
    private readonly multiline: boolean,
  ) {}

  private splitsPlainly(text: string): boolean {
    if (this.csv.trim) return false; // csv-parse's idea of a space is not String.trim's
    if (!text.includes('"')) return true;
    // Relaxed, a quote that does not open a field is text; strict, it is an error csv-parse names.
    return this.csv.relax_quotes === true && text[0] !== '"' && !text.includes(`${this.csv.delimiter as string}"`);
  }

  private splitsQuoted(text: string): string[] | undefined {
    if (this.csv.trim || text.length < 2 || text.charCodeAt(0) !== 34 || text.charCodeAt(text.length - 1) !== 34) return undefined;
    const fields = text.slice(1, -1).split(`"${this.csv.delimiter as string}"`);
    for (const field of fields) if (field.includes('"')) return undefined;
    return fields;
  }

  async next(): Promise<Pending | undefined> {
    const first = await nextNonBlank(this.lines);
    return first === undefined ? undefined : this.assemble(first);
  }

  /** The record that starts on `first`. */
  async assemble(first: PhysicalLine): Promise<Pending> {
    if (first.refused !== undefined) return { line: first.no, raw: first.text, refused: first.refused };
    // A line where no quote opens a field is its text split at the delimiter, as csv-parse would
    // read it, several times faster (most registry rows: their quotes are inside operator names).
    if (this.splitsPlainly(first.text)) return { line: first.no, raw: first.text, fields: first.text.split(this.csv.delimiter as string) };
    // Every field quoted and no quote inside one ("a","b","c"), as most exports write every line.
    const quoted = this.splitsQuoted(first.text);
    if (quoted !== undefined) return { line: first.no, raw: first.text, fields: quoted };
    // An even number of quotes cannot leave a quoted field open (csv-parse says what else is wrong).
    if (countQuotes(first.text) % 2 === 0) return { line: first.no, raw: first.text };
    const alone = tryParse(first.text, this.csv);
    if (!('code' in alone)) return { line: first.no, raw: first.text, fields: alone[0] ?? [] };
    if (alone.code !== 'CSV_QUOTE_NOT_CLOSED' || !this.multiline) return { line: first.no, raw: first.text, refused: alone.reason };

    // Either a quoted field goes on to the next lines, or a quote was left open. Take the
    // following lines only if together they make exactly one good record.
    const taken = [first];
    while (taken.length < MAX_LINES_PER_RECORD) {
      const next = await this.lines.next();
      if (next === undefined) break;
      if (next.refused !== undefined) {
        this.lines.pushBack([next]);
        break;
      }
      taken.push(next);
      const text = joinLines(taken);
      const parsed = tryParse(text, this.csv);
      if ('code' in parsed) {
        if (parsed.code === 'CSV_QUOTE_NOT_CLOSED') continue;
        break;
      }
      if (parsed.length === 1 && (this.expectedFields === undefined || parsed[0]!.length === this.expectedFields)) {
        return { line: first.no, raw: text, fields: parsed[0]! };
      }
      break;
    }
    this.lines.pushBack(taken.slice(1));
    return { line: first.no, raw: first.text, refused: UNTERMINATED };
  }
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++;
  return n;
}

function joinLines(lines: PhysicalLine[]): string {
  return lines.map((l, i) => (i < lines.length - 1 ? l.text + l.eol : l.text)).join('');
}

function tryParse(text: string, csv: ParserOptions): string[][] | { code: string | undefined; reason: string } {
  try {
    return parseCsv(text, csv) as string[][];
  } catch (err) {
    return { code: (err as { code?: string }).code, reason: csvErrorReason(err) };
  }
}

/** The rows of a group, in order: csv-parse reads the group at once, or one by one when some record is broken. */
function parsePending(group: Pending[], csv: ParserOptions): CsvRow[] {
  const unparsed = group.filter((p) => p.fields === undefined && p.refused === undefined);
  let fields: (string[] | { reason: string })[] | undefined;
  if (unparsed.length > 0) {
    const together = tryParse(unparsed.map((p) => p.raw).join('\n'), csv);
    if (!('code' in together) && together.length === unparsed.length) fields = together;
  }
  let i = 0;
  return group.map((p): CsvRow => {
    if (p.refused !== undefined) return { line: p.line, reason: p.refused, raw: p.raw };
    if (p.fields !== undefined) return { line: p.line, fields: p.fields, raw: p.raw };
    let result = fields?.[i++];
    if (result === undefined) {
      const alone = tryParse(p.raw, csv);
      result = 'code' in alone ? alone : alone.length === 1 ? alone[0]! : { reason: 'not a single CSV row' };
    }
    return Array.isArray(result) ? { line: p.line, fields: result, raw: p.raw } : { line: p.line, reason: result.reason, raw: p.raw };
  });
}

function csvErrorReason(err: unknown): string {
  switch ((err as { code?: string }).code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'text after a closing quote (a quote inside a quoted field must be doubled: "")';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside a field that is not quoted';
    case 'CSV_QUOTE_NOT_CLOSED':
      return UNTERMINATED;
    default:
      return `not valid CSV (${(err as Error).message})`;
  }
}
