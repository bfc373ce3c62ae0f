import {
  getCountryCallingCode,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type NumberType,
  type PhoneNumber,
} from 'libphonenumber-js/max';

// The 'max' metadata knows the real number ranges of each country, so "valid" means "a number
// that can exist", not just "has a plausible length": a dialler must not burn attempts (and a
// caller id's reputation) on numbers that cannot be allocated.

export type { CountryCode, NumberType };

export type NormalizedPhone =
  | {
    ok: true; e164: string; country: string | undefined; note?: string;
    /** What the number's range is (MOBILE, FIXED_LINE, FIXED_LINE_OR_MOBILE, ...), when asked for. */
    type?: NumberType;
  }
  | { ok: false; reason: string };

export interface NormalizeOptions {
  /** Also tell the number's type from its range (a few more pattern matches per number). */
  type?: boolean;
}

// Separators people put into numbers: spaces (incl. no-break spaces from spreadsheets), dashes of
// every width, brackets around the area code, dots.
const SEPARATORS = /[\s\u00a0\u202f\-\u2010-\u2015().]/g;
const LETTER = /\p{L}/u;

// E.164 allows at most 15 digits; the schema's check needs at least 7.
const MAX_DIGITS = 15;

/**
 * Reads one phone number as a person or an ERP wrote it and returns it in E.164, with a note
 * that tells the user what was done whenever the number was not written in full international
 * form of the default country (the note is shown to the user and stored with the number).
 */
export function normalizePhone(raw: string, defaultCountry: CountryCode = 'RU', options: NormalizeOptions = {}): NormalizedPhone {
  const read = readPhone(raw, defaultCountry);
  if (!read.ok || !options.type) return read.ok ? read.result : read;
  return { ...read.result, type: read.phone.getType() };
}

type Reading = { ok: true; result: NormalizedPhone & { ok: true }; phone: PhoneNumber } | { ok: false; reason: string };

function readPhone(raw: string, defaultCountry: CountryCode): Reading {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'empty' };
  if (LETTER.test(text)) return { ok: false, reason: 'contains letters' };

  let rest = text.replace(SEPARATORS, '');
  let hasPlus = false;
  if (rest.startsWith('+')) {
    hasPlus = true;
    rest = rest.slice(1);
  }
  const odd = rest.match(/[^0-9]/);
  if (odd) {
    return { ok: false, reason: odd[0] === '+' ? "'+' in the middle of the number" : `contains the character "${odd[0]}"` };
  }
  let digits = rest;
  let idd00 = false;
  // "00" is the international prefix in most of Europe; lists typed abroad use it for '+'.
  // (Russia's own "810" prefix is understood by libphonenumber through the default country.)
  if (!hasPlus && digits.startsWith('00') && digits.length > 2) {
    digits = digits.slice(2);
    hasPlus = true;
    idd00 = true;
  }
  if (digits.length === 0) return { ok: false, reason: 'no digits' };
  if (digits.length > MAX_DIGITS) return { ok: false, reason: `too long: ${digits.length} digits` };

  return hasPlus ? readInternational(digits, defaultCountry, idd00) : readWithoutPlus(digits, defaultCountry);
}

function readInternational(digits: string, defaultCountry: CountryCode, idd00: boolean): Reading {
  const intl = valid(parsePhoneNumberFromString(`+${digits}`));
  if (intl) {
    const notes = [idd00 ? "international prefix 00 read as '+'" : undefined, foreignNote(intl, defaultCountry)];
    return accepted(intl, notes);
  }
  // A common slip in Russian lists: "+8 912 ..." or "+912 ..." for a national number. Read it
  // nationally only when that gives a real number, and say so.
  const national = valid(parsePhoneNumberFromString(digits, defaultCountry));
  if (national && !idd00) {
    return accepted(national, [`written as +${digits} (no such international number): read as ${describe(national)}`]);
  }
  switch (validatePhoneNumberLength(`+${digits}`)) {
    case 'TOO_SHORT': return { ok: false, reason: `too short: ${digits.length} digits` };
    case 'TOO_LONG': return { ok: false, reason: `too long: ${digits.length} digits` };
    case 'INVALID_COUNTRY': return { ok: false, reason: 'not a valid number in any country (unknown country code)' };
    default: return { ok: false, reason: 'not a valid number in any country' };
  }
}

function readWithoutPlus(digits: string, defaultCountry: CountryCode): Reading {
  // Interpretations are tried from the most usual, and each is parsed only when needed: parsing
  // is most of an import's CPU time.
  const callingCode = getCountryCallingCode(defaultCountry);
  let intl: PhoneNumber | undefined;

  // "79508881234": the default country's calling code without the '+'. Russian ERPs write
  // numbers this way; it is not odd, so no note unless the number belongs to another country
  // sharing the code (+7 7xx is Kazakhstan).
  if (digits.startsWith(callingCode)) {
    intl = valid(parsePhoneNumberFromString(`+${digits}`));
    if (intl && intl.countryCallingCode === callingCode) return accepted(intl, [foreignNote(intl, defaultCountry)]);
  }

  const national = valid(parsePhoneNumberFromString(digits, defaultCountry));
  if (national) {
    // A bare national significant number (10 digits in Russia): nothing in the text says which
    // country it belongs to, so the user is told how it was read.
    if (national.nationalNumber === digits) {
      return accepted(national, [`${digits.length} digits without a country code: read as ${describe(national)}`]);
    }
    // With the national trunk prefix ("8 912 345-67-89"): the usual way to write a number at home.
    return accepted(national, [foreignNote(national, defaultCountry)]);
  }

  // Digits that only make sense as an international number without its '+': "17605632123".
  if (!digits.startsWith(callingCode)) intl = valid(parsePhoneNumberFromString(`+${digits}`));
  if (intl) return accepted(intl, [foreignNote(intl, defaultCountry) ?? `read as ${describe(intl)}`]);

  if (validatePhoneNumberLength(digits, defaultCountry) === 'TOO_SHORT') {
    return { ok: false, reason: `too short: ${digits.length} digits` };
  }
  return { ok: false, reason: 'not a valid number in any country' };
}

function valid(phone: PhoneNumber | undefined): PhoneNumber | undefined {
  return phone !== undefined && phone.isValid() ? phone : undefined;
}

function accepted(phone: PhoneNumber, notes: (string | undefined)[]): Reading {
  const note = notes.filter((n): n is string => n !== undefined).join('; ');
  return { ok: true, phone, result: { ok: true, e164: phone.number, country: phone.country, ...(note ? { note } : {}) } };
}

function describe(phone: PhoneNumber): string {
  return phone.country ? `${phone.formatInternational()} (${phone.country})` : phone.formatInternational();
}

// Calls abroad cost more and may fall under other rules, so a foreign number is always pointed out.
function foreignNote(phone: PhoneNumber, defaultCountry: CountryCode): string | undefined {
  if (phone.country === defaultCountry) return undefined;
  const adjective = defaultCountry === 'RU' ? 'Russian' : defaultCountry;
  return `not a ${adjective} number: ${phone.country ?? `+${phone.countryCallingCode}`}`;
}
