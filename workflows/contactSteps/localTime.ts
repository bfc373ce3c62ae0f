import { DateTime } from 'luxon';

// Moments a strategy workflow aims at, in the subscriber's clock: pure, on the workflow's time.

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

function minutesOf(hhmm: string, name: string): number {
  if (!HHMM.test(hhmm)) throw new Error(`${name}: ${hhmm} is not HH:mm (00:00 to 24:00)`);
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The first moment at or after `afterMs` inside the local hours [from, until) of a day in `zone`
 * ('18:00', '24:00': the evening): `afterMs` itself when it is inside them, else the next
 * `from`. The calling hours still decide whether a call may be placed then (attemptCall waits
 * for them).
 */
export function nextLocalHours(afterMs: number, zone: string, [from, until]: readonly [string, string]): number {
  const start = minutesOf(from, 'from');
  const end = minutesOf(until, 'until');
  if (start >= end) throw new Error(`local hours: ${from} is not before ${until}`);
  const now = DateTime.fromMillis(afterMs, { zone });
  if (!now.isValid) throw new Error(`local hours: ${zone} is not an IANA zone`);
  const minute = now.hour * 60 + now.minute;
  if (minute >= start && minute < end) return afterMs;
  // The wall-clock time set on the day (a DST change that day moves the instant, not the hour).
  const day = minute < start ? now : now.plus({ days: 1 });
  return day.set({ hour: Math.floor(start / 60), minute: start % 60, second: 0, millisecond: 0 }).toMillis();
}
