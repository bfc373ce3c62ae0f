import type { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { createLogger } from '../common/logger';
import { isPlanError, parseNumberingPlanCsv, type NumberingPlanHeader, type NumberingPlanRange } from './numberingPlanCsv';
import { zonesForRegion } from '../domain/ruRegionZones';

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

// One statement per batch: unnest turns the parallel arrays into rows. Zones travel as one
// space-separated string per row (unnest of a 2-D array would flatten it); zone names have no
// spaces. A range that starts where a stored one starts replaces it: that is how a newer file
// updates the table, and why importing the same file twice changes nothing but imported_at.
const INSERT_SQL = `
  INSERT INTO numbering_range (range_from, range_to, code, operator, region, zones, source_file)
  SELECT f, t, c, o, r, string_to_array(z, ' '), $7
    FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[]) AS u(f, t, c, o, r, z)
  ON CONFLICT (range_from) DO UPDATE SET
    range_to = EXCLUDED.range_to, code = EXCLUDED.code, operator = EXCLUDED.operator,
    region = EXCLUDED.region, zones = EXCLUDED.zones, source_file = EXCLUDED.source_file,
    imported_at = now()`;

interface Batch {
  from: string[];
  to: string[];
  code: number[];
  operator: string[];
  region: string[];
  zones: string[];
  byFrom: Map<number, number>; // range start → index, to drop a repeated start within the batch
}

function emptyBatch(): Batch {
  return { from: [], to: [], code: [], operator: [], region: [], zones: [], byFrom: new Map() };
}

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
  // Rows written by this import have imported_at at or after this instant (text: full precision).
  const importStart = options.prune
    ? (await pool.query<{ t: string }>('SELECT clock_timestamp()::text AS t')).rows[0]!.t
    : null;

  const flush = async (batch: Batch) => {
    if (batch.from.length === 0) return;
    const res = await pool.query(INSERT_SQL,
      [batch.from, batch.to, batch.code, batch.operator, batch.region, batch.zones, sourceFile]);
    report.imported += res.rowCount ?? 0;
    options.onProgress?.(report.rows);
  };

  let batch = emptyBatch();
  // The next batch is read while the last one is written: reading is several times faster than
  // writing, so the import runs at the speed of the database. At most two batches are in memory.
  let writing: Promise<void> = Promise.resolve();
  const write = async (full: Batch) => {
    await writing;
    writing = flush(full);
    writing.catch(() => undefined); // awaited before the next write or at the end
  };
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
      // One statement cannot update a row twice: a start repeated within a batch keeps the later line.
      const at = batch.byFrom.get(row.from);
      const i = at ?? batch.from.length;
      if (at !== undefined) {
        report.warningCount++;
        issue(report.warnings, row.line, 'the same range start as an earlier line: this line replaces it');
      }
      batch.byFrom.set(row.from, i);
      batch.from[i] = String(row.from);
      batch.to[i] = String(row.to);
      batch.code[i] = row.code;
      batch.operator[i] = row.operator;
      batch.region[i] = region;
      batch.zones[i] = zones === null ? '' : zones.join(' ');
      if (batch.from.length >= batchSize) {
        await write(batch);
        batch = emptyBatch();
      }
    }
    await write(batch);
    await writing;
  } catch (err) {
    input.destroy();
    await writing.catch(() => undefined);
    throw err;
  }

  if (importStart !== null && codes.size > 0) {
    const res = await pool.query(
      `DELETE FROM numbering_range WHERE code = ANY($1::int[]) AND imported_at < $2::timestamptz`,
      [[...codes], importStart]);
    report.pruned = res.rowCount ?? 0;
  }

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
