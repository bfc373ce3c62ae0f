import type { Row } from './rows';
import type { Queryable } from './transaction';

// The calendar of non-working days (table calendar_day): per country, the weekdays that are
// public holidays and the weekend days that are working days. Campaign rules read it
// (campaignRules.ts); this is how it is edited.

export type CalendarDayKind = 'holiday' | 'working';

export interface CalendarDayInput {
  country: string; // ISO 3166-1 alpha-2
  day: string; // YYYY-MM-DD
  kind: CalendarDayKind;
  name: string;
}

export type CalendarDayListed = Pick<Row<'calendar_day'>, 'kind' | 'name'> & {
  day: string; // YYYY-MM-DD
  weekday: string; // Mon..Sun
};

/**
 * Writes the days in one statement (all of them or none); a day already there takes the new
 * kind and name. No two days may be the same country and date. Returns how many were written.
 */
export async function upsertCalendarDays(db: Queryable, days: readonly CalendarDayInput[]): Promise<number> {
  if (days.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO calendar_day (country, day, kind, name)
     SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::text[])
     ON CONFLICT (country, day) DO UPDATE SET kind = excluded.kind, name = excluded.name`,
    [days.map((d) => d.country), days.map((d) => d.day), days.map((d) => d.kind), days.map((d) => d.name)]);
  return rowCount ?? 0;
}

/** A country's days of one year, in date order. */
export async function listCalendarDays(db: Queryable, country: string, year: number): Promise<CalendarDayListed[]> {
  const { rows } = await db.query<CalendarDayListed>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, to_char(day, 'Dy') AS weekday, kind, name FROM calendar_day
      WHERE country = $1 AND day >= make_date($2, 1, 1) AND day < make_date($2 + 1, 1, 1) ORDER BY day`,
    [country, year]);
  return rows;
}

/** Deletes one day; false when there was no such day. */
export async function deleteCalendarDay(db: Queryable, country: string, day: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM calendar_day WHERE country = $1 AND day = $2::date', [country, day]);
  return (rowCount ?? 0) > 0;
}

/** A country's days from `from` to `to` (YYYY-MM-DD, both included), in date order. */
export async function listCalendarDaysBetween(db: Queryable, country: string, from: string, to: string): Promise<CalendarDayListed[]> {
  const { rows } = await db.query<CalendarDayListed>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, to_char(day, 'Dy') AS weekday, kind, name FROM calendar_day
      WHERE country = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day`,
    [country, from, to]);
  return rows;
}
