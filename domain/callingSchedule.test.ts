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
    const [from, to] = allowedOnLocalDay(s, day)!;
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
