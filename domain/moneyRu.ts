// Money in Russian: the noun's form follows the number (1 рубль, 2 рубля, 5 рублей, 11 рублей,
// 21 рубль), by the standard rule for Russian numerals — the last digit, except 11-14.
//
// Three renderings of an amount (all drop the sign: a balance of -68.27 is a debt the template
// words as "задолженность", so the amount itself is always said unsigned):
//   moneyTextRu    "12 345 рублей 50 копеек"    digits + declined noun, for people and reports;
//   moneyWordsRu   "двенадцать тысяч триста сорок пять рублей пятьдесят копеек", for a speech
//                  service (moneySsmlRu wraps it in <speak> for SpeechKit's API v1);
//   moneyPromptsRu the same words as a sequence of Asterisk prompts, when there is no speech
//                  service.
// Roubles are always said, kopecks only when there are any: 5.00 is "пять рублей", 0.00 is
// "ноль рублей", 0.01 is "ноль рублей одна копейка" (as the text says "0 рублей 1 копейка").
//
// Prompts. Numbers use the file names of Asterisk's own Russian number saying,
// ast_say_number_full_ru() in main/say.c (asterisk/asterisk): digits/0..19, digits/20..90,
// digits/100..900 ("сто", "двести"...), digits/1f and digits/2f ("одна", "две": the "f" option
// say.c appends for feminine nouns, and uses itself for тысяча), digits/1n and digits/2n (option
// "n", "одно"/"два", as app_voicemail uses them), digits/thousand / thousands-i / thousands
// (тысяча / тысячи / тысяч), digits/million / million-a / millions. say.c stops below 10^9
// ("too big for me"); above that this module goes on by analogy: digits/billion / billion-a /
// billions (миллиард / миллиарда / миллиардов).
// Asterisk's stock Russian prompts (asterisk-core-sounds-ru-gsm 1.6.1, IvrvoiceRU) have only
// part of these: say.c's header lists n00, thousands-i, million-a, thousands, millions, 1f and
// 2f as "additional files", and the core package does not ship them (nor billion-a, billions).
// RU_NUMBER_PROMPTS lists every file a sequence can name, to check an installation against.
// No Asterisk package records the currency words: the six files
//   dialer/money/rubl, rublya, rubley  (рубль, рубля, рублей)
//   dialer/money/kopeyka, kopeyki, kopeek  (копейка, копейки, копеек)
// (in the sounds folder of the channel's language, e.g. sounds/ru/dialer/money/rubl.gsm) must be
// recorded once per installation, or synthesized once by the speech provider.

export type PluralForms = readonly [one: string, few: string, many: string];
export type Gender = 'masculine' | 'feminine' | 'neuter';

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

// ---------------------------------------------------------------------------------------------
// Numbers in words

/** The largest number said: 999 999 999 999 (миллиарды are the last scale). */
export const MAX_NUMBER_RU = 999_999_999_999;

const UNITS = ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];
const UNITS_FEMININE: Record<number, string> = { 1: 'одна', 2: 'две' };
const UNITS_NEUTER: Record<number, string> = { 1: 'одно', 2: 'два' };
const TEENS = [
  'десять', 'одиннадцать', 'двенадцать', 'тринадцать', 'четырнадцать',
  'пятнадцать', 'шестнадцать', 'семнадцать', 'восемнадцать', 'девятнадцать',
];
const TENS = ['', '', 'двадцать', 'тридцать', 'сорок', 'пятьдесят', 'шестьдесят', 'семьдесят', 'восемьдесят', 'девяносто'];
const HUNDREDS = ['', 'сто', 'двести', 'триста', 'четыреста', 'пятьсот', 'шестьсот', 'семьсот', 'восемьсот', 'девятьсот'];

/** Scales from the largest, with the gender of their noun: тысяча is feminine, the others masculine. */
const SCALES: ReadonlyArray<{ size: number; gender: Gender; words: PluralForms; prompts: PluralForms }> = [
  { size: 1e9, gender: 'masculine', words: ['миллиард', 'миллиарда', 'миллиардов'], prompts: ['digits/billion', 'digits/billion-a', 'digits/billions'] },
  { size: 1e6, gender: 'masculine', words: ['миллион', 'миллиона', 'миллионов'], prompts: ['digits/million', 'digits/million-a', 'digits/millions'] },
  { size: 1e3, gender: 'feminine', words: ['тысяча', 'тысячи', 'тысяч'], prompts: ['digits/thousand', 'digits/thousands-i', 'digits/thousands'] },
];

function checkNumber(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_NUMBER_RU) {
    throw new RangeError(`${n} is not a whole number from 0 to ${MAX_NUMBER_RU}`);
  }
}

function unitWord(u: number, gender: Gender): string {
  if (gender === 'feminine' && UNITS_FEMININE[u]) return UNITS_FEMININE[u];
  if (gender === 'neuter' && UNITS_NEUTER[u]) return UNITS_NEUTER[u];
  return UNITS[u];
}

/** 1..999 in words; the gender decides один/одна/одно and два/две. */
function belowThousandWords(n: number, gender: Gender): string[] {
  const words: string[] = [];
  const h = Math.floor(n / 100);
  const rest = n % 100;
  if (h) words.push(HUNDREDS[h]);
  if (rest >= 10 && rest < 20) words.push(TEENS[rest - 10]);
  else {
    if (rest >= 20) words.push(TENS[Math.floor(rest / 10)]);
    if (rest % 10) words.push(unitWord(rest % 10, gender));
  }
  return words;
}

/**
 * A cardinal number in words, agreeing with a noun of the given gender:
 * numberToWordsRu(21, 'feminine') is "двадцать одна" (копейка), (2, 'masculine') "два" (рубля).
 * 0 ≤ n ≤ 999 999 999 999; 1000 is "одна тысяча".
 */
export function numberToWordsRu(n: number, gender: Gender): string {
  checkNumber(n);
  if (n === 0) return 'ноль';
  const words: string[] = [];
  let rest = n;
  for (const scale of SCALES) {
    const count = Math.floor(rest / scale.size);
    rest %= scale.size;
    if (count) words.push(...belowThousandWords(count, scale.gender), pluralRu(count, scale.words));
  }
  if (rest) words.push(...belowThousandWords(rest, gender));
  return words.join(' ');
}

function splitKopecks(kopecks: number): { roubles: number; rest: number } {
  if (!Number.isSafeInteger(kopecks)) throw new RangeError(`${kopecks} is not a whole number of kopecks`);
  const abs = Math.abs(kopecks);
  return { roubles: Math.floor(abs / 100), rest: abs % 100 };
}

/** "одна тысяча двести тридцать четыре рубля пятьдесят копеек" from 123450; the sign is dropped. */
export function moneyWordsRu(kopecks: number): string {
  const { roubles, rest } = splitKopecks(kopecks);
  const words = `${numberToWordsRu(roubles, 'masculine')} ${pluralRu(roubles, ROUBLE)}`;
  return rest === 0 ? words : `${words} ${numberToWordsRu(rest, 'feminine')} ${pluralRu(rest, KOPECK)}`;
}

// ---------------------------------------------------------------------------------------------
// SSML

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text as an SSML document: <speak> + the text with & < > " ' escaped + </speak>. */
export function ssmlRu(text: string): string {
  return `<speak>${text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c])}</speak>`;
}

/**
 * The amount as SSML for Yandex SpeechKit: plain words in <speak>. SpeechKit's SSML (API v1 only;
 * v3 takes plain text or its own TTS markup, so send moneyWordsRu there) has <speak>, <break>,
 * <p>, <s>, <phoneme> and <sub> — no <say-as interpret-as="cardinal"> and no way to say which
 * case or gender a number takes, so markup adds nothing to correctness; the declension is done
 * here, in the words (yandex.cloud/en/docs/speechkit/tts/markup/ssml).
 */
export function moneySsmlRu(kopecks: number): string {
  return ssmlRu(moneyWordsRu(kopecks));
}

// ---------------------------------------------------------------------------------------------
// Asterisk prompts (see the header for the file names and which of them need recording)

export const ROUBLE_PROMPTS: PluralForms = ['dialer/money/rubl', 'dialer/money/rublya', 'dialer/money/rubley'];
export const KOPECK_PROMPTS: PluralForms = ['dialer/money/kopeyka', 'dialer/money/kopeyki', 'dialer/money/kopeek'];

function unitPrompt(u: number, gender: Gender): string {
  // say.c: snprintf("digits/%d%s", num, options) for num < 3 with a one-letter option.
  if (u < 3 && gender === 'feminine') return `digits/${u}f`;
  if (u < 3 && gender === 'neuter') return `digits/${u}n`;
  return `digits/${u}`;
}

/** 1..999: digits/<hundreds>00, digits/<tens>0 or digits/<10..19>, digits/<units>[f|n]. */
function belowThousandPrompts(n: number, gender: Gender): string[] {
  const files: string[] = [];
  const h = Math.floor(n / 100);
  const rest = n % 100;
  if (h) files.push(`digits/${h * 100}`);
  if (rest >= 10 && rest < 20) files.push(`digits/${rest}`);
  else {
    if (rest >= 20) files.push(`digits/${rest - (rest % 10)}`);
    if (rest % 10) files.push(unitPrompt(rest % 10, gender));
  }
  return files;
}

/**
 * A number as Asterisk prompt files (names without the `sound:` scheme), as say.c's
 * ast_say_number_full_ru() would play it for the given gender: 0 is digits/0; 21 000 is
 * digits/20, digits/1f, digits/thousand.
 */
export function numberPromptFilesRu(n: number, gender: Gender): string[] {
  checkNumber(n);
  if (n === 0) return ['digits/0'];
  const files: string[] = [];
  let rest = n;
  for (const scale of SCALES) {
    const count = Math.floor(rest / scale.size);
    rest %= scale.size;
    if (count) files.push(...belowThousandPrompts(count, scale.gender), pluralRu(count, scale.prompts));
  }
  if (rest) files.push(...belowThousandPrompts(rest, gender));
  return files;
}

/** The amount as Asterisk media, in playing order: `sound:digits/...`, `sound:dialer/money/...`. */
export function moneyPromptsRu(kopecks: number): string[] {
  const { roubles, rest } = splitKopecks(kopecks);
  const files = [...numberPromptFilesRu(roubles, 'masculine'), pluralRu(roubles, ROUBLE_PROMPTS)];
  if (rest) files.push(...numberPromptFilesRu(rest, 'feminine'), pluralRu(rest, KOPECK_PROMPTS));
  return files.map((file) => `sound:${file}`);
}

/** Every prompt file a number or amount can name: what an installation has to have. */
export const RU_NUMBER_PROMPTS: readonly string[] = [
  ...Array.from({ length: 20 }, (_, i) => `digits/${i}`),
  'digits/1f', 'digits/2f', 'digits/1n', 'digits/2n',
  ...[20, 30, 40, 50, 60, 70, 80, 90].map((t) => `digits/${t}`),
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((h) => `digits/${h * 100}`),
  ...SCALES.flatMap((s) => s.prompts),
  ...ROUBLE_PROMPTS,
  ...KOPECK_PROMPTS,
];
