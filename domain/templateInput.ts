import { z } from 'zod';
import { InputError } from './inputError';
import type { RenderedPieces } from './messagePieces';
import {
  CLIP_NAME, parseTemplate, renderPieces, TEMPLATE_FILTERS, TemplateClipError, TemplateValueError, TemplateVariableError,
} from './messageTemplate';
import { speechSettingsSchema } from './speechSettings';

// A message template as a user or the ERP gives it: a unique name, how it is spoken (speech
// settings) and a body the renderer
// (messageTemplate.ts) reads whole. The renderer is the judge: a body is well formed when every
// `{{` and `}}` in it belongs to a placeholder the parser took; what is left over is a mistake,
// and this file only names it. Pure: no I/O.

/** The filters messageTemplate.ts knows (its PLACEHOLDER grammar), to name an unknown one. */
const KNOWN_FILTERS: readonly string[] = TEMPLATE_FILTERS;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What is wrong with one leftover `{{…}}`, in the words a person fixing it needs. */
function placeholderProblem(snippet: string): string {
  const clip = /^\{\{\s*audio\s*:(.*)\}\}$/s.exec(snippet);
  if (clip) {
    const name = clip[1].trim();
    return name === '' ? `a clip without a name at ${snippet}`
      : CLIP_NAME.test(name) ? `cannot read ${snippet}`
        : `"${name}" is not a clip name (letters, digits, _ . and -, at most 100) at ${snippet}`;
  }
  const [name, ...filters] = snippet.slice(2, -2).split('|').map((s) => s.trim());
  if (name === '') return `a placeholder without a variable name at ${snippet}`;
  if (!VARIABLE_NAME.test(name)) {
    return `"${name}" is not a variable name (letters, digits and _, not starting with a digit) at ${snippet}`;
  }
  if (filters.length > 1) return `more than one filter at ${snippet}`;
  if (filters.length === 1 && !KNOWN_FILTERS.includes(filters[0])) {
    return `unknown filter "${filters[0]}" at ${snippet} (known: ${KNOWN_FILTERS.join(', ')})`;
  }
  return `cannot read ${snippet}`;
}

/** The first problem of a body the renderer would not read as meant, or null. */
export function templateBodyProblem(body: string): string | null {
  for (const part of parseTemplate(body)) {
    if (part.kind !== 'text') continue;
    const open = part.text.indexOf('{{');
    const close = part.text.indexOf('}}');
    if (open === -1 && close === -1) continue;
    if (open === -1 || (close !== -1 && close < open)) {
      return `"}}" without its "{{" at ${JSON.stringify(part.text.slice(Math.max(0, close - 20), close + 2))}`;
    }
    const end = part.text.indexOf('}}', open);
    // A placeholder ends at its first "}}"; one that runs into another "{{" was left open.
    const next = part.text.indexOf('{{', open + 2);
    if (end === -1 || (next !== -1 && next < end)) {
      return `"{{" is not closed at ${JSON.stringify(part.text.slice(open, open + 20))}`;
    }
    return placeholderProblem(part.text.slice(open, end + 2));
  }
  return null;
}

export { templateClips, templateVariables } from './messageTemplate';

const templateName = z.string().trim().min(1, 'must not be empty').max(200)
  .describe('A unique name people and the ERP know the template by.');

export const templateBody = z.string().max(10_000)
  .refine((body) => body.trim() !== '', 'must not be empty')
  .superRefine((body, ctx) => {
    const problem = body.trim() === '' ? null : templateBodyProblem(body);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  })
  .describe('Text with placeholders: {{NAME}} (a contact\'s variable as it is), {{BALANCE|money}} (an amount in roubles and kopecks; a negative one is a debt, said without its sign), {{DUE|date}} (2026-12-05 or 05.12.2026, said in words), {{N|number}} (a whole number in words), {{CONTRACT|digits}} (digit by digit), {{audio:CLIP}} (an uploaded recording).');

const speech = speechSettingsSchema.describe('How the template is spoken: provider, voice, speed, emotion (the offline voice by default).');

export const newTemplateSchema = z.object({
  name: templateName,
  body: templateBody,
  speech: speech.default({}),
}).strict();

/** Changing a template: the fields given are replaced (speech as a whole). */
export const templatePatchSchema = z.object({ name: templateName, body: templateBody, speech }).partial().strict();

const variableValue = z.union([z.string(), z.number().finite().transform(String)]);

/** A message to render: a stored template (a version of it) or a body, with a contact's variables. */
export const templatePreviewObject = z.object({
  templateId: z.number().int().min(1).optional().describe('A stored template (its current version unless `version` is given).'),
  version: z.number().int().min(1).optional().describe('A version of the stored template (with templateId).'),
  body: templateBody.optional().describe('A body to render instead of a stored template.'),
  speech: speechSettingsSchema.optional().describe('Speech settings for the body (with body; the offline voice by default).'),
  contactId: z.number().int().min(1).optional()
    .describe('A contact whose name (as NAME) and variables are used; `variables` given beside it win.'),
  variables: z.record(z.string(), variableValue).default({})
    .describe('The contact\'s variables by name: {"NAME": "…", "BALANCE": "-68.27"} (a call takes NAME from the contact\'s name unless a variable gives it).'),
}).strict();

export const templatePreviewSchema = templatePreviewObject.superRefine((p, ctx) => {
  if ((p.templateId === undefined) === (p.body === undefined)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['templateId'], message: 'give either templateId or body' });
  }
  if (p.version !== undefined && p.templateId === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['version'], message: 'a version is of a stored template: give templateId too' });
  }
  if (p.speech !== undefined && p.body === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['speech'], message: 'a stored template has its own speech settings: give speech with a body only' });
  }
});

export type NewTemplate = z.output<typeof newTemplateSchema>;
export type TemplatePatch = z.output<typeof templatePatchSchema>;
export type TemplatePreviewRequest = z.output<typeof templatePreviewSchema>;

/**
 * The message a contact with these variables would get, or an InputError naming what is wrong:
 * `variables.X` for a variable missing or one its filter cannot say (a date that is not a date),
 * `clipField` for a clip the template names but `clips` lacks.
 */
export function previewPieces(
  body: string, variables: Record<string, string>, clips: Record<string, string>, clipField = 'body',
): RenderedPieces {
  try {
    return renderPieces(body, variables, clips);
  } catch (err) {
    if (err instanceof TemplateVariableError) {
      throw refused(`variables.${err.variable}`, `missing (the template uses {{${err.variable}}})`);
    }
    if (err instanceof TemplateValueError) {
      throw refused(`variables.${err.variable}`, `not ${err.expected}; the template says {{${err.variable}|${err.filter}}}`);
    }
    if (err instanceof TemplateClipError) throw refused(clipField, `no audio clip named ${err.clip} (upload it first)`);
    throw err;
  }
}

const refused = (path: string, message: string): InputError => new InputError(`${path}: ${message}`, [{ path, message }]);
