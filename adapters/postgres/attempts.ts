import type { CallOutcome } from '../../domain/outcomes';
import type { AttemptRecord } from '../../domain/types';
import type { Row } from './rows';
import type { Queryable } from './transaction';

// The attempt aggregate: one row per attempt (placed or refused), the source of reports and
// of the compliance proof (its `gate` column).

/**
 * Inserts the attempt once per (workflow_id, seq): a local activity may run again after a
 * worker crash. `inserted` is false when the row was already there. The text said is
 * `messageText`, else the prepared message's (`preparedId`), read in the same statement.
 */
export async function insertAttempt(db: Queryable, a: AttemptRecord): Promise<{ id: number; inserted: boolean }> {
  const r = a.result;
  const inserted = await db.query<Pick<Row<'attempt'>, 'id'>>(
    `INSERT INTO attempt (campaign_id, contact_id, workflow_id, seq, phone_position, e164, number_attempt,
                          outcome, gate, hangup_cause, channel_id, dtmf, listened_ms, message_text,
                          started_at, answered_at, ended_at, time_zones, caller_id)
     SELECT $1, $2, $3, $4, $5, CASE WHEN c.personal_data_deleted_at IS NULL THEN $6 END, $7, $8, $9, $10, $11, $12, $13,
            CASE WHEN c.personal_data_deleted_at IS NULL
                 THEN coalesce($14, (SELECT m.text FROM prepared_message m WHERE m.id = $20)) END,
            $15, $16, $17, $18, $19
       -- A record step still running when the contact's personal data was deleted keeps the
       -- attempt anonymous, as the deletion left the others.
       FROM (VALUES (1)) AS one LEFT JOIN contact c ON c.id = $2
     ON CONFLICT (workflow_id, seq) DO NOTHING
     RETURNING id`,
    [a.campaignId, a.contactId, a.workflowId, a.seq, a.phonePosition, a.e164, a.numberAttempt,
      r.outcome, JSON.stringify(r.gate), r.hangupCause, r.channelId, r.dtmf, r.listenedMs, a.messageText,
      r.startedAt, r.answeredAt, r.endedAt, a.zones, r.callerId ?? null, a.preparedId ?? null],
  );
  if (inserted.rows.length > 0) return { id: Number(inserted.rows[0].id), inserted: true };
  const existing = await db.query<Pick<Row<'attempt'>, 'id'>>(
    'SELECT id FROM attempt WHERE workflow_id = $1 AND seq = $2', [a.workflowId, a.seq]);
  return { id: Number(existing.rows[0].id), inserted: false };
}

/** Whether the number's last `n` placed calls, across every campaign, all ended in `outcomes`. */
export async function lastCallsAllIn(
  db: Queryable, e164: string, n: number, outcomes: readonly CallOutcome[],
): Promise<boolean> {
  const { rows } = await db.query<{ all_in: boolean }>(
    `SELECT count(*) = $2 AND bool_and(outcome = ANY ($3::call_outcome[])) AS all_in
       FROM (SELECT outcome FROM attempt WHERE e164 = $1 AND outcome <> 'refused' ORDER BY id DESC LIMIT $2) last`,
    [e164, n, outcomes],
  );
  return rows[0].all_in;
}
