import type { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { createLogger } from '../common/logger';
import { ContactStaging, mergeStagedContacts, type StagedIssue } from '../adapters/postgres/contactStaging';
import { CONTACT_WRITABLE_STATES, lockCampaignContacts } from '../adapters/postgres/contactUpserts';
import {
  closeListImport, failAbandonedListImports, failListImport, finishListImport, openListImport,
  readFirstListImportIssues, readImportCampaign, recordListImportProgress,
} from '../adapters/postgres/listImports';
import {
  CsvShapeError,
  isRowError,
  parseAccountingCsv,
  parseAccountingRows,
  type AccountingRow,
} from './accountingCsv';
import type { ListFormat } from './listFormat';
import { templateNeeds } from './templateNeeds';
import { readXlsxRows } from './xlsxRows';
import type { CountryCode } from '../domain/phoneNumbers';
import type { CampaignState } from '../domain/outcomes';
import { countImportedRows } from '../adapters/metrics/dialerMetrics';

const defaultLog = createLogger('importList');

/** The import cannot run, or stopped: the message is meant for the user. */
export class ImportError extends Error {
  constructor(message: string, options?: { cause?: unknown; noRows?: boolean }) {
    super(message, options);
    this.name = 'ImportError';
    this.noRows = options?.noRows ?? false;
  }

  /** The file has a header and no row: nothing was written. */
  readonly noRows: boolean;
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

/** How far reading has got, told while the file is read (then once more before the rows are merged). */
export interface ImportProgress {
  rowsRead: number;
  rowsRefused: number;
  /** Whether reading is over and the rows are being added to the campaign. */
  merging: boolean;
}

export interface ImportOptions {
  pool: Pool;
  campaignId: string;
  fileName: string;
  input: Readable;
  createdBy: string;
  /** Rows between two progress reports (the list_import row's rows_total, and onProgress). */
  batchSize?: number;
  /** Lines inserted into the campaign at once while the next are read (CHUNK_LINES). */
  chunkLines?: number;
  defaultCountry?: CountryCode;
  /** 'csv' (default) or 'xlsx' (the first worksheet, read into the same rows). */
  format?: ListFormat;
  /** Told the import's id once its list_import row exists (the header was read and is right). */
  onStarted?: (importId: number) => void;
  /** Told how far reading got, every batchSize rows and when reading ends. */
  onProgress?: (progress: ImportProgress) => void;
  /** Stops the import between rows, or before its rows are committed: it fails with the signal's reason. */
  signal?: AbortSignal;
  /** Where the import logs (ids and counts only); the command line sends it to stderr. */
  log?: Logger;
}

export const MAX_REPORTED_ISSUES = 1000;

/**
 * Imports an accounting-shape list into a campaign, all or nothing. The file is read as a stream
 * and each row checked here; its rows go by COPY into a staging table of the import's session and
 * then into the campaign in one transaction, so a failed, stopped or killed import leaves no
 * contact behind (its list_import row says failed; see failAbandonedListImports). Every row is
 * either imported, found already there (left unchanged: its workflow may be calling it) or
 * rejected, and every rejection and rewrite is stored in list_import_issue with the row's text.
 * Safe to run again on the same file. The input is read to its end, or destroyed when the import
 * fails.
 */
export async function importList(opts: ImportOptions): Promise<ImportReport> {
  const { pool, campaignId, fileName, input, createdBy } = opts;
  const log = opts.log ?? defaultLog;
  const batchSize = opts.batchSize ?? 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);

  const defaultCountry = opts.defaultCountry ?? 'RU';
  const rows = opts.format === 'xlsx'
    ? parseAccountingRows(readXlsxRows(input), { defaultCountry })
    : parseAccountingCsv(input, { defaultCountry });
  let client: PoolClient | undefined;
  let importId: number | undefined;
  let inTransaction = false;
  let broken = false;
  let staging: ContactStaging | undefined;
  try {
    // Imports whose process died are told apart from running ones here, before a new one starts.
    await failAbandonedListImports(pool);
    const campaign = await readImportCampaign(pool, campaignId);
    checkCampaign(campaignId, campaign?.state);
    const needs = campaign?.templateBody ? templateNeeds(campaign.templateBody) : null;
    // Reading the first row checks the header, before anything is written for a wrong file.
    let next = await readHeaderAndFirstRow(rows, fileName);
    if (next.done) throw new ImportError(`${fileName}: no rows: the file has its header and nothing after it; nothing was written`, { noRows: true });

    client = await pool.connect();
    importId = await openListImport(client, campaignId, fileName, createdBy);
    const id = importId;
    log.info({ importId, campaignId, format: opts.format ?? 'csv', template: needs !== null }, 'list import started');
    opts.onStarted?.(importId);

    await client.query('BEGIN');
    inTransaction = true;
    const readStarted = Date.now();
    // Contacts go in chunk by chunk while the file is read: the API's upsertContacts cannot take
    // the same contacts meanwhile (it waits for the import's end).
    await lockCampaignContacts(client, campaignId);
    staging = await ContactStaging.open(client, campaignId, opts.chunkLines);
    let rowsTotal = 0;
    let rejected = 0;
    let progress: Promise<void> = Promise.resolve();
    const report = (merging: boolean) => {
      opts.onProgress?.({ rowsRead: rowsTotal, rowsRefused: rejected, merging });
      const read = rowsTotal;
      // One progress write at a time, off the import's session; a lost one is only late.
      progress = progress.then(() => recordListImportProgress(pool, id, read)).catch((err: unknown) => {
        log.warn({ importId: id, code: (err as { code?: unknown }).code }, 'list import: progress not recorded');
      });
    };
    for (; !next.done; next = await rows.next()) {
      if (opts.signal?.aborted) throw stopped(fileName, opts.signal);
      const row = next.value;
      rowsTotal++;
      const refusal = refusalOf(row, needs);
      if (refusal !== null) {
        rejected++;
        await staging.issues([refusal]);
      } else if (!isRowError(row)) {
        await staging.contact(row);
        if (row.warnings.length > 0) {
          await staging.issues(row.warnings.map((w) => ({ line: row.line, field: w.field, severity: 'warning', reason: w.reason, raw: row.rawLine })));
        }
      }
      if (rowsTotal % batchSize === 0) report(false);
    }
    const chunkMs = await staging.end();
    report(true);
    await progress;
    const readMs = Date.now() - readStarted;

    // The campaign cannot be completed or cancelled from here to the commit; if it was while the
    // file was read, the import fails here and its contacts are rolled back.
    checkCampaign(campaignId, (await readImportCampaign(client, campaignId, true))?.state);
    const merged = await mergeStagedContacts(client, importId, campaignId);
    const counts = { rowsTotal, imported: merged.inserted, unchanged: merged.unchanged, rejected: rejected + merged.repeated };
    await finishListImport(client, importId, counts);
    if (opts.signal?.aborted) throw stopped(fileName, opts.signal);
    await client.query('COMMIT');
    inTransaction = false;

    countImportedRows(counts);
    log.info({ importId, campaignId, ...counts, issues: merged.issues, readMs, chunkMs, mergeMs: merged.ms }, 'list import finished');
    const issues = await readFirstListImportIssues(pool, importId, MAX_REPORTED_ISSUES);
    return {
      importId, rowsTotal, rowsImported: counts.imported, rowsUnchanged: counts.unchanged, rowsRejected: counts.rejected,
      issues: issues.map(({ id: _id, ...issue }) => ({ ...issue, severity: issue.severity as ImportIssue['severity'] })),
      issuesTotal: merged.issues,
    };
  } catch (err) {
    input.destroy();
    // A chunk still being inserted finishes first: its statements would otherwise follow the ROLLBACK.
    await staging?.settle();
    // A session that failed mid-COPY is not given to anyone else.
    if (staging?.failed) broken = true;
    if (inTransaction) await client?.query('ROLLBACK').catch(() => { broken = true; });
    const failure = err instanceof ImportError ? err
      : new ImportError(`import of ${fileName} failed: ${(err as Error).message}. Nothing of it was written; importing the file again is safe`, { cause: err });
    if (importId !== undefined) {
      log.error({ importId, campaignId, code: (err as { code?: unknown }).code }, 'list import stopped');
      await failListImport(pool, importId, failure.message)
        .catch((e: unknown) => log.error({ importId, code: (e as { code?: unknown }).code }, 'list import: could not record the failure'));
    }
    throw failure;
  } finally {
    await rows.return(undefined);
    if (client) {
      if (!broken && importId !== undefined) await closeListImport(client, importId).catch(() => { broken = true; });
      // A session that failed mid-COPY is not given to anyone else.
      client.release(broken);
    }
  }
}

function checkCampaign(campaignId: string, state: CampaignState | undefined): void {
  if (state === undefined) throw new ImportError(`campaign "${campaignId}" does not exist`);
  if (!CONTACT_WRITABLE_STATES.includes(state)) {
    throw new ImportError(`campaign "${campaignId}" is ${state}: contacts can only be added to a draft, running or paused campaign`);
  }
}

function stopped(fileName: string, signal: AbortSignal): ImportError {
  return new ImportError(`import of ${fileName} stopped: ${String(signal.reason ?? 'aborted')}`);
}

async function readHeaderAndFirstRow(rows: AsyncGenerator<AccountingRow>, fileName: string): Promise<IteratorResult<AccountingRow>> {
  try {
    return await rows.next();
  } catch (err) {
    if (err instanceof CsvShapeError) throw new ImportError(`${fileName}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Why a row is refused: the reader's reason, or what the campaign's template needs of it. */
function refusalOf(row: AccountingRow, needs: ReturnType<typeof templateNeeds>): StagedIssue | null {
  if (isRowError(row)) return { line: row.line, field: row.error.field, severity: 'error', reason: row.error.reason, raw: row.rawLine };
  const problem = needs?.(row.name, row.variables) ?? null;
  return problem === null ? null : { line: row.line, field: problem.field, severity: 'error', reason: problem.reason, raw: row.rawLine };
}
