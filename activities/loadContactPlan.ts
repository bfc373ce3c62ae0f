import type { Pool } from 'pg';
import type { ContactPlan } from '../workflows/types';

export class ContactNotFoundError extends Error {
  override readonly name = 'ContactNotFoundError';
}

/** Reads what the contact workflow needs once, at its start. */
export async function readContactPlan(pool: Pool, contactId: number): Promise<ContactPlan> {
  const { rows } = await pool.query(
    `SELECT c.id, c.campaign_id, coalesce(c.time_zone, k.time_zone) AS time_zone,
            to_char(k.window_start, 'HH24:MI:SS') AS window_start,
            to_char(k.window_end, 'HH24:MI:SS') AS window_end,
            k.template_id, k.caller_id, k.ring_timeout_seconds,
            k.max_attempts_per_number, k.retry_interval_seconds,
            coalesce((SELECT json_agg(json_build_object('position', p.position, 'e164', p.e164) ORDER BY p.position)
                        FROM contact_phone p WHERE p.contact_id = c.id), '[]') AS phones
       FROM contact c JOIN campaign k ON k.id = c.campaign_id
      WHERE c.id = $1`,
    [contactId],
  );
  if (rows.length === 0) throw new ContactNotFoundError(`contact ${contactId} does not exist`);
  const r = rows[0];
  return {
    contactId: Number(r.id),
    campaignId: r.campaign_id,
    phones: r.phones,
    timeZone: r.time_zone,
    // to_char renders the end of day as 24:00:00 only for '24:00' itself: keep it as is.
    window: { start: r.window_start, end: r.window_end },
    templateId: r.template_id === null ? null : Number(r.template_id),
    callerId: r.caller_id,
    ringTimeoutSeconds: r.ring_timeout_seconds,
    strategy: {
      maxAttemptsPerNumber: r.max_attempts_per_number,
      retryIntervalSeconds: r.retry_interval_seconds,
    },
  };
}
