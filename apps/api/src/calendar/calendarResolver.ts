import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { READERS, Roles } from '../auth/roles';
import { CalendarDay, CalendarDayInput, type CalendarDayView } from './calendarTypes';
import { CalendarService } from './calendarService';

/** Who may change the calendar: it moves every campaign's calling days. */
const CALENDAR_EDITORS = ['admin', 'supervisor'] as const;

@Resolver(() => CalendarDay)
export class CalendarResolver {
  constructor(private readonly service: CalendarService) {}

  @Query(() => [CalendarDay], { description: 'A country\'s holidays and working weekend days from `from` to `to` (both included), in date order.' })
  @Roles(...READERS)
  calendarDays(
    @Args('country') country: string,
    @Args('from', { description: 'YYYY-MM-DD' }) from: string,
    @Args('to', { description: 'YYYY-MM-DD, included' }) to: string,
  ): Promise<CalendarDayView[]> {
    return this.service.list({ country, from, to });
  }

  @Mutation(() => CalendarDay, { description: 'Sets a day a holiday or a working day (a day already there is replaced).' })
  @Roles(...CALENDAR_EDITORS)
  setCalendarDay(@Args('input', { type: () => CalendarDayInput }) input: object): Promise<CalendarDayView> {
    return this.service.set(input);
  }

  @Mutation(() => Int, { description: 'Writes many days at once, all or none (the rules of a calendar file: no day twice); returns how many.' })
  @Roles(...CALENDAR_EDITORS)
  importCalendarDays(@Args('days', { type: () => [CalendarDayInput] }) days: object[]): Promise<number> {
    return this.service.import(days);
  }

  @Mutation(() => Boolean, { description: 'Deletes a day: it is an ordinary day again. False when there was none.' })
  @Roles(...CALENDAR_EDITORS)
  deleteCalendarDay(@Args('country') country: string, @Args('day', { description: 'YYYY-MM-DD' }) day: string): Promise<boolean> {
    return this.service.delete({ country, day });
  }
}
