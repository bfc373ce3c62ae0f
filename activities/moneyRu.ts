// Money in Russian: the noun's form follows the number (1 рубль, 2 рубля, 5 рублей, 11 рублей,
// 21 рубль), by the standard rule for Russian numerals — the last digit, except 11-14.

export type PluralForms = readonly [one: string, few: string, many: string];

export const ROUBLE: PluralForms = ['рубль', 'рубля', 'рублей'];
export const KOPECK: PluralForms = ['копейка', 'копейки', 'копеек'];

export function pluralRu(n: number, forms: PluralForms): string {
  const lastTwo = Math.abs(n) % 100;
  const last = lastTwo % 10;
  if (lastTwo >= 11 && lastTwo <= 14) return forms[2];
  if (last === 1) return forms[0];
  if (last >= 2 && last <= 4) return forms[1];
  return forms[2];
}

/** "12 345 рублей 50 копеек" from 1234550 kopecks; the sign is the caller's to word. */
export function moneyTextRu(kopecks: number): string {
  const abs = Math.abs(kopecks);
  const roubles = Math.floor(abs / 100);
  const rest = abs % 100;
  // Thin grouping as in print: a plain space every three digits.
  const grouped = String(roubles).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  const text = `${grouped} ${pluralRu(roubles, ROUBLE)}`;
  return rest === 0 ? text : `${text} ${rest} ${pluralRu(rest, KOPECK)}`;
}
