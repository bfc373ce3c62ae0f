import { massCallRefusalSchema, type NewMassCallRefusal } from '../../domain/massCallRefusalInput';
import { CsvReadError, isRefusal, readCsvRows } from '../../imports/csvRows';

// A file of numbers that refused mass calls, as an operator or the ERP exports it:
//   number;refused_at;operator
//   +79123456789;2026-09-02T10:00:00+03:00;МТС
// Columns are found by name; only `number` is required. `,` works as well as `;`, UTF-8 or
// Windows-1251 (the one CSV reader of every import, imports/csvRows.ts). A line is checked as an
// API entry is (domain/massCallRefusalInput.ts). The file is read whole before anything is
// written: it is imported entirely or not at all, so every bad line is named at once and nothing
// of a good file is lost to a bad line.

export const REFUSAL_COLUMNS = ['number', 'refused_at', 'operator'] as const;

export interface RefusalLineError {
  line: number;
  reason: string;
}

export interface RefusalFile {
  entries: NewMassCallRefusal[];
  errors: RefusalLineError[]; // in line order; when any, nothing of the file should be written
}

export async function readRefusalCsv(input: AsyncIterable<Buffer | Uint8Array | string>): Promise<RefusalFile> {
  const entries: NewMassCallRefusal[] = [];
  const errors: RefusalLineError[] = [];
  let header: string[] | undefined;
  try {
    for await (const row of readCsvRows(input, { trim: true, quotes: 'relaxed' })) {
      if (isRefusal(row)) {
        errors.push({ line: row.line, reason: row.reason });
        if (header === undefined) return { entries, errors };
        continue;
      }
      if (header === undefined) {
        header = row.fields.map((f) => f.toLowerCase());
        if (!header.includes('number')) {
          errors.push({ line: row.line, reason: `the header has no number column (expected ${REFUSAL_COLUMNS.join(';')})` });
          return { entries, errors };
        }
        continue;
      }
      if (row.fields.length > header.length) {
        errors.push({ line: row.line, reason: `${row.fields.length} fields, the header has ${header.length}` });
        continue;
      }
      const cell = (column: string): string | undefined => {
        const i = header!.indexOf(column);
        const v = i < 0 ? undefined : row.fields[i];
        return v === undefined || v === '' ? undefined : v;
      };
      const parsed = massCallRefusalSchema.safeParse({
        number: cell('number') ?? '', refusedAt: cell('refused_at'), operator: cell('operator'),
      });
      if (!parsed.success) {
        const column = (path: PropertyKey[]): string => (path[0] === 'refusedAt' ? 'refused_at' : String(path[0]));
        errors.push({ line: row.line, reason: parsed.error.issues.map((x) => `${column(x.path)}: ${x.message}`).join('; ') });
        continue;
      }
      entries.push(parsed.data);
    }
  } catch (err) {
    if (!(err instanceof CsvReadError)) throw err;
    errors.push({ line: err.line, reason: err.message });
  }
  if (header === undefined && errors.length === 0) {
    errors.push({ line: 1, reason: `the file is empty: expected a header ${REFUSAL_COLUMNS.join(';')}` });
  }
  return { entries, errors };
}
