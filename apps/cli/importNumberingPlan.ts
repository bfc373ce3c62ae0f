import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { Pool } from 'pg';
import { NumberingPlanFormatError } from '../../imports/numberingPlanCsv';
import { importNumberingPlan, type NumberingPlanImportReport } from '../../imports/numberingPlan';
import { argsAndDatabase, runCli, UsageError } from './runCli';

// npx tsx apps/cli/importNumberingPlan.ts [--prune] FILE...
//
// Imports the numbering plan registry files (ABC-3xx.csv, ABC-4xx.csv, ABC-8xx.csv, DEF-9xx.csv)
// into numbering_range, one after the other, and prints for each: rows read, ranges imported,
// the regions no zone is known for (with their range counts), and every rejected line.
// Exit code: 0 when every file imported at least one range, 2 when some file imported none,
// 1 when an import could not run (unreadable file, not a registry file, database down), 64 on usage.

const USAGE = 'usage: npx tsx apps/cli/importNumberingPlan.ts [--prune] FILE...\n'
  + '       --prune  a file is the whole registry for its codes: delete their ranges it no longer has\n'
  + '       DATABASE_URL must be set';


function parseArgs(argv: string[]): { files: string[]; prune: boolean } {
  const files: string[] = [];
  let prune = false;
  for (const arg of argv) {
    if (arg === '--prune') prune = true;
    else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else files.push(arg);
  }
  if (files.length === 0) throw new UsageError('no file given');
  return { files, prune };
}

const out = (s: string) => process.stdout.write(`${s}\n`);

function printReport(file: string, r: NumberingPlanImportReport, seconds: number): void {
  const h = r.header;
  out(`${file}${h ? ` (${h.encoding}, ${h.format === 'registry-gar' ? 'with "Территория ГАР"' : '6 columns'})` : ''}`);
  out(`  rows read:        ${r.rows}`);
  out(`  ranges imported:  ${r.imported}  (${seconds.toFixed(1)} s, ${Math.round(r.rows / Math.max(seconds, 0.001))} rows/s)`);
  if (r.pruned > 0) out(`  ranges removed:   ${r.pruned} (no longer in the file)`);
  out(`  rejected lines:   ${r.errorCount}`);
  out(`  warnings:         ${r.warningCount}`);
  const unknown = [...r.unknownRegions].sort((a, b) => b[1] - a[1]);
  const unknownRanges = unknown.reduce((n, [, c]) => n + c, 0);
  if (unknown.length === 0) out('  unknown regions:  none');
  else out(`  unknown regions:  ${unknown.length} (${unknownRanges} ranges imported without a zone: their numbers get the campaign's zone)`);
  unknown.forEach(([region, count]) => out(`    ${count}\t${region}`));
  const listed = (title: string, list: { line: number; reason: string }[], total: number) => {
    if (total === 0) return;
    out(`\n  ${title} (${total}${total > list.length ? `, the first ${list.length} shown` : ''}):`);
    list.forEach((i) => out(`    line ${i.line}: ${i.reason}`));
  };
  listed('Rejected lines, not imported', r.errors, r.errorCount);
  listed('Warnings, imported', r.warnings, r.warningCount);
  out('');
}

async function main(): Promise<number> {
  const start = argsAndDatabase(() => parseArgs(process.argv.slice(2)), USAGE);
  if (typeof start === 'number') return start;
  const { args, databaseUrl } = start;

  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  let code = 0;
  try {
    for (const file of args.files) {
      try {
        await access(file);
      } catch (err) {
        process.stderr.write(`cannot read ${file}: ${(err as Error).message}\n`);
        code = 1;
        continue;
      }
      const started = Date.now();
      let lastProgress = started;
      try {
        const report = await importNumberingPlan(pool, createReadStream(file), path.basename(file), {
          prune: args.prune,
          onProgress: (rows) => {
            // A full DEF-9xx file takes a while: say how far it is, on stderr, every few seconds.
            if (Date.now() - lastProgress > 5000) {
              lastProgress = Date.now();
              process.stderr.write(`${file}: ${rows} rows...\n`);
            }
          },
        });
        printReport(file, report, (Date.now() - started) / 1000);
        if (report.imported === 0 && code === 0) code = 2;
      } catch (err) {
        if (!(err instanceof NumberingPlanFormatError)) throw err;
        process.stderr.write(`${file}: ${err.message}\n`);
        code = 1;
      }
    }
    return code;
  } finally {
    await pool.end();
  }
}

runCli('import failed', main);
