import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { notifyContactWorkflow } from '../adapters/temporal/campaignSignals';
import { startContactWorkflow } from '../adapters/temporal/workflowStarters';
import { contactWorkflowId } from '../domain/ids';
import { isContactWorkflowType } from '../domain/strategies/workflowTypes';
import {
  cancelPendingBatch, completeIfNothingLeft, inFlightPage, markNextPageInProgress, readFeedStatus, type FeedStatus,
} from '../adapters/postgres/campaignFeed';
import { auditCampaign } from '../adapters/postgres/campaigns';

// What the campaign workflow asks of Postgres and Temporal: how many contacts wait and run,
// "start the next page", "tell the contacts in flight" and "cancel the ones never started".

export type CampaignStatus = FeedStatus;

export async function readCampaignStatus(pool: Pool, campaignId: string): Promise<CampaignStatus> {
  const status = await readFeedStatus(pool, campaignId);
  if (!status) throw new Error(`campaign ${campaignId} does not exist`);
  return status;
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
 * Marks the next page of contacts in_progress, then starts their workflows, as the contact
 * workflow type the campaign names (read with the page: a change of it applies from the next
 * page; contacts already started keep theirs). A retry of this activity sees the same page again
 * (in_progress contacts after the cursor are taken too) and each duplicate start is refused by
 * Temporal, so no contact is started twice and none is left marked but not started.
 */
export async function startNextContactPage(
  deps: { pool: Pool; temporal: Client; taskQueue: string }, req: PageRequest,
): Promise<PageResult> {
  const page = await markNextPageInProgress(deps.pool, req.campaignId, req.afterId, req.limit);
  if (!page) throw new Error(`campaign ${req.campaignId} does not exist`);
  const { contacts, workflowType } = page;
  // Only the settings schema writes the column; a type no worker knows would start contacts
  // that never run. (A worker older than the type's registration fails them until it is updated.)
  if (!isContactWorkflowType(workflowType)) {
    throw new Error(`campaign ${req.campaignId} names contact workflow type "${workflowType}", which is not registered`);
  }
  let next = 0;
  const startOne = async (): Promise<void> => {
    while (next < contacts.length) {
      const c = contacts[next++];
      await startContactWorkflow(deps, { campaignId: req.campaignId, contactId: c.id, externalId: c.externalId }, workflowType);
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
  const completed = await completeIfNothingLeft(pool, campaignId);
  if (completed) await auditCampaign(pool, 'dialer', 'campaign.completed', campaignId, {});
  return completed;
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
    const rows = await inFlightPage(deps.pool, campaignId, afterId, WAKE_PAGE);
    let next = 0;
    const tellOne = async (): Promise<void> => {
      while (next < rows.length) {
        const c = rows[next++];
        if (await notifyContactWorkflow(deps.temporal, contactWorkflowId(campaignId, c.externalId))) report.told++;
        else report.notRunning++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(WAKE_CONCURRENCY, rows.length) }, tellOne));
    if (rows.length === 0) return report;
    afterId = rows[rows.length - 1].id;
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
    const cancelled = await cancelPendingBatch(pool, campaignId, CANCEL_BATCH);
    total += cancelled;
    onBatch?.(total);
    if (cancelled < CANCEL_BATCH) return total;
  }
}
