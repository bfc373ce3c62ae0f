import { numberToWordsRu } from './moneyRu';

// Dates in Russian words, as a message says them: "пятое декабря две тысячи двадцать шестого
// года" — the day an ordinal in the neuter nominative (число is neuter), the month in the
// genitive, the year an ordinal in the masculine genitive (года). In a compound ordinal only the
// last word is ordinal: две тысячи двадцать шестого, тысяча девятьсот девяностого. Pure: no I/O.

export interface CalendarDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

const MONTHS_GENITIVE = [
  'января', 'февраля', 'марта', 'апреля', 'мая', 'июня',
  'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря',
];

// Ordinal stems; the ending follows the case (see ORDINAL_ENDINGS). третий is soft: трет + ье/ьего.
const UNIT_STEMS = ['', 'перв', 'втор', 'трет', 'четвёрт', 'пят', 'шест', 'седьм', 'восьм', 'девят'];
const TEEN_STEMS = [
  'десят', 'одиннадцат', 'двенадцат', 'тринадцат', 'четырнадцат',
  'пятнадцат', 'шестнадцат', 'семнадцат', 'восемнадцат', 'девятнадцат',
];
const TEN_STEMS = ['', '', 'двадцат', 'тридцат', 'сороков', 'пятидесят', 'шестидесят', 'семидесят', 'восьмидесят', 'девяност'];
const HUNDRED_STEMS = ['', 'сот', 'двухсот', 'трёхсот', 'четырёхсот', 'пятисот', 'шестисот', 'семисот', 'восьмисот', 'девятисот'];
// A round thousand is one word: двухтысячный (2000-й), not "две тысячный".
const THOUSAND_STEMS = ['', 'тысячн', 'двухтысячн', 'трёхтысячн', 'четырёхтысячн', 'пятитысячн', 'шеститысячн', 'семитысячн', 'восьмитысячн', 'девятитысячн'];
const TENS = ['', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто'];

/** The two forms a date needs: the day (пятое) and the year (двадцать шестого). */
export type OrdinalForm = 'neuter-nominative' | 'masculine-genitive';

const ORDINAL_ENDINGS: Record<OrdinalForm, { hard: string; soft: string }> = {
  'neuter-nominative': { hard: 'ое', soft: 'ье' },
  'masculine-genitive': { hard: 'ого', soft: 'ьего' },
};

function ordinalWord(stem: string, form: OrdinalForm): string {
  const ending = ORDINAL_ENDINGS[form];
  return stem + (stem === 'трет' ? ending.soft : ending.hard);
}

/** The largest ordinal said: years and days need no more. */
export const MAX_ORDINAL_RU = 9999;

/**
 * An ordinal number in words, 1 ≤ n ≤ 9999: ordinalWordsRu(5, 'neuter-nominative') is "пятое",
 * ordinalWordsRu(2026, 'masculine-genitive') "две тысячи двадцать шестого".
 */
export function ordinalWordsRu(n: number, form: OrdinalForm): string {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_ORDINAL_RU) {
    throw new RangeError(`${n} is not a whole number from 1 to ${MAX_ORDINAL_RU}`);
  }
  const thousands = Math.floor(n / 1000);
  const hundreds = Math.floor((n % 1000) / 100);
  const rest = n % 100;
  const words: string[] = [];
  if (rest === 0 && hundreds === 0) return ordinalWord(THOUSAND_STEMS[thousands], form);
  // A year is "тысяча девятьсот …", not "одна тысяча".
  if (thousands) words.push(thousands === 1 ? 'тысяча' : numberToWordsRu(thousands * 1000, 'masculine'));
  if (rest === 0) return [...words, ordinalWord(HUNDRED_STEMS[hundreds], form)].join(' ');
  if (hundreds) words.push(numberToWordsRu(hundreds * 100, 'masculine'));
  if (rest < 10) words.push(ordinalWord(UNIT_STEMS[rest], form));
  else if (rest < 20) words.push(ordinalWord(TEEN_STEMS[rest - 10], form));
  else if (rest % 10 === 0) words.push(ordinalWord(TEN_STEMS[rest / 10], form));
  else words.push(TENS[Math.floor(rest / 10)], ordinalWord(UNIT_STEMS[rest % 10], form));
  return words.join(' ');
}

function isCalendarDate(d: CalendarDate): boolean {
  if (d.year < 1 || d.year > MAX_ORDINAL_RU || d.month < 1 || d.month > 12 || d.day < 1) return false;
  // Date.UTC rolls over an impossible day (31.04 → 01.05), so a round trip finds it.
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return t.getUTCMonth() === d.month - 1 && t.getUTCDate() === d.day;
}

/**
 * A date as an import gives it: ISO (2026-12-05, with an optional time after it, as a spreadsheet
 * export writes it) or Russian (05.12.2026, 5.12.2026, 05/12/2026). Null when it is not a date
 * of the calendar (31.04.2026, 2026-13-01, "soon").
 */
export function parseDateRu(value: string): CalendarDate | null {
  const s = value.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  const ru = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(s);
  const date = iso ? { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]) }
    : ru ? { year: Number(ru[3]), month: Number(ru[2]), day: Number(ru[1]) }
      : null;
  return date && isCalendarDate(date) ? date : null;
}

/** "05.12.2026": the date as people read it. */
export function dateTextRu(d: CalendarDate): string {
  return `${String(d.day).padStart(2, '0')}.${String(d.month).padStart(2, '0')}.${String(d.year).padStart(4, '0')}`;
}

/** "пятое декабря две тысячи двадцать шестого года": the date as a message says it. */
export function dateWordsRu(d: CalendarDate): string {
  return `${ordinalWordsRu(d.day, 'neuter-nominative')} ${MONTHS_GENITIVE[d.month - 1]} ${ordinalWordsRu(d.year, 'masculine-genitive')} года`;
}
