import { moneyPromptsRu, moneyTextRu } from './moneyRu';

// Renders a campaign template ("Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}.")
// with a contact's variables into the text of the message and the Asterisk media that say it.

export class TemplateVariableError extends Error {
  constructor(readonly variable: string) {
    super(`template uses {{${variable}}}, but the contact has no variable ${variable}`);
    this.name = 'TemplateVariableError';
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|\s*(money))?\s*\}\}/g;

type Part = { kind: 'text'; text: string } | { kind: 'variable'; name: string; filter: 'money' | null };

export function parseTemplate(body: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of body.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push({ kind: 'text', text: body.slice(last, m.index) });
    parts.push({ kind: 'variable', name: m[1], filter: (m[2] as 'money' | undefined) ?? null });
    last = m.index + m[0].length;
  }
  if (last < body.length) parts.push({ kind: 'text', text: body.slice(last) });
  return parts;
}

/** A balance as the accounting list gives it ("-68.27", "12345,50") in kopecks, sign dropped. */
export function amountInKopecks(value: string): number {
  const m = /^\s*-?(\d+)(?:[.,](\d{1,2}))?\s*$/.exec(value);
  if (!m) throw new Error(`"${value}" is not an amount`);
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}


export interface RenderedMessage {
  text: string;
  media: string[];
}

/**
 * Without a speech service the audio is the template's recorded parts (`sound:dialer/t<id>-<n>`,
 * recorded once per template) with numbers said by Asterisk's own number prompts; names have
 * no recording and are only in the text. A speech provider replaces the media, not the text.
 * An amount (`|money`) stays digits in the text ("12 345 рублей 50 копеек", for people and
 * reports) and is said by moneyPromptsRu: Russian number prompts in the right gender and the
 * declined рубль/копейка recordings (see moneyRu.ts for the files an installation needs).
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
    const value = variables[part.name];
    if (value === undefined) throw new TemplateVariableError(part.name);
    if (part.filter === 'money') {
      const kopecks = amountInKopecks(value);
      text += moneyTextRu(kopecks);
      media.push(...moneyPromptsRu(kopecks));
    } else {
      text += value;
      if (/^\d{1,9}$/.test(value)) media.push(`number:${value}`);
    }
  });
  return { text, media };
}
