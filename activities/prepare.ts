import type { Pool } from 'pg';
import type { PreparedMessage } from '../domain/types';
import { renderTemplate } from '../domain/messageTemplate';
import { readMessageInputs } from '../adapters/postgres/contacts';

/** The "prepare" step: the contact's message, rendered from the campaign's template. */
export async function prepare(
  pool: Pool, contactId: number, templateId: number | null,
): Promise<PreparedMessage> {
  if (templateId === null) return { text: '', media: [] };
  const inputs = await readMessageInputs(pool, contactId, templateId);
  if (!inputs) throw new Error(`contact ${contactId} or template ${templateId} does not exist`);
  const { body, full_name, variables } = inputs;
  // NAME is the list's name column; a variable of the same name from the list wins.
  return renderTemplate(templateId, body, { ...(full_name ? { NAME: full_name } : {}), ...variables });
}
