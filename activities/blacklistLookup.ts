import type { Pool, PoolClient } from 'pg';

// Is a number on the blacklist? An entry matches exactly, by prefix, or by a range of numbers,
// unless it is expired or in a group the campaign ignores.

export interface BlacklistHit {
  id: number;
  kind: 'exact' | 'prefix' | 'range';
  groupName: string;
  reason: string;
}

export async function findBlacklistEntry(
  db: Pool | PoolClient, e164: string, ignoredGroups: readonly string[], nowMs: number,
): Promise<BlacklistHit | null> {
  const { rows } = await db.query(
    `SELECT id, kind, group_name, reason FROM blacklist
      WHERE (expires_at IS NULL OR expires_at > $4::timestamptz)
        AND NOT (group_name = ANY ($3::text[]))
        AND ((kind = 'exact' AND e164 = $1)
          OR (kind = 'prefix' AND starts_with($1, prefix))
          OR (kind = 'range' AND range_from <= $2 AND range_to >= $2))
      ORDER BY id LIMIT 1`,
    [e164, e164.replace(/^\+/, ''), ignoredGroups, new Date(nowMs).toISOString()],
  );
  if (rows.length === 0) return null;
  const r = rows[0];
  return { id: Number(r.id), kind: r.kind, groupName: r.group_name, reason: r.reason };
}
