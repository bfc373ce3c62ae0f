import { DateTime } from 'luxon';

// Local times of day and their moments in a zone: the primitives of the calling schedule
// (callingSchedule.ts). Pure, so they run inside workflows.

export interface LocalTime {
  hour: number;
  minute: number;
  second: number;
}

export class InvalidWindowError extends Error {}

export function parseLocalTime(value: string, field: string): LocalTime {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) throw new InvalidWindowError(`${field}: expected HH:MM or HH:MM:SS, got "${value}"`);
  const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const isMidnightEnd = hour === 24 && minute === 0 && second === 0;
  if ((hour > 23 && !isMidnightEnd) || minute > 59 || second > 59) {
    throw new InvalidWindowError(`${field}: "${value}" is not a time of day`);
  }
  return { hour, minute, second };
}

export function atLocal(day: DateTime, t: LocalTime): DateTime {
  if (t.hour === 24) return day.startOf('day').plus({ days: 1 });
  // A time inside a daylight-saving gap does not exist; luxon moves it forward by the gap,
  // which is the first moment that does exist — the right reading of "from 02:30".
  return day.set({ hour: t.hour, minute: t.minute, second: t.second, millisecond: 0 });
}

export function zoned(nowMs: number, zone: string): DateTime {
  const now = DateTime.fromMillis(nowMs, { zone });
  if (!now.isValid) throw new InvalidWindowError(`time zone "${zone}" is not a valid IANA zone`);
  return now;
}
