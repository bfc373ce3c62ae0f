import { DateTime } from 'luxon';
import { momentsReading, parseLocalTime, zoned, type Interval } from './timeWindow';

describe('local times of day', () => {
  it('parses HH:MM and HH:MM:SS, and 24:00 as the end of the day', () => {
    expect(parseLocalTime('09:30', 'start')).toEqual({ hour: 9, minute: 30, second: 0 });
    expect(parseLocalTime('23:59:59', 'end')).toEqual({ hour: 23, minute: 59, second: 59 });
    expect(parseLocalTime('24:00', 'end')).toEqual({ hour: 24, minute: 0, second: 0 });
  });

  it('names the bad field and value', () => {
    expect(() => parseLocalTime('9am', 'window.start')).toThrow(/window.start.*9am/);
    expect(() => parseLocalTime('25:00', 'window.end')).toThrow(/window.end/);
    expect(() => parseLocalTime('24:30', 'window.end')).toThrow(/not a time of day/);
  });

  it('refuses a zone that is not an IANA zone', () => {
    expect(() => zoned(0, 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });
});

/** The moments of `date` in `zone` whose wall clock reads [from, to), shown in the zone. */
function span(zone: string, date: string, from: string, to: string): string[][] {
  const day = DateTime.fromISO(date, { zone });
  return momentsReading(day, parseLocalTime(from, 'start'), parseLocalTime(to, 'end')).map((interval) => show(interval, zone));
}
const show = ([start, end]: Interval, zone: string): string[] =>
  [start, end].map((ms) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm ZZ"));

/** The oracle, independent of momentsReading: luxon's reading of one moment on the wall clock. */
function reads(ms: number, zone: string, date: string, from: string, to: string): boolean {
  const local = DateTime.fromMillis(ms, { zone });
  const time = local.toFormat('HH:mm:ss');
  return local.toISODate() === date && time >= from && (to === '24:00' || time < to);
}

describe('the moments a local span covers on the days the clocks move', () => {
  describe('America/New_York, spring forward on 2026-03-08 (02:00 EST → 03:00 EDT)', () => {
    const ny = 'America/New_York';

    it('covers nothing when the whole span is skipped, and does not throw', () => {
      expect(span(ny, '2026-03-08', '02:00', '03:00')).toEqual([]);
      expect(span(ny, '2026-03-08', '02:15', '02:45')).toEqual([]);
    });

    it('opens a span that starts in the skipped hour when the clocks jump (03:00), not an hour late', () => {
      expect(span(ny, '2026-03-08', '02:30', '05:00')).toEqual([['2026-03-08T03:00 -04:00', '2026-03-08T05:00 -04:00']]);
    });

    it('closes a span that ends in the skipped hour when the clocks jump', () => {
      expect(span(ny, '2026-03-08', '01:00', '02:30')).toEqual([['2026-03-08T01:00 -05:00', '2026-03-08T03:00 -04:00']]);
      // the last allowed moment reads 01:59:59.999 EST: nothing after 02:30 on the clock
      const [[, end]] = momentsReading(DateTime.fromISO('2026-03-08', { zone: ny }), parseLocalTime('01:00', 's'), parseLocalTime('02:30', 'e'));
      expect(DateTime.fromMillis(end - 1, { zone: ny }).toFormat('HH:mm:ss.SSS ZZ')).toBe('01:59:59.999 -05:00');
    });

    it('lasts an hour less across the jump, and is untouched the day before and after', () => {
      expect(span(ny, '2026-03-08', '00:00', '24:00')).toEqual([['2026-03-08T00:00 -05:00', '2026-03-09T00:00 -04:00']]);
      expect(span(ny, '2026-03-07', '02:15', '02:45')).toEqual([['2026-03-07T02:15 -05:00', '2026-03-07T02:45 -05:00']]);
      expect(span(ny, '2026-03-09', '02:15', '02:45')).toEqual([['2026-03-09T02:15 -04:00', '2026-03-09T02:45 -04:00']]);
    });
  });

  describe('America/New_York, fall back on 2026-11-01 (02:00 EDT → 01:00 EST)', () => {
    const ny = 'America/New_York';

    it('covers both passes of a span that is exactly the repeated hour: two real hours', () => {
      expect(span(ny, '2026-11-01', '01:00', '02:00')).toEqual([['2026-11-01T01:00 -04:00', '2026-11-01T02:00 -05:00']]);
    });

    it('starts at the first 01:30 and leaves out the second pass of 01:00–01:29, which is before the start', () => {
      expect(span(ny, '2026-11-01', '01:30', '03:00')).toEqual([
        ['2026-11-01T01:30 -04:00', '2026-11-01T01:00 -05:00'],
        ['2026-11-01T01:30 -05:00', '2026-11-01T03:00 -05:00'],
      ]);
    });

    it('ends at the first 01:30 and opens again for the second pass of 01:00–01:29', () => {
      expect(span(ny, '2026-11-01', '00:00', '01:30')).toEqual([
        ['2026-11-01T00:00 -04:00', '2026-11-01T01:30 -04:00'],
        ['2026-11-01T01:00 -05:00', '2026-11-01T01:30 -05:00'],
      ]);
    });
  });

  describe('Asia/Tehran', () => {
    const tehran = 'Asia/Tehran';

    it('has no daylight saving in the installed zone data since 2023 (Iran abolished it in 2022)', () => {
      const offsets = ['2026-01-15', '2026-03-22T12:00', '2026-07-01', '2026-09-22T12:00'].map((iso) => DateTime.fromISO(iso, { zone: tehran }).offset);
      expect(new Set(offsets)).toEqual(new Set([210]));
      expect(span(tehran, '2026-03-22', '00:00', '01:30')).toEqual([['2026-03-22T00:00 +03:30', '2026-03-22T01:30 +03:30']]);
    });

    it('in 2022, a day that began at 01:00 and an evening whose last hour came twice', () => {
      // 2022-03-22 00:00 +03:30 → 01:00 +04:30: the date has no midnight
      expect(span(tehran, '2022-03-22', '00:00', '02:00')).toEqual([['2022-03-22T01:00 +04:30', '2022-03-22T02:00 +04:30']]);
      expect(span(tehran, '2022-03-22', '00:00', '01:00')).toEqual([]);
      // 2022-09-22 00:00 +04:30 → 2022-09-21 23:00 +03:30: 23:00–24:00 of the 21st is read twice
      expect(span(tehran, '2022-09-21', '22:00', '24:00')).toEqual([['2022-09-21T22:00 +04:30', '2022-09-22T00:00 +03:30']]);
      expect(span(tehran, '2022-09-22', '00:00', '01:00')).toEqual([['2022-09-22T00:00 +03:30', '2022-09-22T01:00 +03:30']]);
    });
  });

  // The moments around each change, every five minutes (every boundary here is on that grid),
  // against luxon's reading of each: allowed exactly when the clock reads that date in the span.
  const changes: [string, string, string[][]][] = [
    ['America/New_York', '2026-03-08', [['02:00', '03:00'], ['02:30', '05:00'], ['02:15', '02:45'], ['01:30', '02:30'], ['00:00', '24:00']]],
    ['America/New_York', '2026-11-01', [['01:00', '02:00'], ['01:30', '03:00'], ['00:00', '01:30'], ['01:15', '01:45'], ['00:00', '24:00']]],
    ['Europe/Berlin', '2026-03-29', [['02:00', '03:00'], ['02:30', '05:00'], ['01:30', '02:30']]],
    ['Europe/Berlin', '2026-10-25', [['02:00', '03:00'], ['02:30', '05:00'], ['01:30', '02:30']]],
    ['Europe/London', '2026-03-29', [['01:00', '02:00'], ['01:30', '05:00'], ['00:30', '01:30']]],
    ['Europe/London', '2026-10-25', [['01:00', '02:00'], ['01:30', '05:00'], ['00:30', '01:30']]],
    // a half-hour change: 02:00 → 02:30 in October, 02:00 → 01:30 in April
    ['Australia/Lord_Howe', '2026-10-04', [['02:00', '02:30'], ['02:10', '02:20'], ['02:15', '04:00'], ['01:00', '02:15']]],
    ['Australia/Lord_Howe', '2026-04-05', [['01:30', '02:00'], ['01:45', '03:00'], ['00:00', '01:45'], ['08:00', '22:00']]],
    // changes at midnight, the end of the day ('24:00') included
    ['America/Santiago', '2026-09-06', [['00:00', '01:00'], ['00:30', '09:00'], ['00:00', '24:00']]],
    ['America/Santiago', '2026-04-04', [['22:00', '24:00'], ['23:30', '24:00']]],
    ['Asia/Tehran', '2022-03-22', [['00:00', '01:00'], ['00:30', '09:00']]],
    ['Asia/Tehran', '2022-09-21', [['23:00', '24:00'], ['23:30', '24:00'], ['08:00', '22:00']]],
    // a two-hour change
    ['Antarctica/Troll', '2026-03-29', [['01:00', '03:00'], ['02:00', '04:00']]],
    ['Antarctica/Troll', '2026-10-25', [['01:00', '03:00'], ['00:30', '02:30']]],
    // no change at all
    ['Asia/Kolkata', '2026-03-29', [['02:00', '03:00'], ['00:00', '24:00']]],
    ['Europe/Moscow', '2026-10-25', [['02:00', '03:00'], ['08:00', '22:00']]],
  ];

  it.each(changes)('%s on %s: allowed exactly when the clock reads the span', (zone, date, spans) => {
    const day = DateTime.fromISO(date, { zone });
    const from = DateTime.fromISO(date, { zone: 'UTC' }).toMillis() - 16 * 3600_000;
    for (const [start, end] of spans) {
      const intervals = momentsReading(day, parseLocalTime(start, 'start'), parseLocalTime(end, 'end'));
      const mismatches: string[] = [];
      for (let ms = from; ms < from + 56 * 3600_000; ms += 5 * 60_000) {
        const allowed = intervals.some(([a, b]) => a <= ms && ms < b);
        if (allowed !== reads(ms, zone, date, start, end)) mismatches.push(DateTime.fromMillis(ms, { zone }).toISO() as string);
      }
      expect({ span: `${start}-${end}`, mismatches: mismatches.slice(0, 3) }).toEqual({ span: `${start}-${end}`, mismatches: [] });
    }
  });
});
