import type { Queryable } from './transaction';

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
  // Three index probes, one per kind of entry: an OR across them would scan the table.
  const prefixes = Array.from({ length: e164.length - 1 }, (_, i) => e164.slice(0, i + 2));
  const { rows } = await db.query(
    `SELECT id, kind, group_name, reason FROM (
        SELECT * FROM blacklist WHERE kind = 'exact' AND e164 = $1
        UNION ALL
        SELECT * FROM blacklist WHERE kind = 'prefix' AND prefix = ANY ($5::text[])
        UNION ALL
        (SELECT * FROM blacklist WHERE kind = 'range' AND range_from <= $2 AND range_to >= $2)) b
      WHERE (expires_at IS NULL OR expires_at > $4::timestamptz)
        AND NOT (group_name = ANY ($3::text[]))
      ORDER BY id LIMIT 1`,
    [e164, e164.replace(/^\+/, ''), ignoredGroups, new Date(nowMs).toISOString(), prefixes],
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
