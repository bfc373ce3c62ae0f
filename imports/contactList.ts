import type { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import { createLogger } from '../common/logger';
import { inTransaction } from '../adapters/postgres/transaction';
import { BatchWriter } from './batchWriter';
import {
  CsvShapeError,
  isRowError,
  parseAccountingCsv,
  parseAccountingRows,
  type AccountingContact,
  type AccountingRow,
} from './accountingCsv';
import type { ListFormat } from './listFormat';
import { readXlsxRows } from './xlsxRows';
import type { CountryCode } from '../domain/phoneNumbers';
import { countImportedRows } from '../adapters/metrics/dialerMetrics';

const log = createLogger('importList');

/** The import cannot run, or stopped: the message is meant for the user. */
export class ImportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImportError';
  }
}

export interface ImportIssue {
  line: number;
  field: string | null;
  severity: 'error' | 'warning';
  reason: string;
}

export interface ImportReport {
  importId: number;
  rowsTotal: number;
  rowsImported: number; // new contacts
  rowsUnchanged: number; // already in the campaign from an earlier import: left as they were
  rowsRejected: number;
  issues: ImportIssue[]; // the first MAX_REPORTED_ISSUES, in line order; all are in list_import_issue
  issuesTotal: number;
}

export interface ImportOptions {
  pool: Pool;
  campaignId: string;
  fileName: string;
  input: Readable;
  createdBy: string;
  batchSize?: number;
  defaultCountry?: CountryCode;
  /** 'csv' (default) or 'xlsx' (the first worksheet, read into the same rows). */
  format?: ListFormat;
  /** Told the import's id once its list_import row exists (the header was read and is right). */
  onStarted?: (importId: number) => void;
  /** Stops the import between rows: it fails with the signal's reason. */
  signal?: AbortSignal;
}

export const MAX_REPORTED_ISSUES = 1000;
const IMPORTABLE_STATES = ['draft', 'running', 'paused'];

interface StoredIssue extends ImportIssue {
  raw: string;
}

/** One row of the file as it will be written: a contact to add, or none, and its issues. */
interface ReadRow {
  line: number;
  contact: AccountingContact | null; // null: the row is rejected
  issues: StoredIssue[];
}

/**
 * Imports an accounting-shape list into a campaign. Every row is either imported, found already
 * there (left unchanged: its workflow may be calling it) or rejected, and every rejection and
 * rewrite is stored in list_import_issue with the row's text. Safe to run again on the same file.
 * The input is read to its end, or destroyed when the import fails.
 */
export async function importList(opts: ImportOptions): Promise<ImportReport> {
  const { pool, campaignId, fileName, input, createdBy } = opts;
  const batchSize = opts.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);

  const defaultCountry = opts.defaultCountry ?? 'RU';
  const rows = opts.format === 'xlsx'
    ? parseAccountingRows(readXlsxRows(input), { defaultCountry })
    : parseAccountingCsv(input, { defaultCountry });
  let writer: BatchWriter<ReadRow> | undefined;
  let importId: number | undefined;
  try {
    await checkCampaign(pool, campaignId);
    // Reading the first row checks the header, before anything is written for a wrong file.
    let next = await readHeaderAndFirstRow(rows, fileName);
    importId = await createImport(pool, campaignId, fileName, createdBy);
    const id = importId;
    log.info({ importId, campaignId, batchSize, format: opts.format ?? 'csv' }, 'list import started');
    opts.onStarted?.(importId);

    const report: ImportReport = { importId, rowsTotal: 0, rowsImported: 0, rowsUnchanged: 0, rowsRejected: 0, issues: [], issuesTotal: 0 };
    // One contact given twice in the file is imported once; the second line is reported.
    const firstLineOf = new Map<string, number>();
    // Each batch is one transaction, with the list_import counts: what was saved is consistent.
    writer = new BatchWriter<ReadRow>({
      size: batchSize,
      weight: (row) => Math.max(1, row.issues.length), // a batch holds at most about batchSize issues too
      write: (batch) => writeBatch(pool, id, campaignId, batch, report, fileName),
    });
    for (; !next.done; next = await rows.next()) {
      if (opts.signal?.aborted) throw new ImportError(`import of ${fileName} stopped: ${String(opts.signal.reason ?? 'aborted')}`);
      await writer.add(toReadRow(next.value, firstLineOf));
    }
    await writer.end();
    await pool.query(`UPDATE list_import SET state = 'done', finished_at = now(), updated_at = now() WHERE id = $1`, [importId]);

    log.info({
      importId, campaignId, rowsTotal: report.rowsTotal, rowsImported: report.rowsImported,
      rowsUnchanged: report.rowsUnchanged, rowsRejected: report.rowsRejected, issues: report.issuesTotal,
    }, 'list import finished');
    return report;
  } catch (err) {
    input.destroy();
    await writer?.settle();
    if (importId !== undefined) await markFailed(pool, importId, err);
    throw err;
  } finally {
    await rows.return(undefined);
  }
}

async function checkCampaign(db: Pool | PoolClient, campaignId: string, lock = false): Promise<void> {
  // FOR SHARE inside a batch's transaction: the campaign cannot be completed or cancelled while
  // contacts are being added to it.
  const { rows } = await db.query<{ state: string }>(
    `SELECT state FROM campaign WHERE id = $1${lock ? ' FOR SHARE' : ''}`, [campaignId]);
  if (rows.length === 0) throw new ImportError(`campaign "${campaignId}" does not exist`);
  const state = rows[0]!.state;
  if (!IMPORTABLE_STATES.includes(state)) {
    throw new ImportError(`campaign "${campaignId}" is ${state}: contacts can only be added to a draft, running or paused campaign`);
  }
}

/** A failed import says so in its row (when the database still answers): the batches before stay. */
async function markFailed(pool: Pool, importId: number, err: unknown): Promise<void> {
  const message = err instanceof ImportError ? err.message : `the import failed: ${(err as Error).message}`;
  await pool.query(
    `UPDATE list_import SET state = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`,
    [importId, message],
  ).catch((e: unknown) => log.error({ importId, code: (e as { code?: unknown }).code }, 'list import: could not record the failure'));
}

async function readHeaderAndFirstRow(rows: AsyncGenerator<AccountingRow>, fileName: string): Promise<IteratorResult<AccountingRow>> {
  try {
    return await rows.next();
  } catch (err) {
    if (err instanceof CsvShapeError) throw new ImportError(`${fileName}: ${err.message}`, { cause: err });
    throw err;
  }
}

async function createImport(pool: Pool, campaignId: string, fileName: string, createdBy: string): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    'INSERT INTO list_import (campaign_id, file_name, created_by) VALUES ($1, $2, $3) RETURNING id',
    [campaignId, fileName, createdBy]);
  return Number(rows[0]!.id);
}

function toReadRow(row: AccountingRow, firstLineOf: Map<string, number>): ReadRow {
  if (isRowError(row)) {
    return { line: row.line, contact: null, issues: [{ line: row.line, field: row.error.field, severity: 'error', reason: row.error.reason, raw: row.rawLine }] };
  }
  const earlier = firstLineOf.get(row.externalId);
  if (earlier !== undefined) {
    return {
      line: row.line, contact: null, issues: [{
        line: row.line, field: null, severity: 'error', raw: row.rawLine,
        reason: `the same contact (name and numbers) as line ${earlier}: imported once, from line ${earlier}`,
      }],
    };
  }
  firstLineOf.set(row.externalId, row.line);
  return {
    line: row.line, contact: row,
    issues: row.warnings.map((w) => ({ line: row.line, field: w.field, severity: 'warning', reason: w.reason, raw: row.rawLine })),
  };
}

async function writeBatch(
  pool: Pool, importId: number, campaignId: string, rows: ReadRow[], report: ImportReport, fileName: string,
): Promise<void> {
  const started = Date.now();
  const lastLine = rows[rows.length - 1]!.line;
  const batch = {
    contacts: rows.flatMap((r) => (r.contact ? [r.contact] : [])),
    issues: rows.flatMap((r) => r.issues),
    rows: rows.length,
    rejected: rows.filter((r) => r.contact === null).length,
  };
  let imported: number;
  try {
    imported = await inTransaction(pool, async (client) => {
      await checkCampaign(client, campaignId, true);
      const inserted = await insertContacts(client, campaignId, batch.contacts);
      await insertPhonesAndVariables(client, batch.contacts, inserted);
      const kept = batch.contacts.filter((c) => !inserted.has(c.externalId));
      batch.issues.push(...await changesNotApplied(client, campaignId, kept));
      batch.issues.sort((a, b) => a.line - b.line);
      await insertIssues(client, importId, batch.issues);
      await client.query(
        `UPDATE list_import SET rows_total = rows_total + $2, rows_imported = rows_imported + $3,
           rows_rejected = rows_rejected + $4, rows_unchanged = rows_unchanged + $5, updated_at = now() WHERE id = $1`,
        [importId, batch.rows, inserted.size, batch.rejected, batch.contacts.length - inserted.size]);
      return inserted.size;
    });
  } catch (err) {
    log.error({ importId, campaignId, savedRows: report.rowsTotal, code: (err as { code?: unknown }).code }, 'list import stopped');
    if (err instanceof ImportError) {
      throw new ImportError(`${err.message} (import of ${fileName} stopped at line ${lastLine}; ${report.rowsTotal} rows before were saved)`, { cause: err });
    }
    throw new ImportError(
      `import of ${fileName} stopped at line ${lastLine}: ${(err as Error).message}. ${report.rowsTotal} rows before were saved; `
      + 'importing the file again is safe (saved contacts are not imported twice)', { cause: err });
  }

  countImportedRows({ imported, unchanged: batch.contacts.length - imported, rejected: batch.rejected });
  report.rowsTotal += batch.rows;
  report.rowsImported += imported;
  report.rowsUnchanged += batch.contacts.length - imported;
  report.rowsRejected += batch.rejected;
  report.issuesTotal += batch.issues.length;
  for (const { raw: _raw, ...issue } of batch.issues) {
    if (report.issues.length >= MAX_REPORTED_ISSUES) break;
    report.issues.push(issue);
  }
  log.debug({ importId, rows: batch.rows, imported, rejected: batch.rejected, ms: Date.now() - started }, 'list import batch written');
}

// Multi-row statements over unnest()ed arrays: one round trip per table per batch.

/** external id → contact id, for the contacts this batch created (not those already there). */
async function insertContacts(client: PoolClient, campaignId: string, contacts: AccountingContact[]): Promise<Map<string, string>> {
  if (contacts.length === 0) return new Map();
  const { rows } = await client.query<{ id: string; external_id: string }>(
    `INSERT INTO contact (campaign_id, external_id, full_name)
     SELECT $1, external_id, full_name FROM unnest($2::text[], $3::text[]) AS t (external_id, full_name)
     ON CONFLICT (campaign_id, external_id) DO NOTHING
     RETURNING id, external_id`,
    [campaignId, contacts.map((c) => c.externalId), contacts.map((c) => c.name)]);
  return new Map(rows.map((r) => [r.external_id, r.id]));
}

async function insertPhonesAndVariables(client: PoolClient, contacts: AccountingContact[], inserted: Map<string, string>): Promise<void> {
  const phones = { contactId: [] as string[], position: [] as number[], e164: [] as string[], raw: [] as string[], note: [] as (string | null)[] };
  const variables = { contactId: [] as string[], name: [] as string[], value: [] as string[] };
  for (const contact of contacts) {
    const id = inserted.get(contact.externalId);
    if (id === undefined) continue;
    contact.phones.forEach((phone, i) => {
      phones.contactId.push(id);
      phones.position.push(i + 1);
      phones.e164.push(phone.e164);
      phones.raw.push(phone.raw);
      phones.note.push(phone.note ?? null);
    });
    for (const [name, value] of Object.entries(contact.variables)) {
      variables.contactId.push(id);
      variables.name.push(name);
      variables.value.push(value);
    }
  }
  if (phones.contactId.length > 0) {
    await client.query(
      `INSERT INTO contact_phone (contact_id, position, e164, raw, note)
       SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[])`,
      [phones.contactId, phones.position, phones.e164, phones.raw, phones.note]);
  }
  if (variables.contactId.length > 0) {
    await client.query(
      `INSERT INTO contact_variable (contact_id, name, value)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])`,
      [variables.contactId, variables.name, variables.value]);
  }
}

/**
 * A contact that is already in the campaign is not touched, even when the file now has other
 * variables for it (a new BALANCE, say): the user is warned, by variable name only.
 */
async function changesNotApplied(client: PoolClient, campaignId: string, kept: AccountingContact[]): Promise<StoredIssue[]> {
  if (kept.length === 0) return [];
  const { rows } = await client.query<{ external_id: string; name: string | null; value: string | null }>(
    `SELECT c.external_id, v.name, v.value
       FROM contact c LEFT JOIN contact_variable v ON v.contact_id = c.id
      WHERE c.campaign_id = $1 AND c.external_id = ANY ($2::text[])`,
    [campaignId, kept.map((c) => c.externalId)]);
  const stored = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const vars = stored.get(r.external_id) ?? new Map<string, string>();
    if (r.name !== null) vars.set(r.name, r.value ?? '');
    stored.set(r.external_id, vars);
  }
  const issues: StoredIssue[] = [];
  for (const contact of kept) {
    const before = stored.get(contact.externalId) ?? new Map<string, string>();
    const names = new Set([...before.keys(), ...Object.keys(contact.variables)]);
    const differing = [...names].filter((n) => before.get(n) !== (Object.hasOwn(contact.variables, n) ? contact.variables[n] : undefined));
    if (differing.length > 0) {
      issues.push({
        line: contact.line, field: 'USER_VARS', severity: 'warning', raw: contact.rawLine,
        reason: `the contact is already in the campaign and was left unchanged: the file's values of ${differing.join(', ')} were not applied`,
      });
    }
  }
  return issues;
}

async function insertIssues(client: PoolClient, importId: number, issues: StoredIssue[]): Promise<void> {
  if (issues.length === 0) return;
  await client.query(
    `INSERT INTO list_import_issue (import_id, line, field, severity, reason, raw)
     SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::text[], $5::text[], $6::text[])`,
    [importId, issues.map((i) => i.line), issues.map((i) => i.field), issues.map((i) => i.severity),
      issues.map((i) => i.reason), issues.map((i) => i.raw)]);
}
