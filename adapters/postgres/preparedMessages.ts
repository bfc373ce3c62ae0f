import { messageVariables } from '../../domain/messageTemplate';
import type { Row } from './rows';
import { versionContent, type TemplateVersionContent } from './templates';
import type { Queryable } from './transaction';

// The prepared_message table: the message a contact was prepared with (its rendered text and
// the key of its assembled audio), one row per contact and template version. The prepare step
// writes it; the record step copies its text onto the attempt, so the text never has to cross
// a workflow's history.

/** What a contact's message is made from: the pinned version and the contact's variables. */
export interface MessageSource extends TemplateVersionContent {
  templateId: number;
  templateVersion: number;
  /** The contact's variables, NAME from its name unless the import gave a NAME of its own. */
  variables: Record<string, string>;
}

/**
 * The contact's variables and the template version in one query; the campaign's pinned version
 * when `version` is null (a plan read before versions existed). Null when the contact or the
 * version does not exist.
 */
export async function readMessageSource(
  db: Queryable, contactId: number, templateId: number, version: number | null,
): Promise<MessageSource | null> {
  const { rows } = await db.query<Pick<Row<'template_version'>, 'version' | 'body' | 'speech' | 'clips'> & {
    full_name: string | null; variables: Record<string, string>;
  }>(
    `SELECT v.version, v.body, v.speech, v.clips, c.full_name,
            coalesce((SELECT json_object_agg(cv.name, cv.value) FROM contact_variable cv WHERE cv.contact_id = c.id), '{}') AS variables
       FROM contact c
       JOIN campaign k ON k.id = c.campaign_id
       JOIN template_version v ON v.template_id = $2 AND v.version = coalesce($3::int, k.template_version,
              (SELECT t.version FROM template t WHERE t.id = $2))
      WHERE c.id = $1`,
    [contactId, templateId, version],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    templateId, templateVersion: r.version, ...versionContent(r),
    variables: messageVariables(r.full_name, r.variables),
  };
}

/** Whether the contact exists (to tell a deleted contact from a missing template version). */
export async function contactExists(db: Queryable, contactId: number): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM contact WHERE id = $1', [contactId]);
  return (rowCount ?? 0) > 0;
}

/** Writes (or rewrites) the contact's prepared message for the version; its row id. */
export async function savePreparedMessage(db: Queryable, m: {
  contactId: number; templateId: number; templateVersion: number; text: string; audioKey: string; durationMs: number;
}): Promise<number> {
  const { rows } = await db.query<Pick<Row<'prepared_message'>, 'id'>>(
    `INSERT INTO prepared_message (contact_id, template_id, template_version, text, audio_key, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (contact_id, template_id, template_version) DO UPDATE SET
       text = EXCLUDED.text, audio_key = EXCLUDED.audio_key, duration_ms = EXCLUDED.duration_ms, prepared_at = now()
     RETURNING id`,
    [m.contactId, m.templateId, m.templateVersion, m.text, m.audioKey, m.durationMs],
  );
  return Number(rows[0].id);
}

/** What warming a campaign's template needs: its pinned version's body, speech and clips. */
export async function readCampaignTemplateVersion(db: Queryable, campaignId: string): Promise<Omit<MessageSource, 'variables'> | null> {
  const { rows } = await db.query<Pick<Row<'template_version'>, 'template_id' | 'version' | 'body' | 'speech' | 'clips'>>(
    `SELECT v.template_id, v.version, v.body, v.speech, v.clips
       FROM campaign k JOIN template_version v ON v.template_id = k.template_id AND v.version = k.template_version
      WHERE k.id = $1`,
    [campaignId],
  );
  const r = rows[0];
  if (!r) return null;
  return { templateId: Number(r.template_id), templateVersion: r.version, ...versionContent(r) };
}
