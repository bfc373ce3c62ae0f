import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { startContactWorkflow } from '../adapters/temporal/workflowStarters';
import type { CampaignState } from '../domain/outcomes';

// What the campaign workflow asks of Postgres and Temporal: how many contacts wait and run,
// and "start the next page".

export interface CampaignStatus {
  state: CampaignState;
  maxInFlight: number;
  pending: number;
  inProgress: number;
  started: number;
}

export async function readCampaignStatus(pool: Pool, campaignId: string): Promise<CampaignStatus> {
  const { rows } = await pool.query(
    `SELECT k.state, k.max_in_flight,
            count(*) FILTER (WHERE c.state = 'pending')::int AS pending,
            count(*) FILTER (WHERE c.state = 'in_progress')::int AS in_progress,
            count(*) FILTER (WHERE c.state <> 'pending')::int AS started
       FROM campaign k LEFT JOIN contact c ON c.campaign_id = k.id
      WHERE k.id = $1
      GROUP BY k.id`,
    [campaignId],
  );
  if (rows.length === 0) throw new Error(`campaign ${campaignId} does not exist`);
  const r = rows[0];
  return { state: r.state, maxInFlight: r.max_in_flight, pending: r.pending, inProgress: r.in_progress, started: r.started };
}

export interface PageRequest {
  campaignId: string;
  afterId: number;
  limit: number;
}

export interface PageResult {
  started: number;
  lastId: number;
}

const START_CONCURRENCY = 16;

/**
 * Marks the next page of contacts in_progress, then starts their workflows. A retry of this
 * activity sees the same page again (in_progress contacts after the cursor are taken too) and
 * each duplicate start is refused by Temporal, so no contact is started twice and none is
 * left marked but not started.
 */
export async function startNextContactPage(
  deps: { pool: Pool; temporal: Client; taskQueue: string }, req: PageRequest,
): Promise<PageResult> {
  const { rows } = await deps.pool.query<{ id: string; external_id: string }>(
    `WITH page AS (
       SELECT id FROM contact
        WHERE campaign_id = $1 AND id > $2 AND state IN ('pending', 'in_progress')
        ORDER BY id LIMIT $3)
     UPDATE contact c SET state = 'in_progress', updated_at = now()
       FROM page
      WHERE c.id = page.id AND c.state IN ('pending', 'in_progress')
     RETURNING c.id, c.external_id`,
    [req.campaignId, req.afterId, req.limit],
  );
  const contacts = rows.map((r) => ({ id: Number(r.id), externalId: r.external_id })).sort((a, b) => a.id - b.id);
  let next = 0;
  const startOne = async (): Promise<void> => {
    while (next < contacts.length) {
      const c = contacts[next++];
      await startContactWorkflow(deps, { campaignId: req.campaignId, contactId: c.id, externalId: c.externalId });
    }
  };
  await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, contacts.length) }, startOne));
  return { started: contacts.length, lastId: contacts.length ? contacts[contacts.length - 1].id : req.afterId };
}

export async function markCampaignCompleted(pool: Pool, campaignId: string): Promise<void> {
  await pool.query(
    `UPDATE campaign SET state = 'completed', finished_at = now() WHERE id = $1 AND state = 'running'`,
    [campaignId],
  );
  await pool.query(
    `INSERT INTO audit_log (actor, action, entity, entity_id) VALUES ('dialer', 'campaign.completed', 'campaign', $1)`,
    [campaignId],
  );
}
