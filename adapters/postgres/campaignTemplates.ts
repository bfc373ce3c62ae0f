import { messageVariables } from '../../domain/messageTemplate';
import type { Queryable } from './transaction';

// What a template needs of a campaign's contacts: the version a campaign pinned, the variables
// its contacts lack, and one contact's variables as the renderer takes them. The contact's name
// is the variable NAME unless the import gave a NAME of its own (as the prepare step renders).

/** The template a campaign says and the version it pinned (both null without a template). */
export async function readCampaignTemplate(
  db: Queryable, campaignId: string,
): Promise<{ templateId: number | null; templateVersion: number | null } | null> {
  const { rows } = await db.query<{ template_id: string | null; template_version: number | null }>(
    'SELECT template_id, template_version FROM campaign WHERE id = $1', [campaignId]);
  if (!rows[0]) return null;
  return { templateId: rows[0].template_id === null ? null : Number(rows[0].template_id), templateVersion: rows[0].template_version };
}

/**
 * Pins an explicit version of the campaign's template (the trigger pins the latest whenever the
 * template changes; this overrides it). The version's existence is the foreign key's to check.
 */
export async function pinCampaignTemplateVersion(db: Queryable, campaignId: string, version: number): Promise<void> {
  await db.query('UPDATE campaign SET template_version = $2 WHERE id = $1', [campaignId, version]);
}

export interface LackingVariable {
  variable: string;
  /** Contacts still to call (pending or in progress) without a non-blank value for it. */
  contacts: number;
}

/**
 * For each variable, how many of the campaign's contacts still to call lack it (no value, or a
 * blank one), in one pass over the contacts; only the variables some contact lacks, in the
 * order given. NAME is had by a contact with a name.
 */
export async function countContactsLacking(db: Queryable, campaignId: string, variables: readonly string[]): Promise<LackingVariable[]> {
  if (variables.length === 0) return [];
  const { rows } = await db.query<{ variable: string; contacts: string }>(
    `SELECT u.name AS variable, count(*) AS contacts
       FROM contact c
       CROSS JOIN unnest($2::text[]) WITH ORDINALITY AS u(name, ord)
      WHERE c.campaign_id = $1 AND c.state IN ('pending', 'in_progress')
        AND NOT EXISTS (SELECT 1 FROM contact_variable v WHERE v.contact_id = c.id AND v.name = u.name AND btrim(v.value) <> '')
        AND NOT (u.name = 'NAME' AND btrim(coalesce(c.full_name, '')) <> '')
      GROUP BY u.name, u.ord
      ORDER BY u.ord`,
    [campaignId, variables],
  );
  return rows.map((r) => ({ variable: r.variable, contacts: Number(r.contacts) }));
}

/** A contact's variables as a message is rendered from them (NAME from its name); null when there is no such contact. */
export async function readContactVariables(db: Queryable, contactId: number): Promise<Record<string, string> | null> {
  const { rows } = await db.query<{ full_name: string | null; variables: Record<string, string> }>(
    `SELECT c.full_name,
            coalesce((SELECT json_object_agg(v.name, v.value) FROM contact_variable v WHERE v.contact_id = c.id), '{}') AS variables
       FROM contact c WHERE c.id = $1`,
    [contactId],
  );
  if (!rows[0]) return null;
  return messageVariables(rows[0].full_name, rows[0].variables);
}
