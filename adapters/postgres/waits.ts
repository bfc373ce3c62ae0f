import type { ContactWait, ContactWaitReason } from '../../domain/contactWaits';
import type { CampaignState } from '../../domain/outcomes';
import type { RetryStrategy } from '../../domain/types';
import type { Row } from './rows';
import type { Queryable } from './transaction';

// What contacts wait for (domain/contactWaits.ts): the row each contact's steps keep, the rows
// of calls waiting for a channel, and the campaign's waits grouped for "why is nothing dialing?".

/** The contact's wait as its step sees it now; `since` is kept while the wait stays the same. */
export async function setContactWait(
  db: Queryable, w: ContactWait & { contactId: number; campaignId: string; atMs: number },
): Promise<void> {
  await db.query(
    `INSERT INTO contact_wait (contact_id, campaign_id, reason, detail, until, since)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (contact_id) DO UPDATE SET
       since = CASE WHEN contact_wait.reason = EXCLUDED.reason AND contact_wait.detail IS NOT DISTINCT FROM EXCLUDED.detail
                    THEN contact_wait.since ELSE EXCLUDED.since END,
       reason = EXCLUDED.reason, detail = EXCLUDED.detail, until = EXCLUDED.until`,
    [w.contactId, w.campaignId, w.reason, w.detail, w.until, new Date(w.atMs)],
  );
}

/** The contact waits for nothing the steps know of (it is about to call, or it finished). */
export async function clearContactWait(db: Queryable, contactId: number): Promise<void> {
  await db.query('DELETE FROM contact_wait WHERE contact_id = $1', [contactId]);
}

export async function readContactWait(db: Queryable, contactId: number): Promise<(ContactWait & { since: string }) | null> {
  const { rows } = await db.query<Pick<Row<'contact_wait'>, 'reason' | 'detail' | 'until' | 'since'>>(
    'SELECT reason, detail, until, since FROM contact_wait WHERE contact_id = $1', [contactId]);
  const r = rows[0];
  return r ? {
    reason: r.reason as ContactWaitReason, detail: r.detail, until: r.until?.toISOString() ?? null, since: r.since.toISOString(),
  } : null;
}

/** What the record step needs to know whether the strategy will wait before the next try. */
export async function readRetryStrategy(db: Queryable, campaignId: string): Promise<RetryStrategy | null> {
  const { rows } = await db.query<Pick<Row<'campaign'>, 'max_attempts_per_number' | 'retry_interval_seconds'> & {
    machine_action: RetryStrategy['machineAction'];
  }>('SELECT max_attempts_per_number, retry_interval_seconds, machine_action FROM campaign WHERE id = $1', [campaignId]);
  const r = rows[0];
  return r ? { maxAttemptsPerNumber: r.max_attempts_per_number, retryIntervalSeconds: r.retry_interval_seconds, machineAction: r.machine_action } : null;
}

/** A channel wait row counts while its waiter was seen within this long (a dead worker's row stops counting). */
export const CHANNEL_WAIT_LIVE_MS = 30_000;

/** A call waits for a channel slot (its first refusal, then now and then while it waits). */
export async function noteChannelWait(
  db: Queryable, w: { channelId: string; campaignId: string; reason: 'campaign_channels_full' | 'trunk_channels_full' },
): Promise<void> {
  await db.query(
    `INSERT INTO channel_wait (channel_id, campaign_id, reason) VALUES ($1, $2, $3)
     ON CONFLICT (channel_id) DO UPDATE SET reason = EXCLUDED.reason, seen_at = now()`,
    [w.channelId, w.campaignId, w.reason],
  );
}

/** The call got its slot or stopped waiting; rows of waiters that died are swept on the way. */
export async function endChannelWait(db: Queryable, channelId: string): Promise<void> {
  await db.query(
    `DELETE FROM channel_wait WHERE channel_id = $1 OR seen_at < now() - make_interval(secs => $2::double precision / 1000)`,
    [channelId, CHANNEL_WAIT_LIVE_MS * 4],
  );
}

export interface WaitGroupRow {
  group: string;
  detail: string | null;
  contacts: number;
  /** The earliest moment one of the group may be called; null: none is known. */
  nextAt: Date | null;
  /** Contacts whose moment has passed while they still wait (their worker is late or down). */
  overdue: number;
}

export interface CampaignWaitRows {
  state: CampaignState;
  maxInFlight: number;
  inProgress: number;
  groups: WaitGroupRow[];
}

/**
 * A campaign's waits grouped, from what the steps wrote: contact_wait rows of contacts in
 * flight (by reason and detail), channel_wait rows of live waiters (by reason), pending
 * contacts, and contacts finished with no number left (blacklisted or expired). Null for an
 * unknown campaign.
 */
export async function readCampaignWaits(db: Queryable, campaignId: string): Promise<CampaignWaitRows | null> {
  const campaign = await db.query<{ state: CampaignState; max_in_flight: number; in_progress: number }>(
    `SELECT state, max_in_flight,
            (SELECT count(*)::int FROM contact WHERE campaign_id = k.id AND state = 'in_progress') AS in_progress
       FROM campaign k WHERE id = $1`, [campaignId]);
  if (campaign.rows.length === 0) return null;
  const { rows } = await db.query<{ grp: string; detail: string | null; contacts: number; next_at: Date | null; overdue: number }>(
    `SELECT w.reason AS grp, w.detail, count(*)::int AS contacts, min(w.until) AS next_at,
            count(*) FILTER (WHERE w.until < now())::int AS overdue
       FROM contact_wait w JOIN contact c ON c.id = w.contact_id AND c.state = 'in_progress'
      WHERE w.campaign_id = $1
      GROUP BY w.reason, w.detail
     UNION ALL
     SELECT 'channel', reason, count(*)::int, NULL, 0
       FROM channel_wait WHERE campaign_id = $1 AND seen_at > now() - make_interval(secs => $2::double precision / 1000)
      GROUP BY reason
     UNION ALL
     SELECT 'not_started', NULL, count(*)::int, NULL, 0
       FROM contact WHERE campaign_id = $1 AND state = 'pending'
     HAVING count(*) > 0
     UNION ALL
     SELECT 'no_callable_number', state::text, count(*)::int, NULL, 0
       FROM contact WHERE campaign_id = $1 AND state IN ('blacklisted', 'refused', 'expired')
      GROUP BY state`,
    [campaignId, CHANNEL_WAIT_LIVE_MS]);
  const c = campaign.rows[0];
  return {
    state: c.state, maxInFlight: c.max_in_flight, inProgress: c.in_progress,
    groups: rows.map((r) => ({ group: r.grp, detail: r.detail, contacts: r.contacts, nextAt: r.next_at, overdue: r.overdue })),
  };
}
