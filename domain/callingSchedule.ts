import { DateTime } from 'luxon';
import type { LegalPolicy } from './legalPolicy';
import {
  InvalidWindowError, momentsReading, parseLocalTime, secondsOfDay, zoned, type Interval, type LocalTime,
} from './timeWindow';
import type { DailyWindow } from './types';

// When may a number be called? The campaign's hours for the day of week, inside its start and
// end dates, inside the legal policy's hours for a working or a rest day, in the subscriber's
// local time — and, when the number's zone is uncertain, in every candidate zone at once.
// Pure and deterministic: the workflow passes its own clock, the call activity the wall clock.
// Hours are read on the subscriber's wall clock, also on the days it jumps or repeats an hour
// (docs/callingHours.md): a day whose hours the clock never reads has no window, never an error.

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

export type DayKind = 'working' | 'rest';

export function dayKind(date: DateTime, calendar: CallingSchedule['calendar']): DayKind {
  const iso = date.toISODate() as string;
  if (calendar.holidays.includes(iso)) return 'rest';
  if (calendar.workingDays.includes(iso)) return 'working';
  return date.weekday >= 6 ? 'rest' : 'working';
}

/**
 * The allowed moments of one local day in one zone, as absolute [start, end) intervals in order:
 * none when the day is closed or its hours are never read on the clock that day, two when a
 * fall-back repeats part of them.
 */
export function allowedOnLocalDay(s: CallingSchedule, day: DateTime): Interval[] {
  const iso = day.toISODate() as string;
  if ((s.startDate && iso < s.startDate) || (s.endDate && iso > s.endDate)) return [];
  const weekly = s.weeklyHours[String(day.weekday) as IsoWeekday];
  if (weekly === null) return [];
  const [campaignStart, campaignEnd] = weekly ?? [s.window.start, s.window.end];
  const legal = dayKind(day, s.calendar) === 'working' ? s.policy.workingDayHours : s.policy.restDayHours;
  const bounds: [string, string][] = [[campaignStart, campaignEnd]];
  if (legal) bounds.push([legal[0], legal[1]]);
  // Intersected as wall-clock times first: a moment is allowed when the clock then reads a
  // time inside every span, which is the same as reading a time inside their intersection.
  let from: LocalTime = { hour: 0, minute: 0, second: 0 };
  let to: LocalTime = { hour: 24, minute: 0, second: 0 };
  for (const [start, end] of bounds) {
    const a = parseLocalTime(start, 'start');
    const b = parseLocalTime(end, 'end');
    // A configuration error, the same on every day; days the clocks move never get here.
    if (secondsOfDay(a) >= secondsOfDay(b)) throw new InvalidWindowError(`hours ${start}-${end}: the start must be before the end`);
    if (secondsOfDay(a) > secondsOfDay(from)) from = a;
    if (secondsOfDay(b) < secondsOfDay(to)) to = b;
  }
  return momentsReading(day, from, to);
}

function intervalsInZone(s: CallingSchedule, zone: string, fromMs: number, days: number): Interval[] {
  const first = zoned(fromMs, zone).startOf('day').minus({ days: 1 });
  const found: Interval[] = [];
  for (let i = 0; i < days + 2; i++) found.push(...allowedOnLocalDay(s, first.plus({ days: i })));
  return sortedUnion(found);
}

/**
 * Days come in order and so, nearly always, do their moments; but a fall-back from just after
 * midnight to just before it would put moments of one date after moments of the next. Sorted and
 * merged, the lists can be walked in order by intersect().
 */
function sortedUnion(intervals: Interval[]): Interval[] {
  const out: [number, number][] = [];
  for (const [start, end] of [...intervals].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
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
    const intervals = allowedOnLocalDay(s, zoned(nowMs, zone).startOf('day'));
    return intervals.some(([start, end]) => start <= nowMs && nowMs < end);
  });
}

/** The local date (ISO) of a moment in a zone: caps count by the subscriber's calendar. */
export function localDate(nowMs: number, zone: string): string {
  return DateTime.fromMillis(nowMs, { zone }).toISODate() as string;
}
