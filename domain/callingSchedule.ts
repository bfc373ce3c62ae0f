import { DateTime } from 'luxon';
import type { LegalPolicy } from './legalPolicy';
import { atLocal, InvalidWindowError, parseLocalTime, zoned } from './timeWindow';
import type { DailyWindow } from './types';

// When may a number be called? The campaign's hours for the day of week, inside its start and
// end dates, inside the legal policy's hours for a working or a rest day, in the subscriber's
// local time — and, when the number's zone is uncertain, in every candidate zone at once.
// Pure and deterministic: the workflow passes its own clock, the call activity the wall clock.

export type IsoWeekday = '1' | '2' | '3' | '4' | '5' | '6' | '7';

export interface CallingSchedule {
  /** The campaign's hours on a day that weeklyHours does not name. */
  window: DailyWindow;
  /** Hours per ISO day of week; null closes the day. */
  weeklyHours: Partial<Record<IsoWeekday, readonly [string, string] | null>>;
  /** Local ISO dates, inclusive; null = open-ended. */
  startDate: string | null;
  endDate: string | null;
  /** The campaign country's calendar: public holidays, and weekend days made working days. */
  calendar: { holidays: readonly string[]; workingDays: readonly string[] };
  policy: Pick<LegalPolicy, 'workingDayHours' | 'restDayHours'>;
}

type Interval = readonly [number, number];

export type DayKind = 'working' | 'rest';

export function dayKind(date: DateTime, calendar: CallingSchedule['calendar']): DayKind {
  const iso = date.toISODate() as string;
  if (calendar.holidays.includes(iso)) return 'rest';
  if (calendar.workingDays.includes(iso)) return 'working';
  return date.weekday >= 6 ? 'rest' : 'working';
}

/** The allowed interval of one local day in one zone, as absolute [start, end) milliseconds. */
export function allowedOnLocalDay(s: CallingSchedule, day: DateTime): Interval | null {
  const iso = day.toISODate() as string;
  if ((s.startDate && iso < s.startDate) || (s.endDate && iso > s.endDate)) return null;
  const weekly = s.weeklyHours[String(day.weekday) as IsoWeekday];
  if (weekly === null) return null;
  const [campaignStart, campaignEnd] = weekly ?? [s.window.start, s.window.end];
  const legal = dayKind(day, s.calendar) === 'working' ? s.policy.workingDayHours : s.policy.restDayHours;
  const bounds: [string, string][] = [[campaignStart, campaignEnd]];
  if (legal) bounds.push([legal[0], legal[1]]);
  let start = -Infinity;
  let end = Infinity;
  for (const [from, to] of bounds) {
    const a = atLocal(day, parseLocalTime(from, 'start')).toMillis();
    const b = atLocal(day, parseLocalTime(to, 'end')).toMillis();
    if (a >= b) throw new InvalidWindowError(`hours ${from}-${to}: the start must be before the end`);
    start = Math.max(start, a);
    end = Math.min(end, b);
  }
  return start < end ? [start, end] : null;
}

function intervalsInZone(s: CallingSchedule, zone: string, fromMs: number, days: number): Interval[] {
  const first = zoned(fromMs, zone).startOf('day').minus({ days: 1 });
  const out: Interval[] = [];
  for (let i = 0; i < days + 2; i++) {
    const interval = allowedOnLocalDay(s, first.plus({ days: i }));
    if (interval) out.push(interval);
  }
  return out;
}

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i][0], b[j][0]);
    const end = Math.min(a[i][1], b[j][1]);
    if (start < end) out.push([start, end]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

/** Days looked at together: small first (the answer is usually today or tomorrow), then more. */
const FIRST_CHUNK_DAYS = 2;
const MAX_CHUNK_DAYS = 28;

/**
 * The first moment at or after `nowMs` allowed in every one of `zones`, or null when there is
 * none within `horizonDays` (the campaign's end date has passed, or the zones' hours never
 * overlap).
 */
export function nextAllowedMomentIn(
  s: CallingSchedule, zones: readonly string[], nowMs: number, horizonDays = 400,
): number | null {
  if (zones.length === 0) throw new InvalidWindowError('no time zone to read the schedule in');
  let chunk = FIRST_CHUNK_DAYS;
  for (let offset = 0; offset < horizonDays; offset += chunk, chunk = Math.min(chunk * 2, MAX_CHUNK_DAYS)) {
    const from = nowMs + offset * 86_400_000;
    let common = intervalsInZone(s, zones[0], from, chunk);
    for (const zone of zones.slice(1)) common = intersect(common, intervalsInZone(s, zone, from, chunk));
    const hit = common.find(([, end]) => end > nowMs);
    if (hit) return Math.max(hit[0], nowMs);
  }
  return null;
}

/** Whether `nowMs` itself is allowed: only today's interval in each zone matters. */
export function isAllowedAt(s: CallingSchedule, zones: readonly string[], nowMs: number): boolean {
  if (zones.length === 0) throw new InvalidWindowError('no time zone to read the schedule in');
  return zones.every((zone) => {
    const interval = allowedOnLocalDay(s, zoned(nowMs, zone).startOf('day'));
    return interval !== null && interval[0] <= nowMs && nowMs < interval[1];
  });
}

/** The local date (ISO) of a moment in a zone: caps count by the subscriber's calendar. */
export function localDate(nowMs: number, zone: string): string {
  return DateTime.fromMillis(nowMs, { zone }).toISODate() as string;
}
