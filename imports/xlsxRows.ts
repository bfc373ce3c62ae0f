import ExcelJS from 'exceljs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CsvReadError, type CsvRow } from './csvRows';

// An XLSX workbook's first worksheet as the rows the CSV reader gives (imports/csvRows.ts), so an
// importer reads both the same way and refuses a row the same way: a record is the row's cells
// as text, `line` is the sheet's row number (the header is usually row 1), `raw` the cells
// written as one CSV line. It streams (exceljs's reader over the ZIP): memory holds a row, and a
// worksheet stored before its shared strings waits in a temporary file, never in memory.

/**
 * Reads the first worksheet's rows in order; rows with no text are skipped, as blank lines are,
 * and each row has the header's columns (see cellsOf). Throws CsvReadError when the file is not
 * a workbook or breaks off (after the rows before).
 */
export async function* readXlsxRows(input: Readable): AsyncGenerator<CsvRow> {
  const workbook = new Utf8WorkbookReader(input, {
    worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', entries: 'ignore',
  });
  let lastRow = 0;
  let sheets = 0;
  let width: number | undefined; // the header's: the columns every row has

  try {
    for await (const sheet of workbook) {
      sheets++;
      for await (const row of sheet) {
        lastRow = row.number;
        const fields = cellsOf(row.values, width ?? 0);
        if (fields.every((f) => f.trim() === '')) continue;
        width ??= fields.length;
        yield { line: row.number, fields, raw: fields.map(csvField).join(',') };
      }
      break; // the first worksheet only
    }
  } catch (err) {
    if (err instanceof CsvReadError) throw err;
    const reason = sheets === 0 ? `not a readable XLSX workbook (${(err as Error).message})` : `the workbook could not be read (${(err as Error).message})`;
    throw new CsvReadError('unreadable', lastRow + 1, reason, '', { cause: err });
  } finally {
    // Stops the ZIP reading when the first sheet is done (or reading failed).
    if (!input.readableEnded) input.destroy();
  }
  if (sheets === 0) throw new CsvReadError('unreadable', 1, 'not an XLSX workbook: it has no worksheet', '');
}

// exceljs 4.4's streaming reader decodes each inflated chunk of XML on its own, so a character
// whose bytes straddle two chunks becomes two U+FFFD (exceljs#2084, #2063; the fixes are not
// released): about one Cyrillic name in a few hundred. The sheets and the shared strings reach
// its parser here as text decoded across chunks instead (its decoder passes strings through).
interface WorkbookReaderInternals {
  _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Generator<unknown>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
}
const WorkbookReader = ExcelJS.stream.xlsx.WorkbookReader as unknown as
  new (input: Readable, options: Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>) => ExcelJS.stream.xlsx.WorkbookReader & WorkbookReaderInternals;

class Utf8WorkbookReader extends WorkbookReader {
  override *_parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Generator<unknown> {
    yield* super._parseWorksheet(utf8Text(iterator), sheetNo);
  }

  override async *_parseSharedStrings(entry: Readable): AsyncGenerator<unknown> {
    entry.setEncoding('utf8');
    yield* super._parseSharedStrings(entry);
  }
}

async function* utf8Text(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text !== '') yield text;
  }
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

/**
 * exceljs's row values are 1-based and sparse. A sheet does not store empty cells, so a row has
 * the header's columns (an empty last cell is an empty field, as `"a","b",""` in a CSV), and
 * empty cells past them are not columns; text past them is (the row is refused for it).
 */
function cellsOf(values: ExcelJS.CellValue[] | { [key: string]: ExcelJS.CellValue }, width: number): string[] {
  const list = Array.isArray(values) ? values : [];
  const fields: string[] = [];
  for (let i = 1; i < list.length; i++) fields.push(cellText(list[i]));
  while (fields.length > width && fields[fields.length - 1]!.trim() === '') fields.pop();
  while (fields.length < width) fields.push('');
  return fields;
}

/** A cell as the text a person sees in it (what the CSV of the sheet would hold). */
export function cellText(value: ExcelJS.CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('formula' in value || 'sharedFormula' in value) return cellText((value as { result?: ExcelJS.CellValue }).result);
  if ('text' in value && typeof value.text === 'string') return value.text; // a hyperlink
  if ('error' in value) return String(value.error);
  return '';
}

// Excel keeps numbers as doubles: a phone number typed as a number is its digits, an amount
// its shortest decimal form (-68.27, not -68.27000000000001).
function numberText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return String(Number(n.toPrecision(15)));
}

// Excel's dates have no zone: exceljs reads them as UTC. A date alone is written as a date.
function dateText(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
