import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { createLogger } from '../../common/logger';
import { ImportError, importList, type ImportIssue, type ImportProgress, type ImportReport } from '../../imports/contactList';
import { SNIFF_BYTES, sniffListFormat, type ListFormat } from '../../imports/listFormat';
import { argsAndDatabase, runCli, UsageError } from './runCli';

// npx tsx apps/cli/importList.ts --campaign <id> [--created-by <who>] <file.csv|file.xlsx>
//
// CSV or XLSX, told by the file's content (as the API's uploads are).
//
// Prints a summary and every issue to stdout, one per line ("line 7: PHONE_NUMBER: too short: 4
// digits"); logs (JSON lines) and, on a terminal, a progress line go to stderr.
// Exit code: 0 when at least one row is in the campaign (new or already there), 2 when every row
// was rejected or the file has no rows, 1 when the import could not run or stopped (bad
// arguments, missing campaign, not the accounting shape, database down: nothing was written),
// 64 on usage.

const USAGE = 'usage: npx tsx apps/cli/importList.ts --campaign <id> [--created-by <who>] <file.csv|file.xlsx>\n'
  + '       DATABASE_URL must be set';

interface Args {
  campaignId: string;
  file: string;
  createdBy: string;
}


function parseArgs(argv: string[]): Args {
  let campaignId: string | undefined;
  let createdBy: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--campaign') campaignId = value();
    else if (arg.startsWith('--campaign=')) campaignId = arg.slice('--campaign='.length);
    else if (arg === '--created-by') createdBy = value();
    else if (arg.startsWith('--created-by=')) createdBy = arg.slice('--created-by='.length);
    else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else files.push(arg);
  }
  if (!campaignId) throw new UsageError('--campaign is required');
  if (files.length !== 1) throw new UsageError(files.length === 0 ? 'no file given' : 'give exactly one file');
  // Who ran the import is recorded in list_import.created_by.
  return { campaignId, file: files[0]!, createdBy: createdBy ?? `cli:${os.userInfo().username}` };
}

function formatIssue(issue: ImportIssue): string {
  return issue.field ? `line ${issue.line}: ${issue.field}: ${issue.reason}` : `line ${issue.line}: ${issue.reason}`;
}

/** All issues: the report holds the first 1000, the table holds every one. */
async function allIssues(pool: Pool, report: ImportReport): Promise<ImportIssue[]> {
  if (report.issues.length >= report.issuesTotal) return report.issues;
  const { rows } = await pool.query<ImportIssue>(
    `SELECT line, field, severity, reason FROM list_import_issue WHERE import_id = $1 ORDER BY line, id`,
    [report.importId]);
  return rows;
}

function printReport(file: string, report: ImportReport, issues: ImportIssue[]): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`${file}: import ${report.importId}`);
  out(`  rows read:       ${report.rowsTotal}`);
  out(`  imported:        ${report.rowsImported}`);
  out(`  already there:   ${report.rowsUnchanged} (left unchanged)`);
  out(`  rejected:        ${report.rowsRejected}`);
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  if (errors.length > 0) {
    out(`\nRejected rows (${errors.length}), not imported:`);
    errors.forEach((i) => out(`  ${formatIssue(i)}`));
  }
  if (warnings.length > 0) {
    out(`\nWarnings (${warnings.length}), the row was imported:`);
    warnings.forEach((i) => out(`  ${formatIssue(i)}`));
  }
}

/** On a terminal, one line on stderr rewritten as the rows are read: rows, rate, refused lines. */
function progressLine(): { show: (p: ImportProgress) => void; clear: () => void } {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let shown = false;
  return {
    show: (p) => {
      if (!tty) return;
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? Math.round(p.rowsRead / seconds) : 0;
      const what = p.merging ? 'read; adding them to the campaign…' : `read, ${rate.toLocaleString('en')} rows/s`;
      process.stderr.write(`\r\x1b[K${p.rowsRead.toLocaleString('en')} rows ${what}, ${p.rowsRefused.toLocaleString('en')} refused so far`);
      shown = true;
    },
    clear: () => {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** CSV or XLSX by the file's first bytes; a file that is neither is refused by what it is. */
async function formatOf(file: string): Promise<ListFormat> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    const sniffed = sniffListFormat(head.subarray(0, bytesRead));
    if ('refused' in sniffed) throw new Error(sniffed.refused);
    return sniffed.format;
  } finally {
    await handle.close();
  }
}

async function main(): Promise<number> {
  const start = argsAndDatabase(() => parseArgs(process.argv.slice(2)), USAGE);
  if (typeof start === 'number') return start;
  const { args, databaseUrl } = start;
  let format: ListFormat;
  try {
    format = await formatOf(args.file);
  } catch (err) {
    process.stderr.write(`cannot read ${args.file}: ${(err as Error).message}\n`);
    return 1;
  }

  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const progress = progressLine();
  try {
    const report = await importList({
      pool, campaignId: args.campaignId, fileName: path.basename(args.file),
      input: createReadStream(args.file), createdBy: args.createdBy, format,
      // A log line first takes the progress line off the terminal (the next progress redraws it).
      log: createLogger('importList', undefined, { write: (line: string) => { progress.clear(); process.stderr.write(line); } }),
      onProgress: progress.show,
    });
    progress.clear();
    printReport(args.file, report, await allIssues(pool, report));
    // A re-import of the same file finds every row already there: that is success too.
    return report.rowsImported + report.rowsUnchanged > 0 ? 0 : 2;
  } catch (err) {
    progress.clear();
    if (!(err instanceof ImportError)) throw err;
    if (err.noRows) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    process.stderr.write(`import failed: ${err.message}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

runCli('import failed', main);
