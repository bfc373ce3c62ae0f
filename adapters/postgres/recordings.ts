import type { CallOutcome } from '../../domain/outcomes';
import type { Row } from './rows';
import type { Queryable } from './transaction';

// Call recordings (docs/recording.md): the row of each recording kept
// by Asterisk (found by its attempt's natural key, workflow_id + seq), the search over them,
// and what the retention job deletes. The files themselves are Asterisk's.

export interface NewRecording {
  workflowId: string;
  seq: number;
  campaignId: string;
  name: string;
  format: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  bytes: number;
}

/**
 * The recording of an attempt, kept until the end of its campaign's rule profile's retention
 * after the call (the days as they are when the call ends).
 * Once per attempt: a call step that ran again recorded over the same name, so its row is the
 * one to keep.
 */
export async function insertRecording(db: Queryable, r: NewRecording): Promise<number> {
  const { rows } = await db.query<Pick<Row<'call_recording'>, 'id'>>(
    `INSERT INTO call_recording (workflow_id, seq, campaign_id, name, format, started_at, ended_at, duration_ms, bytes, expires_at)
     SELECT $1, $2, k.id, $4, $5, $6, $7, $8, $9, $7::timestamptz + make_interval(days => p.recording_retention_days)
       FROM campaign k JOIN rule_profile p ON p.purpose = k.purpose WHERE k.id = $3
     ON CONFLICT (workflow_id, seq) DO UPDATE SET name = EXCLUDED.name, format = EXCLUDED.format, started_at = EXCLUDED.started_at,
       ended_at = EXCLUDED.ended_at, duration_ms = EXCLUDED.duration_ms, bytes = EXCLUDED.bytes, expires_at = EXCLUDED.expires_at, deleted_at = NULL
     RETURNING id`,
    [r.workflowId, r.seq, r.campaignId, r.name, r.format, r.startedAt, r.endedAt, r.durationMs, r.bytes],
  );
  if (rows.length === 0) throw new Error(`campaign ${r.campaignId} does not exist: its recording ${r.name} has no row`);
  return Number(rows[0].id);
}

export interface RecordingFilter {
  campaignId?: string | null;
  /** E.164: the attempt's number. */
  number?: string | null;
  outcome?: CallOutcome | null;
  /** Recordings started at or after (ISO 8601). */
  from?: string | null;
  /** Recordings started before (ISO 8601). */
  to?: string | null;
}

export type RecordingRow = Pick<Row<'call_recording'>, 'id' | 'campaign_id' | 'workflow_id' | 'seq' | 'name' | 'format' |
  'started_at' | 'ended_at' | 'duration_ms' | 'bytes' | 'expires_at'> & {
  attempt_id: string | null;
  e164: string | null;
  outcome: CallOutcome | null;
};

/**
 * Stored recordings (not yet deleted) of the filter in id order, up to `first` after `afterId`,
 * with their attempt's number and outcome (null while the record step has not written it).
 */
export async function searchRecordings(
  db: Queryable, filter: RecordingFilter, page: { afterId: number | null; first: number },
): Promise<{ rows: RecordingRow[]; hasNextPage: boolean }> {
  const params: unknown[] = [];
  const where = ['r.deleted_at IS NULL'];
  const add = (sql: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.campaignId) add((p) => `r.campaign_id = ${p}`, filter.campaignId);
  if (filter.number) add((p) => `a.e164 = ${p}`, filter.number);
  if (filter.outcome) add((p) => `a.outcome = ${p}::call_outcome`, filter.outcome);
  if (filter.from) add((p) => `r.started_at >= ${p}::timestamptz`, filter.from);
  if (filter.to) add((p) => `r.started_at < ${p}::timestamptz`, filter.to);
  if (page.afterId !== null) add((p) => `r.id > ${p}`, page.afterId);
  params.push(page.first + 1);
  const { rows } = await db.query<RecordingRow>(
    `SELECT r.id, r.campaign_id, r.workflow_id, r.seq, r.name, r.format, r.started_at, r.ended_at, r.duration_ms, r.bytes, r.expires_at,
            a.id AS attempt_id, a.e164, a.outcome
       FROM call_recording r LEFT JOIN attempt a ON a.workflow_id = r.workflow_id AND a.seq = r.seq
      WHERE ${where.join(' AND ')} ORDER BY r.id LIMIT $${params.length}`,
    params,
  );
  return { rows: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}

export type StoredRecording = Pick<Row<'call_recording'>, 'id' | 'name' | 'format' | 'campaign_id' | 'deleted_at'>;

/** One recording by its id; null when there is none. */
export async function readRecording(db: Queryable, id: number): Promise<StoredRecording | null> {
  const { rows } = await db.query<StoredRecording>(
    'SELECT id, name, format, campaign_id, deleted_at FROM call_recording WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** Up to `limit` recordings whose retention ended by `now` and that are still stored, oldest first. */
export async function expiredRecordings(db: Queryable, now: Date, limit: number): Promise<StoredRecording[]> {
  const { rows } = await db.query<StoredRecording>(
    `SELECT id, name, format, campaign_id, deleted_at FROM call_recording
      WHERE deleted_at IS NULL AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2`, [now, limit]);
  return rows;
}

/** The file is gone from Asterisk: the row stays, marked, for the audit log's rows about it. */
export async function markRecordingDeleted(db: Queryable, id: number, at: Date): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE call_recording SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL', [id, at]);
  return (rowCount ?? 0) > 0;
}
