import type { Pool } from 'pg';
import { InputError } from '../../domain/inputError';
import { templateClips } from '../../domain/messageTemplate';
import { speechSettingsSchema, type SpeechSettings } from '../../domain/speechSettings';
import type { NewTemplate, TemplatePatch } from '../../domain/templateInput';
import { resolveClips } from './audioClips';
import type { Row } from './rows';
import { inTransaction, type Queryable } from './transaction';

// The template table: message bodies by name, with their speech settings and the audio keys of
// the clips they play. Bodies are checked before they get here (domain/templateInput.ts); this
// keeps names unique, resolves clip names to keys, and keeps a template in use from going away.
// Versions are Postgres's: the triggers of migration 1764300000000 add a template_version row
// whenever the body, the speech or the clips change, so nothing here writes one.

export interface TemplateVersionContent {
  body: string;
  speech: SpeechSettings;
  /** Clip name → audio key, as pinned when the version was made. */
  clips: Record<string, string>;
}

export interface StoredTemplate extends TemplateVersionContent {
  id: number;
  name: string;
  /** The latest version (what a campaign pointed at the template now pins). */
  version: number;
  createdAt: Date;
}

export interface StoredTemplateVersion extends TemplateVersionContent {
  version: number;
  createdAt: Date;
}

type TemplateRow = Pick<Row<'template'>, 'id' | 'name' | 'body' | 'speech' | 'version' | 'clips' | 'created_at'>;
type VersionRow = Pick<Row<'template_version'>, 'version' | 'body' | 'speech' | 'clips' | 'created_at'>;

const COLUMNS = 'id, name, body, speech, version, clips, created_at';
const VERSION_COLUMNS = 'version, body, speech, clips, created_at';

/** Stored settings read through the schema, so settings stored before a field existed get its default. */
export const versionContent = (r: { body: string; speech: unknown; clips: unknown }): TemplateVersionContent => ({
  body: r.body, speech: speechSettingsSchema.parse(r.speech), clips: r.clips as Record<string, string>,
});
const toTemplate = (r: TemplateRow): StoredTemplate => ({
  id: Number(r.id), name: r.name, version: r.version, createdAt: r.created_at, ...versionContent(r),
});
const toVersion = (r: VersionRow): StoredTemplateVersion => ({ version: r.version, createdAt: r.created_at, ...versionContent(r) });

const nameTaken = (err: unknown): never => {
  if ((err as { constraint?: string }).constraint === 'template_name_key') {
    throw new InputError('name: a template with this name exists', [{ path: 'name', message: 'a template with this name exists' }]);
  }
  throw err;
};

/** A new template (version 1); a clip the body names that is not uploaded is refused under `body`. */
export async function insertTemplate(pool: Pool, t: NewTemplate): Promise<StoredTemplate> {
  return inTransaction(pool, async (db) => {
    const clips = await resolveClips(db, templateClips(t.body));
    const { rows } = await db.query<TemplateRow>(
      `INSERT INTO template (name, body, speech, clips) VALUES ($1, $2, $3::jsonb, $4::jsonb) RETURNING ${COLUMNS}`,
      [t.name, t.body, JSON.stringify(t.speech), JSON.stringify(clips)]).catch(nameTaken);
    return toTemplate(rows[0]);
  });
}

/**
 * Replaces the fields given; null when there is no such template. The clips are resolved again
 * from the body (new or kept), so an edit also takes a clip uploaded again since. A change of
 * the body, the speech or the clips makes a new version; a rename alone does not.
 */
export async function updateTemplate(pool: Pool, id: number, patch: TemplatePatch): Promise<StoredTemplate | null> {
  return inTransaction(pool, async (db) => {
    const { rows: [stored] } = await db.query<Pick<TemplateRow, 'body'>>('SELECT body FROM template WHERE id = $1 FOR UPDATE', [id]);
    if (!stored) return null;
    const clips = await resolveClips(db, templateClips(patch.body ?? stored.body));
    const { rows } = await db.query<TemplateRow>(
      `UPDATE template SET name = coalesce($2, name), body = coalesce($3, body), speech = coalesce($4::jsonb, speech), clips = $5::jsonb
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, patch.name ?? null, patch.body ?? null, patch.speech ? JSON.stringify(patch.speech) : null, JSON.stringify(clips)],
    ).catch(nameTaken);
    return toTemplate(rows[0]);
  });
}

export async function readTemplate(db: Queryable, id: number): Promise<StoredTemplate | null> {
  const { rows } = await db.query<TemplateRow>(`SELECT ${COLUMNS} FROM template WHERE id = $1`, [id]);
  return rows[0] ? toTemplate(rows[0]) : null;
}

/** One version as it was made (immutable); null when the template or the version does not exist. */
export async function readTemplateVersion(db: Queryable, id: number, version: number): Promise<TemplateVersionContent | null> {
  const { rows } = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM template_version WHERE template_id = $1 AND version = $2`, [id, version]);
  return rows[0] ? versionContent(rows[0]) : null;
}

/** Every version of a template, the newest first. */
export async function listTemplateVersions(db: Queryable, id: number): Promise<StoredTemplateVersion[]> {
  const { rows } = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM template_version WHERE template_id = $1 ORDER BY version DESC`, [id]);
  return rows.map(toVersion);
}

/** A page of templates in id order after `after` (keyset paging). */
export async function listTemplates(db: Queryable, page: { after: number | null; first: number }): Promise<StoredTemplate[]> {
  const { rows } = await db.query<TemplateRow>(
    `SELECT ${COLUMNS} FROM template WHERE $1::bigint IS NULL OR id > $1 ORDER BY id LIMIT $2`, [page.after, page.first]);
  return rows.map(toTemplate);
}

/** The ids of the campaigns whose template this is, in id order. */
export async function campaignsUsingTemplate(db: Queryable, id: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM campaign WHERE template_id = $1 ORDER BY id', [id]);
  return rows.map((r) => r.id);
}

/**
 * Deletes a template no campaign uses (its versions go with it). The row is locked first: a
 * campaign being pointed at it meanwhile (a key-share lock on the row) waits, and is then
 * refused by its foreign key.
 */
export async function deleteTemplate(pool: Pool, id: number): Promise<{ found: boolean; usedBy: string[] }> {
  return inTransaction(pool, async (db) => {
    const { rowCount } = await db.query('SELECT 1 FROM template WHERE id = $1 FOR UPDATE', [id]);
    if (!rowCount) return { found: false, usedBy: [] };
    const usedBy = await campaignsUsingTemplate(db, id);
    if (usedBy.length === 0) await db.query('DELETE FROM template WHERE id = $1', [id]);
    return { found: true, usedBy };
  });
}
