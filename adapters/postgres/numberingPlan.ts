import type { Queryable } from './transaction';

// The numbering plan registry's ranges (table numbering_range), as the registry import writes
// them. A range that starts where a stored one starts replaces it: that is how a newer file
// updates the table, and why importing the same file twice changes nothing but imported_at.

export interface NumberingRangeInput {
  from: number; // 10-digit national numbers
  to: number;
  code: number;
  operator: string;
  region: string;
  zones: readonly string[] | null; // null: no zone is known for the region
}

// One statement per batch: unnest turns the parallel arrays into rows. Zones travel as one
// space-separated string per row (unnest of a 2-D array would flatten it); zone names have no
// spaces.
const UPSERT_SQL = `
  INSERT INTO numbering_range (range_from, range_to, code, operator, region, zones, source_file)
  SELECT f, t, c, o, r, string_to_array(z, ' '), $7
    FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::text[], $5::text[], $6::text[]) AS u(f, t, c, o, r, z)
  ON CONFLICT (range_from) DO UPDATE SET
    range_to = EXCLUDED.range_to, code = EXCLUDED.code, operator = EXCLUDED.operator,
    region = EXCLUDED.region, zones = EXCLUDED.zones, source_file = EXCLUDED.source_file,
    imported_at = now()`;

/** Writes the ranges (no two may start at the same number); returns how many rows were written. */
export async function upsertNumberingRanges(db: Queryable, ranges: readonly NumberingRangeInput[], sourceFile: string): Promise<number> {
  if (ranges.length === 0) return 0;
  const res = await db.query(UPSERT_SQL, [
    ranges.map((r) => String(r.from)),
    ranges.map((r) => String(r.to)),
    ranges.map((r) => r.code),
    ranges.map((r) => r.operator),
    ranges.map((r) => r.region),
    ranges.map((r) => (r.zones === null ? '' : r.zones.join(' '))),
    sourceFile,
  ]);
  return res.rowCount ?? 0;
}

/** The database's clock, as text at full precision: ranges written after it have imported_at at or after it. */
export async function databaseNow(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ t: string }>('SELECT clock_timestamp()::text AS t');
  return rows[0]!.t;
}

/** Deletes the ranges of these codes not written since `since` (from databaseNow); returns how many. */
export async function deleteRangesNotImportedSince(db: Queryable, codes: readonly number[], since: string): Promise<number> {
  if (codes.length === 0) return 0;
  const res = await db.query(
    'DELETE FROM numbering_range WHERE code = ANY($1::int[]) AND imported_at < $2::timestamptz',
    [codes, since]);
  return res.rowCount ?? 0;
}
