import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../adapters/postgres/transaction';
import type { CallOutcome } from '../domain/outcomes';
import type { AttemptRecord, ContactResult } from '../domain/types';

/** Outcomes that prove no conversation took place: their cap slot is given back when the
 * policy does not count unanswered calls. A 'failed' call (the worker may have died mid-call)
 * keeps its slot: nobody can prove it was not answered. */
const UNANSWERED: ReadonlySet<CallOutcome> = new Set(['busy', 'no_answer', 'invalid_number', 'congestion']);

/** Outcomes that say the subscriber could not be reached, for "unreachable N times in a row". */
const UNREACHABLE: readonly CallOutcome[] = ['no_answer', 'failed'];

/**
 * The "record" step: one attempt row, the source of reports and live status. Idempotent on
 * (workflow_id, seq), because a local activity may run again after a worker crash. In the
 * same transaction: the call's cap reservation is settled, and a number proven invalid (or
 * unreachable as often as the campaign allows) goes to the blacklist, citing this attempt.
 */
export async function record(pool: Pool, a: AttemptRecord): Promise<number> {
  return inTransaction(pool, async (client) => {
    const r = a.result;
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO attempt (campaign_id, contact_id, workflow_id, seq, phone_position, e164, number_attempt,
                            outcome, gate, hangup_cause, channel_id, dtmf, listened_ms, message_text,
                            started_at, answered_at, ended_at, time_zones)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)
       ON CONFLICT (workflow_id, seq) DO NOTHING
       RETURNING id`,
      [a.campaignId, a.contactId, a.workflowId, a.seq, a.phonePosition, a.e164, a.numberAttempt,
        r.outcome, JSON.stringify(r.gate), r.hangupCause, r.channelId, r.dtmf, r.listenedMs, a.messageText,
        r.startedAt, r.answeredAt, r.endedAt, a.zones],
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
      if (r.channelId) {
        const release = !a.countUnanswered && UNANSWERED.has(r.outcome);
        await client.query(
          `UPDATE call_reservation SET state = $2, attempt_id = $3 WHERE channel_id = $1 AND state = 'reserved'`,
          [r.channelId, release ? 'released' : 'counted', attemptId]);
      }
      if (r.outcome === 'invalid_number') {
        await blacklistAutomatically(client, a.e164, `invalid number: hangup cause ${r.hangupCause ?? 'unknown'}`, attemptId);
      } else if (UNREACHABLE.includes(r.outcome)) {
        await blacklistIfUnreachable(client, a, attemptId);
      }
    }
    return attemptId;
  });
}

async function blacklistAutomatically(db: PoolClient, e164: string, reason: string, attemptId: number): Promise<void> {
  await db.query(
    `INSERT INTO blacklist (kind, e164, reason, source, created_by, attempt_id)
     SELECT 'exact', $1, $2, 'automatic', 'dialer', $3
      WHERE NOT EXISTS (SELECT 1 FROM blacklist WHERE kind = 'exact' AND e164 = $1
                           AND (expires_at IS NULL OR expires_at > now()))`,
    [e164, reason, attemptId],
  );
}

async function blacklistIfUnreachable(db: PoolClient, a: AttemptRecord, attemptId: number): Promise<void> {
  const { rows } = await db.query<{ n: number | null }>(
    'SELECT blacklist_after_unreachable AS n FROM campaign WHERE id = $1', [a.campaignId]);
  const n = rows[0]?.n;
  if (!n) return;
  // The number's last n calls, across every campaign, all unreachable.
  const streak = await db.query<{ unreachable: boolean }>(
    `SELECT count(*) = $2 AND bool_and(outcome = ANY ($3::call_outcome[])) AS unreachable
       FROM (SELECT outcome FROM attempt WHERE e164 = $1 AND outcome <> 'refused' ORDER BY id DESC LIMIT $2) last`,
    [a.e164, n, UNREACHABLE],
  );
  if (streak.rows[0].unreachable) {
    await blacklistAutomatically(db, a.e164, `unreachable ${n} times in a row`, attemptId);
  }
}

export async function finish(
  pool: Pool, contactId: number, state: ContactResult['state'], outcome: CallOutcome | null,
): Promise<void> {
  await pool.query(
    `UPDATE contact SET state = $2, outcome = $3, finished_at = coalesce(finished_at, now()), updated_at = now()
      WHERE id = $1`,
    [contactId, state, outcome],
  );
}
