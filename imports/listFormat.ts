// What an uploaded contact list is, from its first bytes (never from its name: a picture renamed
// list.csv is a picture): an XLSX workbook (a ZIP), CSV text, or something the importer cannot
// read, named so the user knows what to do.

export type ListFormat = 'csv' | 'xlsx';

export type Sniffed = { format: ListFormat } | { refused: string };

/** Bytes enough to tell: the ZIP header, or a sample of text. */
export const SNIFF_BYTES = 8192;

const SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an Excel 97-2003 (.xls) or other old Office file: save it as .xlsx or CSV' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21], what: 'a RAR archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf], what: 'a 7-Zip archive' },
  { bytes: [0xff, 0xfe], what: 'UTF-16 text (Excel\'s "Unicode text"): save it as CSV UTF-8' },
  { bytes: [0xfe, 0xff], what: 'UTF-16 text: save it as CSV UTF-8' },
];

const ZIP = [0x50, 0x4b, 0x03, 0x04];

const startsWith = (head: Uint8Array, bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);

/**
 * The list's format from the start of the file (SNIFF_BYTES of it, or all of a smaller file).
 * A ZIP is taken for XLSX (the XLSX reader refuses one without a worksheet); text is CSV when it
 * has no NUL byte and hardly any control characters (UTF-8 and Windows-1251 text both pass).
 */
export function sniffListFormat(head: Uint8Array): Sniffed {
  if (head.length === 0) return { refused: 'the file is empty' };
  if (startsWith(head, ZIP)) {
    // An OpenDocument spreadsheet is a ZIP too, and names itself in its first entry.
    const name = Buffer.from(head.subarray(30, 30 + 8)).toString('latin1');
    if (name === 'mimetype' && Buffer.from(head).includes('opendocument')) {
      return { refused: 'an OpenDocument (.ods) file: save it as .xlsx or CSV' };
    }
    return { format: 'xlsx' };
  }
  const known = SIGNATURES.find((s) => startsWith(head, s.bytes));
  if (known) return { refused: `not a CSV or XLSX file: ${known.what}` };
  let control = 0;
  for (const b of head) {
    if (b === 0) return { refused: 'not a CSV or XLSX file: it holds binary data' };
    // Tab, line feed, form feed and carriage return are text.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) control++;
  }
  if (control > head.length / 100) return { refused: 'not a CSV or XLSX file: it holds binary data' };
  return { format: 'csv' };
}
