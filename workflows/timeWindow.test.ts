import { DateTime } from 'luxon';
import { InvalidWindowError, isWithinWindow, nextAllowedMoment } from './timeWindow';

const ms = (iso: string, zone: string): number => DateTime.fromISO(iso, { zone }).toMillis();
const local = (millis: number, zone: string): string =>
  DateTime.fromMillis(millis, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss ZZ");

describe('nextAllowedMoment', () => {
  const nine = { start: '09:00', end: '20:00' };

  it.each([
    ['before the window: today at the start', '2026-11-26T07:59:59', '2026-11-26T09:00:00 +03:00'],
    ['at the start: now', '2026-11-26T09:00:00', '2026-11-26T09:00:00 +03:00'],
    ['inside: now', '2026-11-26T13:37:00', '2026-11-26T13:37:00 +03:00'],
    ['at the end (exclusive): tomorrow', '2026-11-26T20:00:00', '2026-11-27T09:00:00 +03:00'],
    ['late evening: tomorrow', '2026-11-26T23:59:59', '2026-11-27T09:00:00 +03:00'],
    ['across a month end', '2026-11-30T21:00:00', '2026-12-01T09:00:00 +03:00'],
    ['across a year end', '2026-12-31T22:00:00', '2027-01-01T09:00:00 +03:00'],
  ])('Moscow, %s', (_label, now, expected) => {
    const zone = 'Europe/Moscow';
    expect(local(nextAllowedMoment(ms(now, zone), nine, zone), zone)).toBe(expected);
  });

  it('reads the window in the subscriber zone, not the caller’s', () => {
    // 10:00 in Moscow is 17:00 in Vladivostok: inside its window; 14:00 in Moscow is 21:00 there.
    const vl = 'Asia/Vladivostok';
    expect(isWithinWindow(ms('2026-11-26T10:00:00', 'Europe/Moscow'), nine, vl)).toBe(true);
    const at = nextAllowedMoment(ms('2026-11-26T14:00:00', 'Europe/Moscow'), nine, vl);
    expect(local(at, vl)).toBe('2026-11-27T09:00:00 +10:00');
    expect(local(at, 'Europe/Moscow')).toBe('2026-11-27T02:00:00 +03:00');
  });

  it('keeps local hours across the March daylight-saving change in New York', () => {
    const ny = 'America/New_York';
    // 2026-03-08 02:00 EST jumps to 03:00 EDT.
    expect(local(nextAllowedMoment(ms('2026-03-07T21:00:00', ny), nine, ny), ny)).toBe('2026-03-08T09:00:00 -04:00');
    expect(local(nextAllowedMoment(ms('2026-03-08T01:30:00', ny), { start: '02:30', end: '20:00' }, ny), ny))
      .toBe('2026-03-08T03:30:00 -04:00'); // 02:30 does not exist that night: the first moment after the gap
  });

  it('keeps local hours across the November change in New York', () => {
    const ny = 'America/New_York';
    // 2026-11-01 02:00 EDT falls back to 01:00 EST: the day has 25 hours.
    const at = nextAllowedMoment(ms('2026-10-31T20:30:00', ny), nine, ny);
    expect(local(at, ny)).toBe('2026-11-01T09:00:00 -05:00');
    expect(at - ms('2026-10-31T20:30:00', ny)).toBe(13.5 * 3600_000);
  });

  it('handles half-hour offsets (India, +05:30) and 45-minute ones (Nepal, +05:45)', () => {
    expect(local(nextAllowedMoment(Date.UTC(2026, 10, 26, 3, 0), nine, 'Asia/Kolkata'), 'Asia/Kolkata'))
      .toBe('2026-11-26T09:00:00 +05:30');
    expect(isWithinWindow(Date.UTC(2026, 10, 26, 3, 15), nine, 'Asia/Kathmandu')).toBe(true); // 09:00 there
    expect(isWithinWindow(Date.UTC(2026, 10, 26, 3, 14, 59), nine, 'Asia/Kathmandu')).toBe(false);
  });

  it('treats 24:00 as the end of the day', () => {
    const zone = 'Europe/Moscow';
    const allDay = { start: '00:00', end: '24:00' };
    expect(isWithinWindow(ms('2026-11-26T23:59:59', zone), allDay, zone)).toBe(true);
    expect(isWithinWindow(ms('2026-11-26T00:00:00', zone), allDay, zone)).toBe(true);
    expect(local(nextAllowedMoment(ms('2026-11-26T23:00:00', zone), { start: '08:00', end: '24:00' }, zone), zone))
      .toBe('2026-11-26T23:00:00 +03:00');
  });

  it('names the bad field', () => {
    expect(() => nextAllowedMoment(0, { start: '9am', end: '20:00' }, 'UTC')).toThrow(/window.start.*9am/);
    expect(() => nextAllowedMoment(0, { start: '09:00', end: '25:00' }, 'UTC')).toThrow(/window.end/);
    expect(() => nextAllowedMoment(0, { start: '20:00', end: '09:00' }, 'UTC')).toThrow(InvalidWindowError);
    expect(() => nextAllowedMoment(0, nine, 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });
});
