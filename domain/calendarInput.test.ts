import { refusal } from './testing/refusal';
import { calendarDaySchema, calendarDaysSchema, calendarPeriodSchema } from './calendarInput';
import { parseInput } from './parseInput';

describe('a calendar day', () => {
  it('is a country, a date, a kind and an optional name', () => {
    expect(parseInput(calendarDaySchema, { country: 'RU', day: '2026-01-01', kind: 'holiday', name: ' Новый год ' }))
      .toEqual({ country: 'RU', day: '2026-01-01', kind: 'holiday', name: 'Новый год' });
    expect(parseInput(calendarDaySchema, { country: 'RU', day: '2026-11-01', kind: 'working' }).name).toBe('');
  });

  it('names each bad field', () => {
    const err = refusal(() => parseInput(calendarDaySchema, { country: 'ru', day: '2026-02-30', kind: 'off' }, 'input'));
    expect(err.issues.map((i) => i.path)).toEqual(['input.country', 'input.day', 'input.kind']);
    expect(err.issues[1].message).toBe('not a calendar date');
    expect(refusal(() => parseInput(calendarDaySchema, { country: 'RU', day: '1.1.2026', kind: 'holiday' })).issues[0].message)
      .toBe('a date YYYY-MM-DD');
  });
});

describe('an import of days', () => {
  it('refuses a day given twice, naming both', () => {
    const err = refusal(() => parseInput(calendarDaysSchema, [
      { country: 'RU', day: '2026-01-01', kind: 'holiday' },
      { country: 'KZ', day: '2026-01-01', kind: 'holiday' },
      { country: 'RU', day: '2026-01-01', kind: 'working' },
    ], 'days'));
    expect(err.issues).toEqual([{ path: 'days.2.day', message: 'RU 2026-01-01 is already given at 0' }]);
  });

  it('names a bad day by its index', () => {
    const err = refusal(() => parseInput(calendarDaysSchema, [
      { country: 'RU', day: '2026-01-01', kind: 'holiday' },
      { country: 'RU', day: '2026-01-02', kind: 'weekend' },
    ], 'days'));
    expect(err.issues.map((i) => i.path)).toEqual(['days.1.kind']);
  });
});

describe('a period', () => {
  it('runs forward', () => {
    expect(parseInput(calendarPeriodSchema, { country: 'RU', from: '2026-01-01', to: '2026-01-01' })).toEqual({ country: 'RU', from: '2026-01-01', to: '2026-01-01' });
    expect(refusal(() => parseInput(calendarPeriodSchema, { country: 'RU', from: '2026-02-01', to: '2026-01-01' })).issues)
      .toEqual([{ path: 'to', message: 'must not be before from (2026-02-01)' }]);
  });
});
