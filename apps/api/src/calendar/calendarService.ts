import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { deleteCalendarDay, listCalendarDaysBetween, upsertCalendarDays, type CalendarDayKind } from '../../../../adapters/postgres/calendar';
import { calendarDayKeySchema, calendarDaySchema, calendarDaysSchema, calendarPeriodSchema } from '../../../../domain/calendarInput';
import { parseInput } from '../../../../domain/parseInput';
import { withoutNulls } from '../graphql/withoutNulls';
import { PG_POOL } from '../infra/tokens';
import type { CalendarDayView } from './calendarTypes';

// The calendar of non-working days as the API offers it, over adapters/postgres/calendar.ts
// (the same writes as `npm run calendar -- import`).

@Injectable()
export class CalendarService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async list(period: { country: string; from: string; to: string }): Promise<CalendarDayView[]> {
    const p = parseInput(calendarPeriodSchema, period);
    return (await listCalendarDaysBetween(this.pool, p.country, p.from, p.to)).map((d) => ({ ...d, kind: d.kind as CalendarDayKind, country: p.country }));
  }

  /** Writes one day (a day already there takes the new kind and name) and reads it back. */
  async set(input: object): Promise<CalendarDayView> {
    const day = parseInput(calendarDaySchema, withoutNulls(input));
    await upsertCalendarDays(this.pool, [day]);
    return (await this.list({ country: day.country, from: day.day, to: day.day }))[0];
  }

  /** Writes every day in one statement, or none when any is bad; returns how many. */
  async import(input: object[]): Promise<number> {
    const days = parseInput(calendarDaysSchema, input.map((d) => withoutNulls(d)), 'days');
    return upsertCalendarDays(this.pool, days);
  }

  /** False when there was no such day. */
  delete(key: { country: string; day: string }): Promise<boolean> {
    const k = parseInput(calendarDayKeySchema, key);
    return deleteCalendarDay(this.pool, k.country, k.day);
  }
}
