import {
  messageVariables, parseTemplate, renderPieces, TemplateValueError, TemplateVariableError,
} from '../domain/messageTemplate';

// What the campaign's template needs of each row, checked at import: a row the message could not
// be said for is refused on its line, instead of failing at prepare, call after call.

export interface TemplateNeedsProblem {
  field: 'USER_VARS';
  reason: string;
}

/**
 * A check of a row's variables against a template body: every variable it reads is there and
 * not blank (NAME is the contact's name unless the row gives one), and every filtered one can be
 * said by its filter (`{{BALANCE|money}}` an amount in range). Null: the body reads no variable.
 */
export function templateNeeds(body: string): ((name: string, variables: Record<string, string>) => TemplateNeedsProblem | null) | null {
  const used = parseTemplate(body).flatMap((p) => (p.kind === 'variable' ? [p] : []));
  if (used.length === 0) return null;
  // The placeholders alone: rendering them checks every value the way prepare will, and costs
  // nothing for the template's text and clips.
  const placeholders = used.map((p) => `{{${p.name}${p.filter ? `|${p.filter}` : ''}}}`).join(' ');
  const names = [...new Set(used.map((p) => p.name))];
  return (name, variables) => {
    const missing = names.find((n) => !(Object.hasOwn(variables, n) ? variables[n]!.trim() !== '' : n === 'NAME' && name.trim() !== ''));
    if (missing !== undefined) {
      const near = Object.keys(variables).find((k) => k.toUpperCase() === missing.toUpperCase());
      const given = Object.hasOwn(variables, missing) ? 'an empty' : 'no';
      return {
        field: 'USER_VARS',
        reason: `the campaign's template reads {{${missing}}}, but the row has ${given} ${missing}`
          + (near !== undefined && near !== missing ? ` (it has ${near}: names are case-sensitive)` : ''),
      };
    }
    try {
      renderPieces(placeholders, messageVariables(name, variables), {});
      return null;
    } catch (err) {
      if (err instanceof TemplateValueError || err instanceof TemplateVariableError) {
        return { field: 'USER_VARS', reason: `the campaign's template cannot say it: ${err.message}` };
      }
      throw err;
    }
  };
}
