import { dateTextRu, dateWordsRu, ordinalWordsRu, parseDateRu } from './datesRu';

describe('ordinalWordsRu', () => {
  it.each([
    [1, 'первое'], [3, 'третье'], [4, 'четвёртое'], [7, 'седьмое'], [11, 'одиннадцатое'], [20, 'двадцатое'],
    [23, 'двадцать третье'], [30, 'тридцатое'], [31, 'тридцать первое'],
  ])('day %i is %s', (n, words) => expect(ordinalWordsRu(n, 'neuter-nominative')).toBe(words));

  it.each([
    [2026, 'две тысячи двадцать шестого'], [2000, 'двухтысячного'], [1999, 'тысяча девятьсот девяносто девятого'],
    [1900, 'тысяча девятисотого'], [2040, 'две тысячи сорокового'], [2003, 'две тысячи третьего'],
    [2100, 'две тысячи сотого'], [1000, 'тысячного'], [812, 'восемьсот двенадцатого'], [5000, 'пятитысячного'],
  ])('year %i is %s', (n, words) => expect(ordinalWordsRu(n, 'masculine-genitive')).toBe(words));

  it('refuses what it cannot say', () => {
    expect(() => ordinalWordsRu(0, 'neuter-nominative')).toThrow(RangeError);
    expect(() => ordinalWordsRu(10_000, 'neuter-nominative')).toThrow(RangeError);
    expect(() => ordinalWordsRu(1.5, 'neuter-nominative')).toThrow(RangeError);
  });
});

describe('parseDateRu', () => {
  it.each([
    ['2026-12-05', { year: 2026, month: 12, day: 5 }],
    ['05.12.2026', { year: 2026, month: 12, day: 5 }],
    [' 5.1.2026 ', { year: 2026, month: 1, day: 5 }],
    ['05/12/2026', { year: 2026, month: 12, day: 5 }],
    ['2026-12-05 00:00:00', { year: 2026, month: 12, day: 5 }],
    ['2026-12-05T10:00:00.000Z', { year: 2026, month: 12, day: 5 }],
    ['29.02.2028', { year: 2028, month: 2, day: 29 }],
  ])('reads %j', (value, date) => expect(parseDateRu(value)).toEqual(date));

  it.each(['29.02.2026', '31.04.2026', '2026-13-01', '00.01.2026', '2026-12', 'soon', '', '12/05/26', '2026-12-05x'])(
    'refuses %j', (value) => expect(parseDateRu(value)).toBeNull(),
  );
});

describe('a date as text and words', () => {
  it('is read in digits and said in words', () => {
    const d = { year: 2026, month: 12, day: 5 };
    expect(dateTextRu(d)).toBe('05.12.2026');
    expect(dateWordsRu(d)).toBe('пятое декабря две тысячи двадцать шестого года');
    expect(dateWordsRu({ year: 2027, month: 5, day: 22 })).toBe('двадцать второе мая две тысячи двадцать седьмого года');
  });
});
