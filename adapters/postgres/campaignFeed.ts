import type { CampaignState } from '../../domain/outcomes';
import type { Row } from './rows';
import type { Queryable } from './transaction';

// What the campaign workflow's feed reads and marks: the campaign's contacts by state, pages
// of contacts in id order (keyset: the millionth page costs what the first does), and the
// campaign's end.

export interface FeedStatus {
  state: CampaignState;
  maxInFlight: number;
  pending: number;
  inProgress: number;
  started: number;
}

export async function readFeedStatus(db: Queryable, campaignId: string): Promise<FeedStatus | null> {
  const { rows } = await db.query<{ state: CampaignState; max_in_flight: number; pending: number; in_progress: number; started: number }>(
    `SELECT k.state, k.max_in_flight,
            count(*) FILTER (WHERE c.state = 'pending')::int AS pending,
            count(*) FILTER (WHERE c.state = 'in_progress')::int AS in_progress,
            count(*) FILTER (WHERE c.state <> 'pending')::int AS started
       FROM campaign k LEFT JOIN contact c ON c.campaign_id = k.id
      WHERE k.id = $1
      GROUP BY k.id`,
    [campaignId],
  );
  const r = rows[0];
  return r ? { state: r.state, maxInFlight: r.max_in_flight, pending: r.pending, inProgress: r.in_progress, started: r.started } : null;
}

export type FeedContact = { id: number; externalId: string };

const toFeedContacts = (rows: Pick<Row<'contact'>, 'id' | 'external_id'>[]): FeedContact[] =>
  rows.map((r) => ({ id: Number(r.id), externalId: r.external_id })).sort((a, b) => a.id - b.id);

/** A page of contacts to start, and the contact workflow type the campaign starts them as. */
export interface FeedPage {
  workflowType: string;
  contacts: FeedContact[];
}

/**
 * Marks the next page of the campaign's contacts after `afterId` in_progress and returns them
 * with the campaign's workflow type, in one statement (the type is read once per page). A retry
 * sees the same page again (in_progress contacts after the cursor are taken too). Null when
 * there is no such campaign.
 */
export async function markNextPageInProgress(
  db: Queryable, campaignId: string, afterId: number, limit: number,
): Promise<FeedPage | null> {
  const { rows } = await db.query<{ workflow_type: string; id: string | null; external_id: string | null }>(
    `WITH page AS (
       SELECT id FROM contact
        WHERE campaign_id = $1 AND id > $2 AND state IN ('pending', 'in_progress')
        ORDER BY id LIMIT $3),
     marked AS (
       UPDATE contact c SET state = 'in_progress', updated_at = now()
         FROM page
        WHERE c.id = page.id AND c.state IN ('pending', 'in_progress')
       RETURNING c.id, c.external_id)
     SELECT k.workflow_type, m.id, m.external_id
       FROM campaign k LEFT JOIN marked m ON true
      WHERE k.id = $1`,
    [campaignId, afterId, limit],
  );
  if (rows.length === 0) return null;
  const marked = rows.filter((r): r is { workflow_type: string; id: string; external_id: string } => r.id !== null && r.external_id !== null);
  return { workflowType: rows[0].workflow_type, contacts: toFeedContacts(marked) };
}

/** A page of the campaign's contacts in flight after `afterId`, in id order. */
export async function inFlightPage(db: Queryable, campaignId: string, afterId: number, limit: number): Promise<FeedContact[]> {
  const { rows } = await db.query<Pick<Row<'contact'>, 'id' | 'external_id'>>(
    `SELECT id, external_id FROM contact
      WHERE campaign_id = $1 AND state = 'in_progress' AND id > $2 ORDER BY id LIMIT $3`,
    [campaignId, afterId, limit],
  );
  return toFeedContacts(rows);
}

/** Completes a running campaign only if none of its contacts is pending or in progress. */
export async function completeIfNothingLeft(db: Queryable, campaignId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE campaign SET state = 'completed', finished_at = now()
      WHERE id = $1 AND state = 'running'
        AND NOT EXISTS (SELECT 1 FROM contact WHERE campaign_id = $1 AND state IN ('pending', 'in_progress'))`,
    [campaignId],
  );
  return (rowCount ?? 0) > 0;
}

/** Cancels up to `limit` of the campaign's never-started contacts; returns how many. */
export async function cancelPendingBatch(db: Queryable, campaignId: string, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE contact SET state = 'cancelled', finished_at = now(), updated_at = now()
      WHERE id IN (SELECT id FROM contact WHERE campaign_id = $1 AND state = 'pending' LIMIT $2)
        AND state = 'pending'`,
    [campaignId, limit],
  );
  return rowCount ?? 0;
}
