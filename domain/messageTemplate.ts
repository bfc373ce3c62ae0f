import { dateTextRu, dateWordsRu, parseDateRu } from './datesRu';
import type { RenderedPieces, SpokenPiece } from './messagePieces';
import { MAX_NUMBER_RU, moneyPromptsRu, moneyTextRu, moneyWordsRu, numberToWordsRu } from './moneyRu';

// Renders a campaign template ("Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}.")
// with a contact's variables into the text of the message and the pieces that say it.
//
// The grammar of a body:
//   {{NAME}}            the contact's variable as it is (a name, a contract number)
//   {{X|money}}         an amount in roubles and kopecks ("-68.27", "12345,50"). A negative amount
//                       is read as a debt: accounting extracts mark debt with a minus, and the
//                       template words it ("ваша задолженность"), so the sign is dropped
//   {{X|date}}          a date (2026-12-05 or 05.12.2026): "пятое декабря две тысячи двадцать
//                       шестого года"
//   {{X|number}}        a whole number in words ("сорок два"; "минус пять")
//   {{X|digits}}        digit by digit ("один два три"), for contract and account numbers
//   {{audio:NAME}}      a recorded clip (an uploaded file, see adapters/postgres/audioClips.ts)
// The text people read keeps digits (amounts "12 345 рублей 50 копеек", dates "05.12.2026");
// the pieces say words, so every speech provider reads them the same way.

export class TemplateVariableError extends Error {
  constructor(readonly variable: string) {
    super(`template uses {{${variable}}}, but the contact has no variable ${variable}`);
    this.name = 'TemplateVariableError';
  }
}

/**
 * A contact's variable that its filter cannot say (a date that is not a date). The message names
 * the variable and what it should be, never the value: errors reach logs, values are personal.
 */
export class TemplateValueError extends Error {
  constructor(readonly variable: string, readonly filter: TemplateFilter, readonly expected: string) {
    super(`template says {{${variable}|${filter}}}, but the contact's ${variable} is not ${expected}`);
    this.name = 'TemplateValueError';
  }
}

/** A body naming a clip ({{audio:NAME}}) that the version has no audio for. */
export class TemplateClipError extends Error {
  constructor(readonly clip: string) {
    super(`template plays {{audio:${clip}}}, but there is no audio clip named ${clip}`);
    this.name = 'TemplateClipError';
  }
}

export const TEMPLATE_FILTERS = ['money', 'date', 'number', 'digits'] as const;
export type TemplateFilter = (typeof TEMPLATE_FILTERS)[number];

/** What each filter wants, as an error says it. */
export const FILTER_EXPECTS: Record<TemplateFilter, string> = {
  money: 'an amount (digits, an optional sign and up to two decimals: -68.27)',
  date: 'a date (2026-12-05 or 05.12.2026)',
  number: `a whole number (up to ${MAX_NUMBER_RU}, an optional minus)`,
  digits: 'digits (with spaces, dashes, dots, brackets or + between them)',
};

/** A clip's name, as audio_clip.name allows it. */
export const CLIP_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

const PLACEHOLDER = new RegExp(
  String.raw`\{\{\s*(?:audio\s*:\s*([A-Za-z0-9_.-]{1,100})|([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*(${TEMPLATE_FILTERS.join('|')}))?)\s*\}\}`,
  'g',
);

export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'variable'; name: string; filter: TemplateFilter | null }
  | { kind: 'clip'; name: string };

export function parseTemplate(body: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of body.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push({ kind: 'text', text: body.slice(last, m.index) });
    if (m[1] !== undefined) parts.push({ kind: 'clip', name: m[1] });
    else parts.push({ kind: 'variable', name: m[2], filter: (m[3] as TemplateFilter | undefined) ?? null });
    last = m.index + m[0].length;
  }
  if (last < body.length) parts.push({ kind: 'text', text: body.slice(last) });
  return parts;
}

/**
 * The variables a contact's message is rendered from: NAME is the list's name column, unless the
 * import gave a NAME of its own (a variable of the list wins).
 */
export function messageVariables(fullName: string | null, variables: Record<string, string>): Record<string, string> {
  return { ...(fullName ? { NAME: fullName } : {}), ...variables };
}

/** The variables a body uses, in order of first use. */
export function templateVariables(body: string): string[] {
  return [...new Set(parseTemplate(body).flatMap((p) => (p.kind === 'variable' ? [p.name] : [])))];
}

/** The clips a body plays ({{audio:NAME}}), in order of first use. */
export function templateClips(body: string): string[] {
  return [...new Set(parseTemplate(body).flatMap((p) => (p.kind === 'clip' ? [p.name] : [])))];
}

/** A balance as the accounting list gives it ("-68.27", "12345,50") in kopecks, sign dropped. */
export function amountInKopecks(value: string): number {
  const m = /^\s*-?(\d+)(?:[.,](\d{1,2}))?\s*$/.exec(value);
  if (!m) throw new Error(`"${value}" is not an amount`);
  const kopecks = Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  if (!Number.isSafeInteger(kopecks) || kopecks / 100 > MAX_NUMBER_RU) throw new Error(`"${value}" is too large an amount`);
  return kopecks;
}

const DIGIT_WORDS = ['ноль', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'];

/** A variable through its filter: what people read and what is said. Throws TemplateValueError. */
function filtered(name: string, filter: TemplateFilter | null, value: string): { text: string; spoken: string } {
  const bad = (f: TemplateFilter): never => {
    throw new TemplateValueError(name, f, FILTER_EXPECTS[f]);
  };
  switch (filter) {
    case null:
      return { text: value, spoken: value.trim() };
    case 'money': {
      let kopecks: number;
      try {
        kopecks = amountInKopecks(value);
      } catch {
        return bad('money');
      }
      return { text: moneyTextRu(kopecks), spoken: moneyWordsRu(kopecks) };
    }
    case 'date': {
      const date = parseDateRu(value);
      return date ? { text: dateTextRu(date), spoken: dateWordsRu(date) } : bad('date');
    }
    case 'number': {
      const m = /^(-)?(\d+)$/.exec(value.replace(/[\s\u00a0]/g, ''));
      const n = m ? Number(m[2]) : NaN;
      if (!m || !Number.isSafeInteger(n) || n > MAX_NUMBER_RU) return bad('number');
      const words = numberToWordsRu(n, 'masculine');
      return { text: value.trim(), spoken: m[1] && n !== 0 ? `минус ${words}` : words };
    }
    case 'digits': {
      if (!/^[\d\s\u00a0().+/-]*\d[\d\s\u00a0().+/-]*$/.test(value)) return bad('digits');
      return { text: value.trim(), spoken: [...value.replace(/\D/g, '')].map((d) => DIGIT_WORDS[Number(d)]).join(' ') };
    }
  }
}

/** Whether a piece of text would say anything: whitespace and punctuation alone say nothing. */
function saysSomething(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

function clipPiece(name: string, clips: Record<string, string>): SpokenPiece {
  const audioKey = Object.hasOwn(clips, name) ? clips[name] : undefined;
  if (audioKey === undefined) throw new TemplateClipError(name);
  return { kind: 'clip', name, audioKey };
}

/**
 * The message a contact with these variables gets: its text for people and the pieces that say
 * it, in order. The template's own text between placeholders is a `static` piece (trimmed; a
 * piece of only spaces or punctuation says nothing and is left out), the same for every contact
 * of a version, so it is synthesised once; each variable is a `personal` piece of words; a clip
 * is a `clip` piece with the audio key `clips` gives for its name. Throws TemplateVariableError
 * (a missing variable), TemplateValueError (a value its filter cannot say), TemplateClipError.
 * The caller adds NAME from the contact's name when the import gave none.
 */
export function renderPieces(body: string, variables: Record<string, string>, clips: Record<string, string>): RenderedPieces {
  let text = '';
  const pieces: SpokenPiece[] = [];
  for (const part of parseTemplate(body)) {
    if (part.kind === 'text') {
      text += part.text;
      if (saysSomething(part.text)) pieces.push({ kind: 'static', text: part.text.trim() });
    } else if (part.kind === 'clip') {
      text += `[audio:${part.name}]`;
      pieces.push(clipPiece(part.name, clips));
    } else {
      const value = Object.hasOwn(variables, part.name) ? variables[part.name] : undefined;
      if (value === undefined) throw new TemplateVariableError(part.name);
      const said = filtered(part.name, part.filter, value);
      text += said.text;
      if (saysSomething(said.spoken)) pieces.push({ kind: 'personal', text: said.spoken });
    }
  }
  return { text, pieces };
}

/**
 * The pieces of a body that are the same for every contact: its static text and its clips, in
 * order (what warming a template version synthesises before a campaign dials). Throws
 * TemplateClipError for a clip `clips` lacks.
 */
export function staticPieces(body: string, clips: Record<string, string>): SpokenPiece[] {
  return parseTemplate(body).flatMap((part): SpokenPiece[] => {
    if (part.kind === 'text') return saysSomething(part.text) ? [{ kind: 'static', text: part.text.trim() }] : [];
    if (part.kind === 'clip') return [clipPiece(part.name, clips)];
    return [];
  });
}

export interface RenderedMessage {
  text: string;
  media: string[];
}

/**
 * The message without a speech service (the path workflows started before the speech port
 * still take): the template's recorded parts (`sound:dialer/t<id>-<n>`, recorded once per
 * template) with numbers said by Asterisk's own prompts; names have no recording and are only
 * in the text. An amount (`|money`) stays digits in the text ("12 345 рублей 50 копеек") and is
 * said by moneyPromptsRu: Russian number prompts in the right gender and the declined
 * рубль/копейка recordings (see moneyRu.ts for the files an installation needs). `|number` and
 * `|digits` are said by Asterisk (number:, digits:); a date and a clip have no media here.
 */
export function renderTemplate(templateId: number, body: string, variables: Record<string, string>): RenderedMessage {
  let text = '';
  const media: string[] = [];
  parseTemplate(body).forEach((part, index) => {
    if (part.kind === 'text') {
      text += part.text;
      if (part.text.trim()) media.push(`sound:dialer/t${templateId}-${index}`);
      return;
    }
    if (part.kind === 'clip') {
      text += `[audio:${part.name}]`;
      return;
    }
    const value = variables[part.name];
    if (value === undefined) throw new TemplateVariableError(part.name);
    if (part.filter === 'money') {
      const kopecks = amountInKopecks(value);
      text += moneyTextRu(kopecks);
      media.push(...moneyPromptsRu(kopecks));
    } else if (part.filter === null) {
      text += value;
      if (/^\d{1,9}$/.test(value)) media.push(`number:${value}`);
    } else {
      const said = filtered(part.name, part.filter, value);
      text += said.text;
      if (part.filter === 'number' && /^-?\d{1,9}$/.test(said.text)) media.push(`number:${said.text}`);
      if (part.filter === 'digits') media.push(`digits:${value.replace(/\D/g, '')}`);
    }
  });
  return { text, media };
}
