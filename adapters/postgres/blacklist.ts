import type { Pool } from 'pg';
import {
  BLACKLIST_KINDS, entryIdentity, type BlacklistFilter, type BlacklistKind, type BlacklistSource, type NewBlacklistEntry,
} from '../../domain/blacklistInput';
import { writeAudit } from './apiAccess';
import type { Row } from './rows';
import { inTransaction, type Queryable } from './transaction';

// Is a number on the blacklist? An entry matches exactly, by prefix, or by a range of numbers,
// unless it is expired or in a group the campaign ignores.

export interface BlacklistHit {
  id: number;
  kind: 'exact' | 'prefix' | 'range';
  groupName: string;
  reason: string;
}

export async function findBlacklistEntry(
  db: Queryable, e164: string, ignoredGroups: readonly string[], nowMs: number,
): Promise<BlacklistHit | null> {
  // The match is the gate's own (blacklist_match, which gate_check calls): one index probe per kind.
  const { rows } = await db.query<{ id: string; kind: BlacklistHit['kind']; group_name: string; reason: string }>(
    'SELECT id, kind, group_name, reason FROM blacklist_match($1, $2, $3)',
    [e164, ignoredGroups, new Date(nowMs).toISOString()],
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return { id: Number(r.id), kind: r.kind, groupName: r.group_name, reason: r.reason };
}

/**
 * An automatic entry for a number the dialer proved bad, citing the attempt that proved it;
 * none is added while a live exact entry exists.
 */
export async function addAutomaticEntry(db: Queryable, e164: string, reason: string, attemptId: number): Promise<void> {
  await db.query(
    `INSERT INTO blacklist (kind, e164, reason, source, created_by, attempt_id)
     SELECT 'exact', $1, $2, 'automatic', 'dialer', $3
      WHERE NOT EXISTS (SELECT 1 FROM blacklist WHERE kind = 'exact' AND e164 = $1
                           AND (expires_at IS NULL OR expires_at > now()))`,
    [e164, reason, attemptId],
  );
}

// ---- Editing the blacklist (the API): entries added, listed and removed. ----

/** An entry as people read it: a range's ends in international form, its group and its origin. */
export interface BlacklistEntry {
  id: number;
  kind: BlacklistKind;
  number: string | null;
  prefix: string | null;
  rangeFrom: string | null;
  rangeTo: string | null;
  group: string;
  reason: string;
  source: BlacklistSource;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  /** The attempt that proved the number bad (automatic entries). */
  attemptId: number | null;
}

type EntryRow = Pick<Row<'blacklist'>, 'id' | 'e164' | 'prefix' | 'range_from' | 'range_to' | 'group_name' | 'reason'
  | 'created_by' | 'created_at' | 'expires_at' | 'attempt_id'> & { kind: BlacklistKind; source: BlacklistSource };

const ENTRY_COLUMNS = 'id, kind, e164, prefix, range_from, range_to, group_name, reason, source, created_by, created_at, expires_at, attempt_id';

const toEntry = (r: EntryRow): BlacklistEntry => ({
  id: Number(r.id), kind: r.kind, number: r.e164, prefix: r.prefix,
  rangeFrom: r.range_from === null ? null : `+${r.range_from}`, rangeTo: r.range_to === null ? null : `+${r.range_to}`,
  group: r.group_name, reason: r.reason, source: r.source, createdBy: r.created_by, createdAt: r.created_at,
  expiresAt: r.expires_at, attemptId: r.attempt_id === null ? null : Number(r.attempt_id),
});

export async function readBlacklistEntry(db: Queryable, id: number): Promise<BlacklistEntry | null> {
  const { rows } = await db.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM blacklist WHERE id = $1`, [id]);
  return rows[0] ? toEntry(rows[0]) : null;
}

/**
 * A page of entries in id order after `after` (keyset paging), narrowed by the filter: `number`
 * keeps the entries that match it as the gate matches (exact, a prefix of it, a range holding
 * it), expired or not unless `live` says.
 */
export async function listBlacklistEntries(
  db: Queryable, filter: BlacklistFilter, page: { after: number | null; first: number }, nowMs: number,
): Promise<BlacklistEntry[]> {
  const e164 = filter.number ?? null;
  const { rows } = await db.query<EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM blacklist
      WHERE ($1::bigint IS NULL OR id > $1)
        AND ($2::text IS NULL OR kind = $2)
        AND ($3::text IS NULL OR group_name = $3)
        AND ($4::text IS NULL OR source = $4)
        AND ($5::text IS NULL OR (kind = 'exact' AND e164 = $5) OR (kind = 'prefix' AND prefix = ANY ($6::text[]))
             OR (kind = 'range' AND range_from <= $7::bigint AND range_to >= $7::bigint))
        AND ($8::boolean IS NULL OR (expires_at IS NULL OR expires_at > $9::timestamptz) = $8)
      ORDER BY id LIMIT $10`,
    [page.after, filter.kind ?? null, filter.group ?? null, filter.source ?? null, e164, e164 ? prefixesOf(e164) : null,
      e164?.slice(1) ?? null, filter.live ?? null, new Date(nowMs).toISOString(), page.first],
  );
  return rows.map(toEntry);
}

/** "+79123456789" → "+7", "+79", ... "+79123456789": every prefix an entry may name. */
const prefixesOf = (e164: string): string[] => Array.from({ length: e164.length - 1 }, (_, i) => e164.slice(0, i + 2));

/** API writers take this lock: "is an identical entry there?" and the insert are one step. */
const BLACKLIST_WRITE_LOCK = 0x626c61636b; // "black"

/** How an existing row is the same entry as a new one, per kind (each arm uses its kind's index). */
const SAME_VALUE: Record<BlacklistKind, string> = {
  exact: `b.kind = 'exact' AND b.e164 = n.e164`,
  prefix: `b.kind = 'prefix' AND b.prefix = n.prefix`,
  range: `b.kind = 'range' AND b.range_from = n.range_from AND b.range_to = n.range_to`,
};
const sameEntry = (kind: BlacklistKind): string => `${SAME_VALUE[kind]} AND b.group_name = n.group_name AND b.reason = n.reason
  AND b.source = n.source AND b.expires_at IS NOT DISTINCT FROM n.expires_at`;
const NEW_ROWS = `unnest($1::int[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
  AS n(i, e164, prefix, range_from, range_to, group_name, reason, source, expires_at)`;

export type BlacklistEntryToAdd = NewBlacklistEntry & { source: Exclude<BlacklistSource, 'automatic'> };

/**
 * Adds entries in one transaction, all or none. An entry identical to one already there (or
 * earlier in the same call) is not added again: a bulk add sent twice adds nothing. Returns the
 * id of each entry, in the order given (the existing one's for a repeat), and how many were new.
 */
export async function addBlacklistEntries(
  pool: Pool, entries: readonly BlacklistEntryToAdd[], createdBy: string,
): Promise<{ ids: number[]; added: number }> {
  const distinct: BlacklistEntryToAdd[] = [];
  const indexOf = new Map<string, number>();
  const slot = entries.map((e) => {
    const key = entryIdentity(e, e.source);
    let i = indexOf.get(key);
    if (i === undefined) indexOf.set(key, i = distinct.push(e) - 1);
    return i;
  });
  return inTransaction(pool, async (db) => {
    await db.query('SELECT pg_advisory_xact_lock($1)', [BLACKLIST_WRITE_LOCK]);
    const idOf: number[] = [];
    let added = 0;
    for (const kind of BLACKLIST_KINDS) {
      const batch = distinct.map((e, i) => ({ e, i })).filter(({ e }) => e.kind === kind);
      if (batch.length === 0) continue;
      const columns = [
        batch.map(({ i }) => i), batch.map(({ e }) => e.e164), batch.map(({ e }) => e.prefix),
        batch.map(({ e }) => e.rangeFrom), batch.map(({ e }) => e.rangeTo), batch.map(({ e }) => e.group),
        batch.map(({ e }) => e.reason), batch.map(({ e }) => e.source), batch.map(({ e }) => e.expiresAt),
      ];
      const inserted = await db.query(
        `INSERT INTO blacklist (kind, e164, prefix, range_from, range_to, group_name, reason, source, created_by, expires_at)
         SELECT $10, n.e164, n.prefix, n.range_from, n.range_to, n.group_name, n.reason, n.source, $11, n.expires_at
           FROM ${NEW_ROWS}
          WHERE NOT EXISTS (SELECT 1 FROM blacklist b WHERE ${sameEntry(kind)})
          ORDER BY n.i`,
        [...columns, kind, createdBy]);
      added += inserted.rowCount ?? 0;
      const { rows } = await db.query<{ i: number; id: string }>(
        `SELECT n.i, (SELECT min(b.id) FROM blacklist b WHERE ${sameEntry(kind)}) AS id FROM ${NEW_ROWS}`, columns);
      for (const r of rows) idOf[r.i] = Number(r.id);
    }
    return { ids: slot.map((i) => idOf[i]), added };
  });
}

/**
 * Removes an entry, with an audit row naming what it was (its kind, group, origin and attempt;
 * never the number). An automatic entry is removed only when `allowAutomatic` says the caller
 * may: otherwise 'automatic' and nothing is done.
 */
export async function removeBlacklistEntry(
  pool: Pool, id: number, opts: { allowAutomatic: boolean; actor: string; from: string | null },
): Promise<'removed' | 'missing' | 'automatic'> {
  return inTransaction(pool, async (db) => {
    const { rows } = await db.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM blacklist WHERE id = $1 FOR UPDATE`, [id]);
    if (rows.length === 0) return 'missing';
    const entry = toEntry(rows[0]);
    if (entry.source === 'automatic' && !opts.allowAutomatic) return 'automatic';
    await db.query('DELETE FROM blacklist WHERE id = $1', [id]);
    await writeAudit(db, {
      actor: opts.actor, action: 'blacklist.removed', entity: 'blacklist', entityId: String(id), source: opts.from,
      details: { kind: entry.kind, group: entry.group, source: entry.source, attemptId: entry.attemptId },
    });
    return 'removed';
  });
}
