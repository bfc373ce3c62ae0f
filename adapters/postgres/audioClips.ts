import type { Pool } from 'pg';
import { InputError } from '../../domain/inputError';
import type { Row } from './rows';
import { inTransaction, type Queryable } from './transaction';

// The audio_clip table: recorded fragments a template plays by name ({{audio:NAME}}). The audio
// itself is in the speech cache under audio_key (content-addressed PCM, adapters/speech); this
// keeps the name people use. A template version pins the key when it is made, so uploading a
// clip again under its name changes what a template says only from the template's next edit.

export interface StoredClip {
  id: number;
  name: string;
  audioKey: string;
  durationMs: number;
  sourceFormat: string;
  createdAt: Date;
}

type ClipRow = Row<'audio_clip'>;

const COLUMNS = 'id, name, audio_key, duration_ms, source_format, created_at';
const toClip = (r: ClipRow): StoredClip => ({
  id: Number(r.id), name: r.name, audioKey: r.audio_key, durationMs: r.duration_ms, sourceFormat: r.source_format, createdAt: r.created_at,
});

/** A new clip, or the clip of that name given new audio (the same row, a new key). */
export async function upsertAudioClip(
  db: Queryable, clip: { name: string; audioKey: string; durationMs: number; sourceFormat: string },
): Promise<StoredClip> {
  const { rows } = await db.query<ClipRow>(
    `INSERT INTO audio_clip (name, audio_key, duration_ms, source_format) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name) DO UPDATE SET audio_key = excluded.audio_key, duration_ms = excluded.duration_ms,
                                      source_format = excluded.source_format, created_at = now()
     RETURNING ${COLUMNS}`,
    [clip.name, clip.audioKey, clip.durationMs, clip.sourceFormat],
  );
  return toClip(rows[0]);
}

/** A page of clips in name order after `after` (keyset paging). */
export async function listAudioClips(db: Queryable, page: { after: string | null; first: number }): Promise<StoredClip[]> {
  const { rows } = await db.query<ClipRow>(
    `SELECT ${COLUMNS} FROM audio_clip WHERE $1::text IS NULL OR name > $1 ORDER BY name LIMIT $2`, [page.after, page.first]);
  return rows.map(toClip);
}

/**
 * The audio keys of the clips named, by name; an InputError under `field` names the ones there
 * are none of. The rows are share-locked: a clip cannot be deleted while a template being
 * written in the same transaction takes its key.
 */
export async function resolveClips(db: Queryable, names: readonly string[], field = 'body'): Promise<Record<string, string>> {
  if (names.length === 0) return {};
  const { rows } = await db.query<Pick<ClipRow, 'name' | 'audio_key'>>(
    'SELECT name, audio_key FROM audio_clip WHERE name = ANY($1::text[]) ORDER BY name FOR SHARE', [names]);
  const keys = Object.fromEntries(rows.map((r) => [r.name, r.audio_key]));
  const unknown = names.filter((n) => !Object.hasOwn(keys, n));
  if (unknown.length > 0) {
    const message = `no audio clip named ${unknown.join(', ')} (upload ${unknown.length > 1 ? 'them' : 'it'} first: POST /uploads/audio?name=…)`;
    throw new InputError(`${field}: ${message}`, [{ path: field, message }]);
  }
  return keys;
}

/** The ids of the templates whose current body plays this clip, in id order. */
export async function templatesUsingClip(db: Queryable, name: string): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM template WHERE clips ? $1 ORDER BY id', [name]);
  return rows.map((r) => Number(r.id));
}

/**
 * Deletes a clip no template's current body plays. Versions made earlier keep its key (they
 * pinned it), so a campaign on an old version still plays it while the store has it.
 */
export async function deleteAudioClip(pool: Pool, name: string): Promise<{ found: boolean; usedBy: number[] }> {
  return inTransaction(pool, async (db) => {
    const { rowCount } = await db.query('SELECT 1 FROM audio_clip WHERE name = $1 FOR UPDATE', [name]);
    if (!rowCount) return { found: false, usedBy: [] };
    const usedBy = await templatesUsingClip(db, name);
    if (usedBy.length === 0) await db.query('DELETE FROM audio_clip WHERE name = $1', [name]);
    return { found: true, usedBy };
  });
}
