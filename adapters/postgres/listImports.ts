import type { Row } from './rows';
import type { Queryable } from './transaction';

// A list import as its progress is read (imports/contactList.ts writes it batch by batch).

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
