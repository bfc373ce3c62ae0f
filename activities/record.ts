import type { Pool } from 'pg';
import type { CallOutcome } from '../workflows/outcomes';
import type { AttemptRecord, ContactResult } from '../workflows/types';

/**
 * The "record" step: one attempt row, the source of reports and live status. Idempotent on
 * (workflow_id, seq), because a local activity may run again after a worker crash. A number
 * proven invalid goes to the blacklist in the same transaction, citing this attempt.
 */
export async function writeAttempt(pool: Pool, a: AttemptRecord): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const r = a.result;
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO attempt (campaign_id, contact_id, workflow_id, seq, phone_position, e164, number_attempt,
                            outcome, gate, hangup_cause, channel_id, dtmf, listened_ms, message_text,
                            started_at, answered_at, ended_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
       ON CONFLICT (workflow_id, seq) DO NOTHING
       RETURNING id`,
      [a.campaignId, a.contactId, a.workflowId, a.seq, a.phonePosition, a.e164, a.numberAttempt,
        r.outcome, JSON.stringify(r.gate), r.hangupCause, r.channelId, r.dtmf, r.listenedMs, a.messageText,
        r.startedAt, r.answeredAt, r.endedAt],
    );
    let attemptId: number;
    if (inserted.rows.length === 0) {
      const existing = await client.query<{ id: string }>(
        'SELECT id FROM attempt WHERE workflow_id = $1 AND seq = $2', [a.workflowId, a.seq]);
      attemptId = Number(existing.rows[0].id);
    } else {
      attemptId = Number(inserted.rows[0].id);
      if (r.outcome !== 'refused') {
        await client.query('UPDATE contact SET attempts = attempts + 1, updated_at = now() WHERE id = $1', [a.contactId]);
      }
      if (r.outcome === 'invalid_number') {
        await client.query(
          `INSERT INTO blacklist (e164, reason, source, created_by, attempt_id)
           SELECT $1, $2, 'automatic', 'dialer', $3
            WHERE NOT EXISTS (SELECT 1 FROM blacklist WHERE e164 = $1 AND (expires_at IS NULL OR expires_at > now()))`,
          [a.e164, `invalid number: hangup cause ${r.hangupCause ?? 'unknown'}`, attemptId],
        );
      }
    }
    await client.query('COMMIT');
    return attemptId;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function writeContactFinished(
  pool: Pool, contactId: number, state: ContactResult['state'], outcome: CallOutcome | null,
): Promise<void> {
  await pool.query(
    `UPDATE contact SET state = $2, outcome = $3, finished_at = coalesce(finished_at, now()), updated_at = now()
      WHERE id = $1`,
    [contactId, state, outcome],
  );
}
