import { DateTime } from 'luxon';
import { allowedOnLocalDay, dayKind, isAllowedAt, nextAllowedMomentIn, type CallingSchedule } from './callingSchedule';
import { legalPolicy } from './legalPolicy';

const ru = legalPolicy('ru_230fz');
const none = legalPolicy('none');

function schedule(over: Partial<CallingSchedule> = {}): CallingSchedule {
  return {
    window: { start: '00:00', end: '24:00' },
    weeklyHours: {},
    startDate: null,
    endDate: null,
    calendar: { holidays: [], workingDays: [] },
    policy: ru,
    ...over,
  };
}

const at = (iso: string, zone: string): number => DateTime.fromISO(iso, { zone }).toMillis();
const show = (ms: number | null, zone: string): string | null =>
  ms === null ? null : DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm ZZ ccc");

describe('230-FZ hours on top of the campaign schedule', () => {
  const msk = 'Europe/Moscow';

  it.each([
    // 2026-11-26 is a Thursday (working day): 08:00-22:00
    ['working day, before 08:00', '2026-11-26T07:59', '2026-11-26T08:00 +03:00 Thu'],
    ['working day, 21:59', '2026-11-26T21:59', '2026-11-26T21:59 +03:00 Thu'],
    ['working day, 22:00: Friday morning', '2026-11-26T22:00', '2026-11-27T08:00 +03:00 Fri'],
    // Friday 22:00 → Saturday is a rest day: 09:00-20:00
    ['Friday night: Saturday 09:00', '2026-11-27T23:00', '2026-11-28T09:00 +03:00 Sat'],
    ['Saturday 20:00: Sunday 09:00', '2026-11-28T20:00', '2026-11-29T09:00 +03:00 Sun'],
    ['Sunday 20:30: Monday 08:00', '2026-11-29T20:30', '2026-11-30T08:00 +03:00 Mon'],
  ])('%s', (_label, now, expected) => {
    expect(show(nextAllowedMomentIn(schedule(), [msk], at(now, msk)), msk)).toBe(expected);
  });

  it('treats a public holiday on a weekday as a rest day, and a transferred Saturday as a working day', () => {
    const s = schedule({ calendar: { holidays: ['2026-11-04'], workingDays: ['2026-11-28'] } });
    expect(show(nextAllowedMomentIn(s, [msk], at('2026-11-04T08:30', msk)), msk)).toBe('2026-11-04T09:00 +03:00 Wed');
    expect(show(nextAllowedMomentIn(s, [msk], at('2026-11-28T08:30', msk)), msk)).toBe('2026-11-28T08:30 +03:00 Sat');
    expect(dayKind(DateTime.fromISO('2026-11-04'), s.calendar)).toBe('rest');
    expect(dayKind(DateTime.fromISO('2026-11-28'), s.calendar)).toBe('working');
  });

  it('intersects the campaign hours with the legal hours', () => {
    const s = schedule({ window: { start: '07:00', end: '21:00' } });
    const day = DateTime.fromISO('2026-11-28', { zone: msk }); // Saturday: legal 09-20
    const [[from, to], ...more] = allowedOnLocalDay(s, day);
    expect(more).toEqual([]);
    expect([show(from, msk), show(to, msk)]).toEqual(['2026-11-28T09:00 +03:00 Sat', '2026-11-28T20:00 +03:00 Sat']);
  });
});

describe('campaign schedule', () => {
  const zone = 'Europe/Moscow';

  it('uses the hours of each day of week, and skips closed days', () => {
    const s = schedule({ policy: none, window: { start: '09:00', end: '18:00' }, weeklyHours: { '5': ['10:00', '12:00'], '6': null, '7': null } });
    expect(show(nextAllowedMomentIn(s, [zone], at('2026-11-27T09:30', zone)), zone)).toBe('2026-11-27T10:00 +03:00 Fri');
    expect(show(nextAllowedMomentIn(s, [zone], at('2026-11-27T12:00', zone)), zone)).toBe('2026-11-30T09:00 +03:00 Mon');
  });

  it('honours start and end dates, and has no moment after the end', () => {
    const s = schedule({ policy: none, window: { start: '09:00', end: '18:00' }, startDate: '2026-12-01', endDate: '2026-12-02' });
    expect(show(nextAllowedMomentIn(s, [zone], at('2026-11-26T10:00', zone)), zone)).toBe('2026-12-01T09:00 +03:00 Tue');
    expect(nextAllowedMomentIn(s, [zone], at('2026-12-02T18:00', zone))).toBeNull();
  });

  it('crosses month and year ends', () => {
    const s = schedule({ policy: none, window: { start: '09:00', end: '18:00' } });
    expect(show(nextAllowedMomentIn(s, [zone], at('2026-11-30T19:00', zone)), zone)).toBe('2026-12-01T09:00 +03:00 Tue');
    expect(show(nextAllowedMomentIn(s, [zone], at('2026-12-31T19:00', zone)), zone)).toBe('2027-01-01T09:00 +03:00 Fri');
  });
});

describe('the subscriber’s zone', () => {
  it('calls a Vladivostok number in Vladivostok hours, whatever the time in Moscow', () => {
    const vl = 'Asia/Vladivostok';
    // 13:00 in Moscow on a Thursday is 20:00 in Vladivostok: allowed (working day until 22:00)
    expect(isAllowedAt(schedule(), [vl], at('2026-11-26T13:00', 'Europe/Moscow'))).toBe(true);
    // 15:00 in Moscow is 22:00 there: next is Friday 08:00 Vladivostok = Thursday 01:00 Moscow
    const next = nextAllowedMomentIn(schedule(), [vl], at('2026-11-26T15:00', 'Europe/Moscow'));
    expect(show(next, vl)).toBe('2026-11-27T08:00 +10:00 Fri');
    expect(show(next, 'Europe/Moscow')).toBe('2026-11-27T01:00 +03:00 Fri');
  });

  it('calls a number of uncertain zone only in hours allowed in every candidate zone', () => {
    const yakutia = ['Asia/Yakutsk', 'Asia/Vladivostok', 'Asia/Srednekolymsk']; // +09, +10, +11
    const s = schedule();
    // 08:00 in Srednekolymsk is 06:00 in Yakutsk: the first common moment is 08:00 Yakutsk
    const next = nextAllowedMomentIn(s, yakutia, at('2026-11-26T07:00', 'Asia/Srednekolymsk'));
    expect(show(next, 'Asia/Yakutsk')).toBe('2026-11-26T08:00 +09:00 Thu');
    // and the last is 22:00 Srednekolymsk = 20:00 Yakutsk
    expect(isAllowedAt(s, yakutia, at('2026-11-26T19:59', 'Asia/Yakutsk'))).toBe(true);
    expect(isAllowedAt(s, yakutia, at('2026-11-26T20:00', 'Asia/Yakutsk'))).toBe(false);
  });

  it('keeps local hours for a +1 number in New York across the March and November changes', () => {
    const ny = 'America/New_York';
    const s = schedule({ policy: none, window: { start: '09:00', end: '20:00' } });
    // Sunday 2026-03-08: 02:00 EST → 03:00 EDT
    expect(show(nextAllowedMomentIn(s, [ny], at('2026-03-07T20:30', ny)), ny)).toBe('2026-03-08T09:00 -04:00 Sun');
    expect(nextAllowedMomentIn(s, [ny], at('2026-03-07T20:30', ny))! - at('2026-03-07T20:30', ny)).toBe(11.5 * 3600_000);
    // Sunday 2026-11-01: 02:00 EDT → 01:00 EST
    expect(show(nextAllowedMomentIn(s, [ny], at('2026-10-31T20:30', ny)), ny)).toBe('2026-11-01T09:00 -05:00 Sun');
    expect(nextAllowedMomentIn(s, [ny], at('2026-10-31T20:30', ny))! - at('2026-10-31T20:30', ny)).toBe(13.5 * 3600_000);
  });

  it('handles half-hour zones', () => {
    const s = schedule({ policy: none, window: { start: '09:00', end: '20:00' } });
    expect(show(nextAllowedMomentIn(s, ['Asia/Kolkata'], Date.UTC(2026, 10, 26, 3, 0)), 'Asia/Kolkata')).toBe('2026-11-26T09:00 +05:30 Thu');
    // Kolkata +05:30 with Kathmandu +05:45: both open by 09:00 Kolkata, which is 09:15 Kathmandu
    expect(show(nextAllowedMomentIn(s, ['Asia/Kolkata', 'Asia/Kathmandu'], Date.UTC(2026, 10, 26, 3, 0)), 'Asia/Kathmandu'))
      .toBe('2026-11-26T09:15 +05:45 Thu');
  });

  it('finds no moment when candidate zones never overlap', () => {
    const s = schedule({ policy: none, window: { start: '09:00', end: '10:00' } });
    expect(nextAllowedMomentIn(s, ['Europe/Moscow', 'Asia/Kamchatka'], at('2026-11-26T07:00', 'Europe/Moscow'))).toBeNull();
  });
});

describe('the days the clocks move', () => {
  const ny = 'America/New_York';
  const hours = (start: string, end: string): CallingSchedule => schedule({ policy: none, window: { start, end } });
  const next = (s: CallingSchedule, zones: string[], ms: number, zone = zones[0]): string | null =>
    show(nextAllowedMomentIn(s, zones, ms), zone);

  describe('spring forward in New York, Sunday 2026-03-08 (02:00 EST → 03:00 EDT)', () => {
    it('02:30–05:00 opens at 03:00, the moment the clocks jump', () => {
      expect(next(hours('02:30', '05:00'), [ny], at('2026-03-08T00:00', ny))).toBe('2026-03-08T03:00 -04:00 Sun');
      expect(isAllowedAt(hours('02:30', '05:00'), [ny], at('2026-03-08T01:59:59', ny))).toBe(false);
      expect(isAllowedAt(hours('02:30', '05:00'), [ny], at('2026-03-08T03:00', ny))).toBe(true);
    });

    it.each([['02:00', '03:00'], ['02:15', '02:45']])('%s–%s has no window that day: the next is Monday’s, and nothing throws', (start, end) => {
      const s = hours(start, end);
      expect(allowedOnLocalDay(s, DateTime.fromISO('2026-03-08', { zone: ny }))).toEqual([]);
      expect(next(s, [ny], at('2026-03-07T23:00', ny))).toBe(`2026-03-09T${start} -04:00 Mon`);
      expect(isAllowedAt(s, [ny], at('2026-03-08T03:00', ny))).toBe(false);
    });
  });

  describe('fall back in New York, Sunday 2026-11-01 (02:00 EDT → 01:00 EST)', () => {
    it('01:00–02:00 is allowed on both passes, two real hours, then Monday', () => {
      const s = hours('01:00', '02:00');
      expect(next(s, [ny], at('2026-11-01T00:30', ny))).toBe('2026-11-01T01:00 -04:00 Sun');
      expect(isAllowedAt(s, [ny], Date.UTC(2026, 10, 1, 6, 59, 59))).toBe(true); // 01:59:59 EST
      expect(isAllowedAt(s, [ny], Date.UTC(2026, 10, 1, 7, 0))).toBe(false); // 02:00 EST
      expect(next(s, [ny], Date.UTC(2026, 10, 1, 7, 0))).toBe('2026-11-02T01:00 -05:00 Mon');
    });

    it('01:30–03:00 opens at the first 01:30, shuts while the clock reads 01:00–01:29 again, and reopens at the second 01:30', () => {
      const s = hours('01:30', '03:00');
      expect(next(s, [ny], at('2026-11-01T00:00', ny))).toBe('2026-11-01T01:30 -04:00 Sun');
      expect(isAllowedAt(s, [ny], Date.UTC(2026, 10, 1, 5, 59))).toBe(true); // 01:59 EDT
      expect(isAllowedAt(s, [ny], Date.UTC(2026, 10, 1, 6, 15))).toBe(false); // 01:15 EST
      expect(next(s, [ny], Date.UTC(2026, 10, 1, 6, 0))).toBe('2026-11-01T01:30 -05:00 Sun');
    });
  });

  it('keeps the legal hours on the wall clock: a 230-FZ day in a zone that moves its clocks at 00:00', () => {
    // Santiago, Sunday 2026-09-06 00:00 → 01:00; Saturday 2026-04-04 24:00 → 23:00 again
    const cl = 'America/Santiago';
    const s = schedule({ window: { start: '00:00', end: '24:00' } });
    expect(next(s, [cl], at('2026-09-05T20:00', cl))).toBe('2026-09-06T09:00 -03:00 Sun');
    expect(next(s, [cl], at('2026-04-04T20:00', cl))).toBe('2026-04-05T09:00 -04:00 Sun');
  });

  it.each([
    // zone, campaign hours, from (local, before the change), expected
    ['Europe/Berlin', '02:30–05:00', '2026-03-29T00:00', '2026-03-29T03:00 +02:00 Sun'],
    ['Europe/Berlin', '02:15–02:45', '2026-03-29T00:00', '2026-03-30T02:15 +02:00 Mon'],
    ['Europe/London', '01:15–01:45', '2026-03-29T00:00', '2026-03-30T01:15 +01:00 Mon'],
    ['Australia/Lord_Howe', '02:10–02:20', '2026-10-04T00:00', '2026-10-05T02:10 +11:00 Mon'],
    ['Australia/Lord_Howe', '02:15–04:00', '2026-10-04T00:00', '2026-10-04T02:30 +11:00 Sun'],
    ['Australia/Lord_Howe', '01:45–03:00', '2026-04-05T00:00', '2026-04-05T01:45 +11:00 Sun'],
    ['Asia/Kolkata', '02:15–02:45', '2026-03-08T00:00', '2026-03-08T02:15 +05:30 Sun'],
  ])('%s, %s from %s: %s', (zone, span, from, expected) => {
    const [start, end] = span.split('–');
    expect(next(hours(start, end), [zone], at(from, zone))).toBe(expected);
  });

  it('reopens on the second pass of the repeated hour in Berlin (03:00 CEST → 02:00 CET on 2026-10-25)', () => {
    const s = hours('02:30', '05:00');
    expect(next(s, ['Europe/Berlin'], Date.UTC(2026, 9, 25, 0, 45))).toBe('2026-10-25T02:45 +02:00 Sun');
    expect(isAllowedAt(s, ['Europe/Berlin'], Date.UTC(2026, 9, 25, 1, 0))).toBe(false); // 02:00 CET
    expect(next(s, ['Europe/Berlin'], Date.UTC(2026, 9, 25, 1, 0))).toBe('2026-10-25T02:30 +01:00 Sun');
  });

  it('reopens on the second pass of the repeated hour in Lord Howe, which repeats only half an hour', () => {
    // 2026-04-05 02:00 +11:00 → 01:30 +10:30: 01:30–01:59 is read twice
    const lh = 'Australia/Lord_Howe';
    const s = hours('01:45', '03:00');
    expect(isAllowedAt(s, [lh], Date.UTC(2026, 3, 4, 14, 50))).toBe(true); // 01:50 +11:00
    expect(isAllowedAt(s, [lh], Date.UTC(2026, 3, 4, 15, 5))).toBe(false); // 01:35 +10:30
    expect(show(nextAllowedMomentIn(s, [lh], Date.UTC(2026, 3, 4, 15, 0)), lh)).toBe('2026-04-05T01:45 +10:30 Sun');
  });

  it('intersects candidate zones that change on different days', () => {
    // New York moves on 2026-03-08, Berlin on 2026-03-29: in between they are 5 hours apart, so
    // 09:00–16:00 in both is 09:00–11:00 New York; after, 6 hours apart, only 09:00–10:00
    const s = hours('09:00', '16:00');
    const both = [ny, 'Europe/Berlin'];
    expect(next(s, both, at('2026-03-20T08:00', ny))).toBe('2026-03-20T09:00 -04:00 Fri');
    expect(isAllowedAt(s, both, at('2026-03-20T10:59', ny))).toBe(true);
    expect(isAllowedAt(s, both, at('2026-03-20T11:00', ny))).toBe(false);
    expect(next(s, both, at('2026-03-29T10:00', ny))).toBe('2026-03-30T09:00 -04:00 Mon');
    expect(isAllowedAt(s, both, at('2026-03-30T09:59', ny))).toBe(true);
    expect(isAllowedAt(s, both, at('2026-03-30T10:00', ny))).toBe(false);
  });

  it.each([
    ['America/New_York', ['2026-03-08', '2026-11-01']],
    ['Europe/Berlin', ['2026-03-29', '2026-10-25']],
    ['Europe/London', ['2026-03-29', '2026-10-25']],
    ['Australia/Lord_Howe', ['2026-04-05', '2026-10-04']],
    ['America/Santiago', ['2026-04-04', '2026-09-06']],
    ['Asia/Tehran', ['2022-03-22', '2022-09-21']],
    ['Asia/Kolkata', ['2026-03-08', '2026-11-01']],
  ])('%s: every next moment around the changes is at a wall time inside the hours, and nothing throws', (zone, days) => {
    const spans = [['02:00', '03:00'], ['02:30', '05:00'], ['02:15', '02:45'], ['01:00', '02:00'], ['01:30', '03:00'], ['00:00', '01:30'], ['23:30', '24:00']];
    for (const day of days) {
      for (const [start, end] of spans) {
        const s = hours(start, end);
        const until = at(day, zone) + 3 * 86_400_000;
        const seen: string[] = [];
        // From two days before, step through every allowed stretch 20 minutes at a time
        for (let now = at(day, zone) - 2 * 86_400_000; now < until;) {
          const moment = nextAllowedMomentIn(s, [zone], now)!;
          const local = DateTime.fromMillis(moment, { zone }).toFormat('HH:mm:ss');
          if (local < `${start}:00` || (end !== '24:00' && local >= `${end}:00`)) seen.push(DateTime.fromMillis(moment, { zone }).toISO() as string);
          now = moment + 20 * 60_000;
        }
        expect({ span: `${start}-${end}`, outside: seen }).toEqual({ span: `${start}-${end}`, outside: [] });
      }
    }
  });
});
