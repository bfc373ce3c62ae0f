import { DateTime, type Zone } from 'luxon';

// Local times of day and the moments they cover in a zone: the primitives of the calling
// schedule (callingSchedule.ts). Pure, so they run inside workflows. The rule for the days the
// clocks move is in docs/callingHours.md.

export interface LocalTime {
  hour: number;
  minute: number;
  second: number;
}

/** Absolute [start, end) in epoch milliseconds. */
export type Interval = readonly [number, number];

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

/** Seconds since local midnight: local times compare as the wall clock reads them. */
export function secondsOfDay(t: LocalTime): number {
  return t.hour * 3600 + t.minute * 60 + t.second;
}

export function zoned(nowMs: number, zone: string): DateTime {
  const now = DateTime.fromMillis(nowMs, { zone });
  if (!now.isValid) throw new InvalidWindowError(`time zone "${zone}" is not a valid IANA zone`);
  return now;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * The moments of `day`'s local date, in `day`'s zone, at which the wall clock reads a time in
 * [from, to) — empty when there are none (the span lies in the hour a spring-forward skips).
 * Usually one interval; two when the span starts or ends inside the hour a fall-back repeats
 * and the clock leaves the span in between. Only `day`'s date and zone are read.
 */
export function momentsReading(day: DateTime, from: LocalTime, to: LocalTime): Interval[] {
  if (secondsOfDay(from) >= secondsOfDay(to)) return [];
  // "Wall" milliseconds: the local reading written as if it were UTC, so reading = instant + offset.
  const wallFrom = Date.UTC(day.year, day.month - 1, day.day, from.hour, from.minute, from.second);
  const wallTo = Date.UTC(day.year, day.month - 1, day.day, to.hour, to.minute, to.second);
  // Every offset is within ±14 h, so every moment reading a time in the span lies in
  // [wallFrom - 1 day, wallTo + 1 day]. No zone changes its offset twice within three days
  // (in the installed data for 1970–2040 the closest are a week apart), so that range holds at
  // most one change.
  const lo = wallFrom - DAY_MS;
  const hi = wallTo + DAY_MS;
  const before = offsetMs(day.zone, lo);
  const after = offsetMs(day.zone, hi);
  if (before === after) return [[wallFrom - before, wallTo - before]];
  const change = firstMomentOfOffset(day.zone, lo, hi);
  const out: [number, number][] = [];
  // Before the change the clock reads instant + before; from the change on, instant + after.
  const early: Interval = [wallFrom - before, Math.min(wallTo - before, change)];
  const late: Interval = [Math.max(wallFrom - after, change), wallTo - after];
  for (const [start, end] of [early, late]) {
    if (start >= end) continue;
    const last = out[out.length - 1];
    if (last && last[1] === start) last[1] = end;
    else out.push([start, end]);
  }
  return out;
}

function offsetMs(zone: Zone, atMs: number): number {
  return zone.offset(atMs) * MINUTE_MS;
}

/** The first moment in (lo, hi] whose offset differs from lo's; there is exactly one change. */
function firstMomentOfOffset(zone: Zone, lo: number, hi: number): number {
  const initial = offsetMs(zone, lo);
  let a = lo;
  let b = hi;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (offsetMs(zone, mid) === initial) a = mid;
    else b = mid;
  }
  return b;
}
