import type { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { createLogger } from '../common/logger';
import { isPlanError, parseNumberingPlanCsv, type NumberingPlanHeader, type NumberingPlanRange } from './numberingPlanCsv';
import { zonesForRegion } from '../domain/ruRegionZones';
import {
  databaseNow,
  deleteRangesNotImportedSince,
  upsertNumberingRanges,
  type NumberingRangeInput,
} from '../adapters/postgres/numberingPlan';
import { BatchWriter } from './batchWriter';

const log = createLogger('importNumberingPlan');

export interface NumberingPlanIssue {
  line: number;
  reason: string;
}

export interface NumberingPlanImportReport {
  rows: number; // data lines read
  imported: number; // ranges written (new, or replacing the range that started at the same number)
  /** Region text → ranges stored without a zone (their numbers get the campaign's zone). */
  unknownRegions: Map<string, number>;
  errors: NumberingPlanIssue[]; // rejected lines, the first MAX_REPORTED_ISSUES
  errorCount: number;
  warnings: NumberingPlanIssue[]; // imported, but odd (capacity mismatch, repeated range start)
  warningCount: number;
  pruned: number; // ranges of the file's codes that the file no longer has (only with `prune`)
  header: NumberingPlanHeader | null;
}

export interface ImportNumberingPlanOptions {
  batchSize?: number;
  /**
   * The file is the whole registry for the codes it contains (as the regulator's files are):
   * after it is imported, ranges of those codes that it did not write are deleted. Without it,
   * a range the new file split, merged or withdrew under another start stays in the table.
   */
  prune?: boolean;
  onProgress?: (rows: number) => void;
}

export const MAX_REPORTED_ISSUES = 1000;
const DEFAULT_BATCH_SIZE = 5000;
// The registry has a few hundred region texts no subject matches at most; past this many, a file
// is not what it claims to be, and the rest are counted together (memory stays bounded).
const MAX_UNKNOWN_REGIONS = 10_000;
const OTHER_UNKNOWN = '(other regions)';

/** A "Регион" of "-" or nothing says nothing. */
function meaningful(text: string | null): text is string {
  return text !== null && text !== '' && !/^[-–—\s]+$/.test(text);
}

/**
 * The region text stored with a range and its zones. "Территория ГАР" is tried first: it is the
 * federal address register's name and always filled, where "Регион" is a dash in some rows of
 * newer files and, in a few, names a neighbouring subject by mistake.
 */
export function regionOfRange(range: Pick<NumberingPlanRange, 'region' | 'territory'>): { region: string; zones: string[] | null } {
  const region = meaningful(range.region) ? range.region : meaningful(range.territory) ? range.territory : range.region;
  const zones = (meaningful(range.territory) ? zonesForRegion(range.territory) : null)
    ?? (meaningful(range.region) ? zonesForRegion(range.region) : null);
  return { region, zones };
}

/**
 * Imports one registry file into numbering_range, in batches, reading the input as a stream
 * (memory does not grow with the file). Lines that cannot be read are reported, not imported;
 * ranges whose region names no known subject are imported with no zone and counted by region.
 * The input is read to its end, or destroyed when the import fails.
 */
export async function importNumberingPlan(
  pool: Pool,
  input: Readable,
  sourceFile: string,
  options: ImportNumberingPlanOptions = {},
): Promise<NumberingPlanImportReport> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const started = Date.now();
  const report: NumberingPlanImportReport = {
    rows: 0, imported: 0, unknownRegions: new Map(), errors: [], errorCount: 0,
    warnings: [], warningCount: 0, pruned: 0, header: null,
  };
  const issue = (list: NumberingPlanIssue[], line: number, reason: string) => {
    if (list.length < MAX_REPORTED_ISSUES) list.push({ line, reason });
  };
  const codes = new Set<number>();
  // Rows written by this import have imported_at at or after this instant.
  const importStart = options.prune ? await databaseNow(pool) : null;

  // One statement a batch, committed on its own: an import that stops keeps the batches before.
  const writer = new BatchWriter<NumberingRangeInput, number>({
    size: batchSize,
    // One statement cannot update a row twice: a start repeated within a batch keeps the later line.
    key: (r) => r.from,
    write: async (batch) => {
      report.imported += await upsertNumberingRanges(pool, batch, sourceFile);
      options.onProgress?.(report.rows);
    },
  });
  try {
    const rows = parseNumberingPlanCsv(input, { onHeader: (h) => { report.header = h; } });
    for await (const row of rows) {
      report.rows++;
      if (isPlanError(row)) {
        report.errorCount++;
        issue(report.errors, row.line, row.error);
        continue;
      }
      if (row.warning !== undefined) {
        report.warningCount++;
        issue(report.warnings, row.line, row.warning);
      }
      const { region, zones } = regionOfRange(row);
      if (zones === null) {
        let key = region === '' ? '(empty)' : region;
        if (!report.unknownRegions.has(key) && report.unknownRegions.size >= MAX_UNKNOWN_REGIONS) key = OTHER_UNKNOWN;
        report.unknownRegions.set(key, (report.unknownRegions.get(key) ?? 0) + 1);
      }
      codes.add(row.code);
      const replaced = await writer.add({ from: row.from, to: row.to, code: row.code, operator: row.operator, region, zones });
      if (replaced !== undefined) {
        report.warningCount++;
        issue(report.warnings, row.line, 'the same range start as an earlier line: this line replaces it');
      }
    }
    await writer.end();
  } catch (err) {
    input.destroy();
    await writer.settle();
    throw err;
  }

  if (importStart !== null) report.pruned = await deleteRangesNotImportedSince(pool, [...codes], importStart);

  const ms = Date.now() - started;
  let unknownRanges = 0;
  for (const n of report.unknownRegions.values()) unknownRanges += n;
  log.info({
    sourceFile, rows: report.rows, imported: report.imported, errors: report.errorCount,
    warnings: report.warningCount, unknownRegions: report.unknownRegions.size, unknownRanges,
    pruned: report.pruned, ms, rowsPerSecond: ms > 0 ? Math.round((report.rows * 1000) / ms) : null,
  }, 'numbering plan imported');
  return report;
}
