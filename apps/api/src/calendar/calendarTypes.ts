import { z } from 'zod';
import { calendarDaySchema } from '../../../../domain/calendarInput';
import { graphqlClass, type TypeNames } from '../graphql/zodTypes';

// The calendar's GraphQL types: the input from domain/calendarInput.ts; the day as read is made
// from a zod shape too, so the two share the kind enum.

const names: TypeNames = { kind: 'CalendarDayKind' };

export const CalendarDayInput = graphqlClass('CalendarDayInput', calendarDaySchema, 'input', {
  description: 'A holiday on a weekday or a working weekend day, in one country.', names,
});

const dayView = z.object({
  country: z.string(),
  day: z.string().describe('YYYY-MM-DD.'),
  weekday: z.string().describe('Mon..Sun.'),
  kind: calendarDaySchema.shape.kind,
  name: z.string().nullable(),
});

export type CalendarDayView = z.output<typeof dayView>;

export const CalendarDay = graphqlClass('CalendarDay', dayView, 'output', {
  description: 'A day of the calendar of non-working days: a holiday, or a weekend day worked.', names,
});
