import type { Pool } from 'pg';
import type { MassCallRefusalFilter, MassCallRefusalSource, NewMassCallRefusal } from '../../domain/massCallRefusalInput';
import { writeAudit } from './apiAccess';
import type { Row } from './rows';
import { inTransaction, type Queryable } from './transaction';

// The refusal list (table mass_call_refusal): numbers whose subscribers refused mass calls
// through their operator. The gate reads it in gate_compliance; these are its writes and reads
// for the API and the import (apps/cli/importRefusals.ts).

export interface MassCallRefusal {
  id: number;
  number: string;
  refusedAt: Date | null;
  operator: string | null;
  source: MassCallRefusalSource;
  createdBy: string;
  createdAt: Date;
}

type RefusalRow = Pick<Row<'mass_call_refusal'>, 'id' | 'e164' | 'refused_at' | 'operator' | 'created_by' | 'created_at'>
  & { source: MassCallRefusalSource };

const COLUMNS = 'id, e164, refused_at, operator, source, created_by, created_at';

const toRefusal = (r: RefusalRow): MassCallRefusal => ({
  id: Number(r.id), number: r.e164, refusedAt: r.refused_at, operator: r.operator, source: r.source,
  createdBy: r.created_by, createdAt: r.created_at,
});

/** Rows one INSERT carries: a file of a million numbers is written in steps of this many. */
const INSERT_BATCH = 10_000;

/**
 * Adds numbers to the list in one transaction, all or none. A
 * number already on it keeps its entry as it is (the first report stands; remove it to replace
 * it). Returns how many were new.
 */
export async function addMassCallRefusals(
  pool: Pool, entries: readonly NewMassCallRefusal[], source: MassCallRefusalSource, createdBy: string,
): Promise<{ added: number }> {
  return inTransaction(pool, async (db) => {
    let added = 0;
    for (let i = 0; i < entries.length; i += INSERT_BATCH) {
      const batch = entries.slice(i, i + INSERT_BATCH);
      const inserted = await db.query(
        `INSERT INTO mass_call_refusal (e164, refused_at, operator, source, created_by)
         SELECT DISTINCT ON (n.e164) n.e164, n.refused_at, n.operator, $4, $5
           FROM unnest($1::text[], $2::timestamptz[], $3::text[]) WITH ORDINALITY AS n (e164, refused_at, operator, i)
          ORDER BY n.e164, n.i
         ON CONFLICT (e164) DO NOTHING`,
        [batch.map((e) => e.e164), batch.map((e) => e.refusedAt), batch.map((e) => e.operator), source, createdBy]);
      added += inserted.rowCount ?? 0;
    }
    return { added };
  });
}

export async function readMassCallRefusal(db: Queryable, id: number): Promise<MassCallRefusal | null> {
  const { rows } = await db.query<RefusalRow>(`SELECT ${COLUMNS} FROM mass_call_refusal WHERE id = $1`, [id]);
  return rows[0] ? toRefusal(rows[0]) : null;
}

export async function findMassCallRefusal(db: Queryable, e164: string): Promise<MassCallRefusal | null> {
  const { rows } = await db.query<RefusalRow>(`SELECT ${COLUMNS} FROM mass_call_refusal WHERE e164 = $1`, [e164]);
  return rows[0] ? toRefusal(rows[0]) : null;
}

/** A page of entries in id order after `after` (keyset paging), narrowed by the filter. */
export async function listMassCallRefusals(
  db: Queryable, filter: MassCallRefusalFilter, page: { after: number | null; first: number },
): Promise<MassCallRefusal[]> {
  const { rows } = await db.query<RefusalRow>(
    `SELECT ${COLUMNS} FROM mass_call_refusal
      WHERE ($1::bigint IS NULL OR id > $1) AND ($2::text IS NULL OR e164 = $2)
        AND ($3::text IS NULL OR source = $3) AND ($4::text IS NULL OR operator = $4)
      ORDER BY id LIMIT $5`,
    [page.after, filter.number ?? null, filter.source ?? null, filter.operator ?? null, page.first]);
  return rows.map(toRefusal);
}

/**
 * Takes a number off the list (the subscriber withdrew the refusal), with an audit row naming
 * the entry, its origin and operator, never the number. False when there is no such entry.
 */
export async function removeMassCallRefusal(pool: Pool, id: number, who: { actor: string; from: string | null }): Promise<boolean> {
  return inTransaction(pool, async (db) => {
    const { rows } = await db.query<RefusalRow>(`DELETE FROM mass_call_refusal WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
    if (rows.length === 0) return false;
    await writeAudit(db, {
      actor: who.actor, action: 'mass_call_refusal.removed', entity: 'mass_call_refusal', entityId: String(id), source: who.from,
      details: { source: rows[0].source, operator: rows[0].operator },
    });
    return true;
  });
}
