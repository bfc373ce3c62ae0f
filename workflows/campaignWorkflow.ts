import { continueAsNew, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { DialerActivities } from '../activities';
import { campaignProgressQuery, type CampaignProgress } from './signals';

// Feeds a campaign's contacts to contact workflows in pages, never more than the campaign's
// max_in_flight running at once. Its history does not grow with the campaign: it holds a
// cursor (the last contact id started) and continues-as-new, so a million contacts cost the
// same per page as fifty. Postgres says what is pending and what runs; the contact workflow
// ids (contact/<campaign>/<external id>) make a second start of the same contact a no-op.

const { campaignStatus, completeCampaign } = proxyLocalActivities<DialerActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 ms', maximumInterval: '30 seconds' },
});

const { startContactPage } = proxyActivities<DialerActivities>({
  startToCloseTimeout: '2 minutes',
  // Idempotent: contacts are marked before they are started and a duplicate start is ignored.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface CampaignInput {
  campaignId: string;
  /** Id of the last contact started by an earlier run (continue-as-new carries it). */
  cursor?: number;
  pageSize?: number;
  pollIntervalMs?: number;
  runs?: number;
  /** Loop iterations per run before continue-as-new (tests make it small). */
  iterationsPerRun?: number;
}

export interface CampaignSummary {
  campaignId: string;
  state: 'completed' | 'cancelled';
  contactsStarted: number;
  /** How many runs the workflow took (continue-as-new starts a new one). */
  runs: number;
}

/** Iterations per run before continue-as-new: keeps each run's history to a few thousand events. */
const ITERATIONS_PER_RUN = 400;

export async function campaignWorkflow(input: CampaignInput): Promise<CampaignSummary> {
  const pageSize = input.pageSize ?? 500;
  const pollIntervalMs = input.pollIntervalMs ?? 1000;
  const progress: CampaignProgress = {
    cursor: input.cursor ?? 0, startedThisRun: 0, runs: input.runs ?? 1, state: 'running',
  };
  setHandler(campaignProgressQuery, () => progress);

  for (let i = 0; i < (input.iterationsPerRun ?? ITERATIONS_PER_RUN); i++) {
    const status = await campaignStatus(input.campaignId);
    progress.state = status.state;
    if (status.state === 'cancelled' || status.state === 'completed') {
      return { campaignId: input.campaignId, state: status.state, contactsStarted: status.started, runs: progress.runs };
    }
    if (status.state === 'running') {
      const free = status.maxInFlight - status.inProgress;
      if (free > 0 && status.pending > 0) {
        const page = await startContactPage({
          campaignId: input.campaignId, afterId: progress.cursor, limit: Math.min(free, pageSize),
        });
        progress.cursor = page.lastId;
        progress.startedThisRun += page.started;
        if (page.started > 0) continue; // more may fit at once: ask again without sleeping
      } else if (status.pending === 0 && status.inProgress === 0) {
        await completeCampaign(input.campaignId);
        return { campaignId: input.campaignId, state: 'completed', contactsStarted: status.started, runs: progress.runs };
      }
    }
    // paused, full, or waiting for the last contacts to finish
    await sleep(pollIntervalMs);
    if (workflowInfo().continueAsNewSuggested) break;
  }
  return continueAsNew<typeof campaignWorkflow>({
    ...input, cursor: progress.cursor, runs: progress.runs + 1,
  });
}
