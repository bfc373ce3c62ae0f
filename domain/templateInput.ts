import { z } from 'zod';
import { InputError } from './inputError';
import {
  amountInKopecks, parseTemplate, renderTemplate, TEMPLATE_FILTERS, TemplateVariableError, type RenderedMessage,
} from './messageTemplate';

// A message template as a user or the ERP gives it: a unique name and a body the renderer
// (messageTemplate.ts) reads whole. The renderer is the judge: a body is well formed when every
// `{{` and `}}` in it belongs to a placeholder the parser took; what is left over is a mistake,
// and this file only names it. Pure: no I/O.

/** The filters messageTemplate.ts knows (its PLACEHOLDER grammar), to name an unknown one. */
const KNOWN_FILTERS: readonly string[] = TEMPLATE_FILTERS;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What is wrong with one leftover `{{…}}`, in the words a person fixing it needs. */
function placeholderProblem(snippet: string): string {
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

/** The variables a body uses, in order of first use. */
export function templateVariables(body: string): string[] {
  return [...new Set(parseTemplate(body).flatMap((p) => (p.kind === 'variable' ? [p.name] : [])))];
}

const templateName = z.string().trim().min(1, 'must not be empty').max(200)
  .describe('A unique name people and the ERP know the template by.');

export const templateBody = z.string().max(10_000)
  .refine((body) => body.trim() !== '', 'must not be empty')
  .superRefine((body, ctx) => {
    const problem = body.trim() === '' ? null : templateBodyProblem(body);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  })
  .describe('Text with {{VARIABLE}} placeholders; {{BALANCE|money}} says an amount in roubles and kopecks.');

export const newTemplateSchema = z.object({ name: templateName, body: templateBody }).strict();

/** Changing a template: the fields given are replaced. */
export const templatePatchSchema = newTemplateSchema.partial().strict();

const variableValue = z.union([z.string(), z.number().finite().transform(String)]);

/** A message to render: a stored template or a body, with a contact's variables. */
export const templatePreviewObject = z.object({
  templateId: z.number().int().min(1).optional().describe('A stored template (its body is rendered).'),
  body: templateBody.optional().describe('A body to render instead of a stored template.'),
  variables: z.record(z.string(), variableValue).default({})
    .describe('The contact\'s variables by name: {"NAME": "…", "BALANCE": "-68.27"} (a call takes NAME from the contact\'s name unless a variable gives it).'),
}).strict();

export const templatePreviewSchema = templatePreviewObject.superRefine((p, ctx) => {
  if ((p.templateId === undefined) === (p.body === undefined)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['templateId'], message: 'give either templateId or body' });
  }
});

export type NewTemplate = z.output<typeof newTemplateSchema>;
export type TemplatePatch = z.output<typeof templatePatchSchema>;
export type TemplatePreviewRequest = z.output<typeof templatePreviewSchema>;


/**
 * The message a contact with these variables would get, or an InputError naming the variable
 * that is missing or is not an amount. `templateId` names the recorded parts in the media
 * (`sound:dialer/t<id>-<n>`); a body not stored yet has none, and its parts are named t0-<n>.
 */
export function previewMessage(templateId: number, body: string, variables: Record<string, string>): RenderedMessage {
  try {
    return renderTemplate(templateId, body, variables);
  } catch (err) {
    if (err instanceof TemplateVariableError) {
      throw new InputError(`variables.${err.variable}: missing (the template uses {{${err.variable}}})`,
        [{ path: `variables.${err.variable}`, message: `missing (the template uses {{${err.variable}}})` }]);
    }
    const money = parseTemplate(body).find((p) => p.kind === 'variable' && p.filter === 'money' && !isAmount(variables[p.name]));
    if (money?.kind === 'variable') {
      const message = 'not an amount (digits, an optional sign and up to two decimals: -68.27)';
      throw new InputError(`variables.${money.name}: ${message}`, [{ path: `variables.${money.name}`, message }]);
    }
    throw err;
  }
}

function isAmount(value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    amountInKopecks(value);
    return true;
  } catch {
    return false;
  }
}
