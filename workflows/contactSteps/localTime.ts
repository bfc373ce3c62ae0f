import { DateTime } from 'luxon';

// Moments a strategy workflow aims at, in the subscriber's clock: pure, on the workflow's time.

/**
 * The first moment at or after `afterMs` when the clock in `zone` shows `hhmm` ('18:00'): today's
 * if it has not passed, else tomorrow's. The calling hours still decide whether a call may be
 * placed then (attemptCall waits for them).
 */
export function nextLocalTime(afterMs: number, zone: string, hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new Error(`nextLocalTime: ${hhmm} is not HH:mm`);
  const now = DateTime.fromMillis(afterMs, { zone });
  if (!now.isValid) throw new Error(`nextLocalTime: ${zone} is not an IANA zone`);
  const today = now.set({ hour: Number(m[1]), minute: Number(m[2]), second: 0, millisecond: 0 });
  return (today.toMillis() >= afterMs ? today : today.plus({ days: 1 })).toMillis();
}
