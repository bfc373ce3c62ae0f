import type { Pool } from 'pg';
import { InputError } from '../../domain/inputError';
import type { NewTemplate, TemplatePatch } from '../../domain/templateInput';
import type { Row } from './rows';
import { inTransaction, type Queryable } from './transaction';

// The template table: message bodies by name. Bodies are checked before they get here
// (domain/templateInput.ts); this keeps names unique and a template in use from going away.

export interface StoredTemplate {
  id: number;
  name: string;
  body: string;
  createdAt: Date;
}

type TemplateRow = Pick<Row<'template'>, 'id' | 'name' | 'body' | 'created_at'>;

const COLUMNS = 'id, name, body, created_at';
const toTemplate = (r: TemplateRow): StoredTemplate => ({ id: Number(r.id), name: r.name, body: r.body, createdAt: r.created_at });

const nameTaken = (err: unknown): never => {
  if ((err as { constraint?: string }).constraint === 'template_name_key') {
    throw new InputError('name: a template with this name exists', [{ path: 'name', message: 'a template with this name exists' }]);
  }
  throw err;
};

export async function insertTemplate(db: Queryable, t: NewTemplate): Promise<StoredTemplate> {
  const { rows } = await db.query<TemplateRow>(
    `INSERT INTO template (name, body) VALUES ($1, $2) RETURNING ${COLUMNS}`, [t.name, t.body]).catch(nameTaken);
  return toTemplate(rows[0]);
}

/** Replaces the fields given; null when there is no such template. */
export async function updateTemplate(db: Queryable, id: number, patch: TemplatePatch): Promise<StoredTemplate | null> {
  const { rows } = await db.query<TemplateRow>(
    `UPDATE template SET name = coalesce($2, name), body = coalesce($3, body) WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, patch.name ?? null, patch.body ?? null]).catch(nameTaken);
  return rows[0] ? toTemplate(rows[0]) : null;
}

export async function readTemplate(db: Queryable, id: number): Promise<StoredTemplate | null> {
  const { rows } = await db.query<TemplateRow>(`SELECT ${COLUMNS} FROM template WHERE id = $1`, [id]);
  return rows[0] ? toTemplate(rows[0]) : null;
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
 * Deletes a template no campaign uses. The row is locked first: a campaign being pointed at it
 * meanwhile (a key-share lock on the row) waits, and is then refused by its foreign key.
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
