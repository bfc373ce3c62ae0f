import type { PoolClient } from 'pg';
import type { CampaignState } from '../../domain/outcomes';
import type { Row } from './rows';
import type { Queryable } from './transaction';

// A list import's row: as its progress is read, and as imports/contactList.ts writes it (rows
// read while it runs; its counts and 'done' in the transaction that adds its contacts).

export type ListImportRow = Pick<Row<'list_import'>,
  'campaign_id' | 'file_name' | 'state' | 'rows_total' | 'rows_imported' | 'rows_unchanged' | 'rows_rejected' |
  'error' | 'created_by' | 'created_at' | 'updated_at' | 'finished_at'> & { id: number };

export async function readListImport(db: Queryable, id: number): Promise<ListImportRow | null> {
  const { rows } = await db.query<ListImportRow>(
    `SELECT id::int, campaign_id, file_name, state, rows_total, rows_imported, rows_unchanged, rows_rejected,
            error, created_by, created_at, updated_at, finished_at
       FROM list_import WHERE id = $1`,
    [id]);
  return rows[0] ?? null;
}

export type ListImportIssueRow = Pick<Row<'list_import_issue'>, 'line' | 'field' | 'severity' | 'reason'> & { id: number };

/** An import's issues in file order, a page at a time after the issue `afterId`; one severity or both. */
export async function readListImportIssues(
  db: Queryable, importId: number, page: { severity: 'error' | 'warning' | null; afterId: number; first: number },
): Promise<ListImportIssueRow[]> {
  const { rows } = await db.query<ListImportIssueRow>(
    `SELECT id::int, line, field, severity, reason FROM list_import_issue
      WHERE import_id = $1 AND id > $2 AND ($3::text IS NULL OR severity = $3)
      ORDER BY id LIMIT $4`,
    [importId, page.afterId, page.severity, page.first]);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The import's own writes (imports/contactList.ts). An import's row is created by the session
// that runs it, holding a session advisory lock on it: a row still 'running' whose lock nobody
// holds belongs to a process that died, and its rows were rolled back with its session.

// The first key of the lock: the second is the import's id.
const IMPORT_LOCK_CLASS = 20_001;

/** Creates the import's row, committed, and locks it for the session of `client`; its id. */
export async function openListImport(client: PoolClient, campaignId: string, fileName: string, createdBy: string): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    `WITH i AS (INSERT INTO list_import (campaign_id, file_name, created_by) VALUES ($1, $2, $3) RETURNING id)
     SELECT id::int, pg_advisory_lock(${IMPORT_LOCK_CLASS}, id::int) FROM i`,
    [campaignId, fileName, createdBy]);
  return rows[0]!.id;
}

/** Gives the import's lock back (the session stays in the pool). */
export async function closeListImport(client: PoolClient, importId: number): Promise<void> {
  await client.query(`SELECT pg_advisory_unlock(${IMPORT_LOCK_CLASS}, $1::int)`, [importId]);
}

/** Imports left 'running' by a process that died end failed, saying that nothing of them was written. */
export async function failAbandonedListImports(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE list_import i SET state = 'failed', finished_at = now(), updated_at = now(), rows_total = 0,
            error = 'interrupted: the importing process stopped before the end, and nothing of this import was written; importing the file again is safe'
      WHERE i.state = 'running'
        AND NOT EXISTS (SELECT 1 FROM pg_locks l
                         WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                           AND l.classid = ${IMPORT_LOCK_CLASS} AND l.objid = i.id::oid AND l.objsubid = 2)`);
  return rowCount ?? 0;
}

/** How far the reading got: rows read so far (nothing is in the campaign before the end). */
export async function recordListImportProgress(db: Queryable, importId: number, rowsRead: number): Promise<void> {
  await db.query('UPDATE list_import SET rows_total = $2, updated_at = now() WHERE id = $1', [importId, rowsRead]);
}

/** The import's end, in its transaction: the counts and 'done' commit with its contacts. */
export async function finishListImport(
  db: Queryable, importId: number, counts: { rowsTotal: number; imported: number; unchanged: number; rejected: number },
): Promise<void> {
  await db.query(
    `UPDATE list_import SET state = 'done', rows_total = $2, rows_imported = $3, rows_unchanged = $4, rows_rejected = $5,
            finished_at = now(), updated_at = now()
      WHERE id = $1`,
    [importId, counts.rowsTotal, counts.imported, counts.unchanged, counts.rejected]);
}

/** A failed import wrote nothing: its counts say so, whatever it had read. */
export async function failListImport(db: Queryable, importId: number, message: string): Promise<void> {
  await db.query(
    `UPDATE list_import SET state = 'failed', error = $2, rows_total = 0, rows_imported = 0, rows_unchanged = 0, rows_rejected = 0,
            finished_at = now(), updated_at = now()
      WHERE id = $1`,
    [importId, message]);
}

/** An import's first issues in file order, as its report shows them. */
export async function readFirstListImportIssues(db: Queryable, importId: number, first: number): Promise<ListImportIssueRow[]> {
  const { rows } = await db.query<ListImportIssueRow>(
    'SELECT id::int, line, field, severity, reason FROM list_import_issue WHERE import_id = $1 ORDER BY line, id LIMIT $2',
    [importId, first]);
  return rows;
}

export interface ImportCampaign {
  state: CampaignState;
  /** The body of the template version the campaign pinned; null without a template. */
  templateBody: string | null;
}

/** What an import needs of its campaign; `lock` holds it (FOR SHARE) against completion meanwhile. */
export async function readImportCampaign(db: Queryable, campaignId: string, lock = false): Promise<ImportCampaign | null> {
  const { rows } = await db.query<{ state: CampaignState; body: string | null }>(
    `SELECT k.state, v.body FROM campaign k
       LEFT JOIN template_version v ON v.template_id = k.template_id AND v.version = k.template_version
      WHERE k.id = $1${lock ? ' FOR SHARE OF k' : ''}`,
    [campaignId]);
  return rows[0] ? { state: rows[0].state, templateBody: rows[0].body } : null;
}
