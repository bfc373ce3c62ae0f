import { DateTime } from 'luxon';
import { atLocal, parseLocalTime, zoned } from './timeWindow';

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

  it('puts 24:00 at the next midnight, across a daylight-saving night too', () => {
    const day = DateTime.fromISO('2026-03-08T10:00', { zone: 'America/New_York' });
    expect(atLocal(day, parseLocalTime('24:00', 'end')).toISO()).toBe('2026-03-09T00:00:00.000-04:00');
  });

  it('moves a time inside a daylight-saving gap to the first moment after it', () => {
    const day = DateTime.fromISO('2026-03-08T10:00', { zone: 'America/New_York' });
    expect(atLocal(day, parseLocalTime('02:30', 'start')).toISO()).toBe('2026-03-08T03:30:00.000-04:00');
  });

  it('refuses a zone that is not an IANA zone', () => {
    expect(() => zoned(0, 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });
});
