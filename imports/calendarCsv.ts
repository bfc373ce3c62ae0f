import { DateTime } from 'luxon';
import { z } from 'zod';
import type { CalendarDayInput } from '../adapters/postgres/calendar';
import { CsvReadError, isRefusal, readCsvRows } from './csvRows';

// A calendar file of non-working days (calendars/RU.csv and the like):
//   country;day;kind;name
//   RU;2026-01-01;holiday;Новогодние каникулы
// Columns are found by name; `name` may be left out. `,` works as well as `;`, and the file may be
// UTF-8 or Windows-1251. The file is read whole before anything is written: a calendar is
// imported entirely or not at all, so every bad line is reported at once.

export const CALENDAR_COLUMNS = ['country', 'day', 'kind', 'name'] as const;
const REQUIRED = ['country', 'day', 'kind'] as const;

const dayRow = z.object({
  country: z.string().regex(/^[A-Z]{2}$/, 'a two-letter ISO country code'),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').refine((d) => DateTime.fromISO(d).isValid, 'not a date'),
  kind: z.enum(['holiday', 'working']),
  name: z.string().optional().default(''),
});

export interface CalendarLineError {
  line: number;
  reason: string;
}

export interface CalendarFile {
  days: CalendarDayInput[];
  errors: CalendarLineError[]; // in line order; when any, nothing of the file should be written
}

export async function readCalendarCsv(input: AsyncIterable<Buffer | Uint8Array | string>): Promise<CalendarFile> {
  const days: CalendarDayInput[] = [];
  const errors: CalendarLineError[] = [];
  const lineOf = new Map<string, number>(); // country and day → the line that gave it
  let header: string[] | undefined;
  try {
    for await (const row of readCsvRows(input, { trim: true })) {
      if (isRefusal(row)) {
        errors.push({ line: row.line, reason: row.reason });
        if (header === undefined) return { days, errors };
        continue;
      }
      if (header === undefined) {
        header = row.fields.map((f) => f.toLowerCase());
        const missing = REQUIRED.filter((c) => !header!.includes(c));
        if (missing.length > 0) {
          errors.push({ line: row.line, reason: `the header has no ${missing.join(', ')} (expected ${CALENDAR_COLUMNS.join(';')})` });
          return { days, errors };
        }
        continue;
      }
      if (row.fields.length > header.length) {
        errors.push({ line: row.line, reason: `${row.fields.length} fields, the header has ${header.length}` });
        continue;
      }
      const record = Object.fromEntries(header.map((column, i) => [column, row.fields[i]]));
      const parsed = dayRow.safeParse(record);
      if (!parsed.success) {
        errors.push({ line: row.line, reason: parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') });
        continue;
      }
      // One statement writes the file: it cannot write the same day twice.
      const key = `${parsed.data.country} ${parsed.data.day}`;
      const earlier = lineOf.get(key);
      if (earlier !== undefined) {
        errors.push({ line: row.line, reason: `${key} is already given on line ${earlier}` });
        continue;
      }
      lineOf.set(key, row.line);
      days.push(parsed.data);
    }
  } catch (err) {
    if (!(err instanceof CsvReadError)) throw err;
    errors.push({ line: err.line, reason: err.message });
  }
  if (header === undefined && errors.length === 0) {
    errors.push({ line: 1, reason: `the file is empty: expected a header ${CALENDAR_COLUMNS.join(';')}` });
  }
  return { days, errors };
}
