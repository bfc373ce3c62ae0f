import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { notifyContactWorkflow } from '../adapters/temporal/campaignSignals';
import { startContactWorkflow } from '../adapters/temporal/workflowStarters';
import { contactWorkflowId } from '../domain/ids';
import type { CampaignState } from '../domain/outcomes';

// What the campaign workflow asks of Postgres and Temporal: how many contacts wait and run,
// "start the next page", "tell the contacts in flight" and "cancel the ones never started".

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

/**
 * Completes a running campaign, only if no contact of it is pending or in progress any more:
 * contacts added between the workflow's count and this (an ERP's upsert, an import) keep it
 * running. False when it was not completed.
 */
export async function markCampaignCompleted(pool: Pool, campaignId: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE campaign SET state = 'completed', finished_at = now()
      WHERE id = $1 AND state = 'running'
        AND NOT EXISTS (SELECT 1 FROM contact WHERE campaign_id = $1 AND state IN ('pending', 'in_progress'))`,
    [campaignId],
  );
  if (!rowCount) return false;
  await pool.query(
    `INSERT INTO audit_log (actor, action, entity, entity_id) VALUES ('dialer', 'campaign.completed', 'campaign', $1)`,
    [campaignId],
  );
  return true;
}

/** Contacts read per page, and signals in flight at once, when the contacts in flight are told. */
const WAKE_PAGE = 500;
const WAKE_CONCURRENCY = 32;

export interface WakeReport {
  /** Contact workflows that received the signal. */
  told: number;
  /** Contacts marked in progress whose workflow was not running (finished, or not started yet). */
  notRunning: number;
}

/**
 * Tells every contact of the campaign in flight (state in_progress: at most max_in_flight of
 * them, whatever the campaign's size) that the campaign changed, with a bounded number of
 * signals at once. Pages by id; `onPage(lastId)` is where the caller heartbeats, and
 * `afterId` resumes a retried run where the last one got to (telling a contact twice is
 * harmless: it only re-reads its plan and asks the gate once more).
 */
export async function wakeInFlightContacts(
  deps: { pool: Pool; temporal: Client }, campaignId: string,
  opts: { afterId?: number; onPage?: (lastId: number) => void } = {},
): Promise<WakeReport> {
  const report: WakeReport = { told: 0, notRunning: 0 };
  for (let afterId = opts.afterId ?? 0; ;) {
    const { rows } = await deps.pool.query<{ id: string; external_id: string }>(
      `SELECT id, external_id FROM contact
        WHERE campaign_id = $1 AND state = 'in_progress' AND id > $2 ORDER BY id LIMIT $3`,
      [campaignId, afterId, WAKE_PAGE],
    );
    let next = 0;
    const tellOne = async (): Promise<void> => {
      while (next < rows.length) {
        const c = rows[next++];
        if (await notifyContactWorkflow(deps.temporal, contactWorkflowId(campaignId, c.external_id))) report.told++;
        else report.notRunning++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(WAKE_CONCURRENCY, rows.length) }, tellOne));
    if (rows.length === 0) return report;
    afterId = Number(rows[rows.length - 1].id);
    opts.onPage?.(afterId);
    if (rows.length < WAKE_PAGE) return report;
  }
}

/** Contacts marked cancelled per statement: a million pending rows never make one long transaction. */
const CANCEL_BATCH = 5000;

/**
 * A stopped campaign's contacts that were never started end cancelled, in batches. Only
 * pending rows: a contact in flight ends cancelled by its own workflow, at its next gate.
 */
export async function cancelPendingContacts(
  pool: Pool, campaignId: string, onBatch?: (cancelled: number) => void,
): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `UPDATE contact SET state = 'cancelled', finished_at = now(), updated_at = now()
        WHERE id IN (SELECT id FROM contact WHERE campaign_id = $1 AND state = 'pending' LIMIT $2)
          AND state = 'pending'`,
      [campaignId, CANCEL_BATCH],
    );
    total += rowCount ?? 0;
    onBatch?.(total);
    if ((rowCount ?? 0) < CANCEL_BATCH) return total;
  }
}
