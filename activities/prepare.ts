import type { Pool } from 'pg';
import type { PreparedMessage } from '../domain/types';
import { renderTemplate } from '../domain/messageTemplate';

/** The "prepare" step: the contact's message, rendered from the campaign's template. */
export async function prepare(
  pool: Pool, contactId: number, templateId: number | null,
): Promise<PreparedMessage> {
  if (templateId === null) return { text: '', media: [] };
  const { rows } = await pool.query<{ body: string; full_name: string | null; variables: Record<string, string> }>(
    `SELECT t.body, c.full_name,
            coalesce((SELECT json_object_agg(v.name, v.value) FROM contact_variable v WHERE v.contact_id = c.id), '{}') AS variables
       FROM contact c, template t WHERE c.id = $1 AND t.id = $2`,
    [contactId, templateId],
  );
  if (rows.length === 0) throw new Error(`contact ${contactId} or template ${templateId} does not exist`);
  const { body, full_name, variables } = rows[0];
  // NAME is the list's name column; a variable of the same name from the list wins.
  return renderTemplate(templateId, body, { ...(full_name ? { NAME: full_name } : {}), ...variables });
}
