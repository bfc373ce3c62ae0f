import { DateTime } from 'luxon';
import { z } from 'zod';

// Days of the calendar of non-working days (table calendar_day) as a person or the ERP gives
// them: the rules of a calendar file (imports/calendarCsv.ts) — a two-letter country, a date,
// holiday or working, an optional name, no day given twice in one import — with the date
// checked against the calendar (2026-02-30 is refused here, not by Postgres). Pure: no I/O.

/** Days one import may write (one statement). */
export const MAX_CALENDAR_IMPORT = 10_000;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const calendarDate = z.string()
  .regex(ISO_DATE, 'a date YYYY-MM-DD')
  .refine((d) => !ISO_DATE.test(d) || DateTime.fromISO(d).isValid, 'not a calendar date');

export const calendarCountry = z.string().regex(/^[A-Z]{2}$/, 'a two-letter ISO country code such as RU');

export const calendarDaySchema = z.object({
  country: calendarCountry.describe('ISO 3166-1 alpha-2 country code.'),
  day: calendarDate.describe('The date, YYYY-MM-DD.'),
  kind: z.enum(['holiday', 'working']).describe('holiday: a weekday off; working: a weekend day worked.'),
  name: z.string().trim().max(200).optional().default('').describe('What the day is (Новый год, перенос выходного).'),
}).strict();

export type CalendarDayValue = z.output<typeof calendarDaySchema>;

/** An import: days written all together or not at all; a day given twice is refused. */
export const calendarDaysSchema = z.array(calendarDaySchema)
  .min(1, 'give at least one day')
  .max(MAX_CALENDAR_IMPORT, `at most ${MAX_CALENDAR_IMPORT} days in one import`)
  .superRefine((days, ctx) => {
    const first = new Map<string, number>();
    days.forEach((d, i) => {
      const key = `${d.country} ${d.day}`;
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, i);
      else ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i, 'day'], message: `${key} is already given at ${earlier}` });
    });
  });

/** A country's days from one date to another, both included. */
export const calendarPeriodSchema = z.object({
  country: calendarCountry,
  from: calendarDate,
  to: calendarDate,
}).strict().superRefine((p, ctx) => {
  if (p.from > p.to) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['to'], message: `must not be before from (${p.from})` });
});

/** The key of one day: a country and a date. */
export const calendarDayKeySchema = z.object({ country: calendarCountry, day: calendarDate }).strict();

