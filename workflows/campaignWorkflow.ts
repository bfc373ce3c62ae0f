import {
  ActivityFailure, condition, continueAsNew, isCancellation, patched, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo,
} from '@temporalio/workflow';
import type { DialerActivities } from '../activities';
import { campaignChangedSignal, campaignProgressQuery, type CampaignProgress } from './signals';

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

const { wakeContacts, cancelPendingContacts } = proxyActivities<DialerActivities>({
  // At most max_in_flight signals, or batches of pending rows; both heartbeat per page and
  // may run again (a contact told twice asks the gate twice; a cancelled row stays cancelled).
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const { warmTemplate } = proxyActivities<DialerActivities>({
  // The template's static pieces, one synthesis request each at most.
  startToCloseTimeout: '5 minutes',
  // Warming only saves requests: after a few tries the campaign dials anyway, and each
  // contact's prepare step retries (or waits) on its own.
  retry: {
    initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 4,
    nonRetryableErrorTypes: ['SpeechRejectedError', 'TemplateClipError', 'AudioClipMissingError'],
  },
});

/**
 * Versioning of warming: the template version's static pieces are made audio before the first
 * page is started, so the first contacts do not all ask the speech service for the same
 * greeting at once. Runs started before it replay without it.
 */
const WARM_PATCH = 'warm-speech';

/**
 * Versioning of the campaign's changes: the poll's sleep ends at a campaignChanged signal, which
 * is passed on to every contact in flight; a stopped campaign tells its contacts and cancels
 * the ones never started before it ends. Runs started before it replay as they ran.
 */
const WAKE_PATCH = 'campaign-changes-wake';

export interface CampaignInput {
  campaignId: string;
  /** Id of the last contact started by an earlier run (continue-as-new carries it). */
  cursor?: number;
  pageSize?: number;
  pollIntervalMs?: number;
  runs?: number;
  /** Loop iterations per run before continue-as-new (tests make it small). */
  iterationsPerRun?: number;
  /** A campaignChanged signal the previous run had not passed on yet. */
  changePending?: boolean;
  /** An earlier run warmed the template's static pieces ('warm-speech'). */
  warmed?: boolean;
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
  /** campaignChanged signals received, and how many of them were passed on to the contacts. */
  let changes = input.changePending ? 1 : 0;
  let passedOn = 0;
  setHandler(campaignChangedSignal, () => void changes++);

  let warmed = input.warmed ?? false;
  if (!warmed && patched(WARM_PATCH)) {
    try {
      await warmTemplate(input.campaignId);
    } catch (err) {
      // A speech outage: the contacts' own prepare steps wait for it and say so.
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
    }
    warmed = true;
  }

  for (let i = 0; i < (input.iterationsPerRun ?? ITERATIONS_PER_RUN); i++) {
    if (changes > passedOn && patched(WAKE_PATCH)) {
      const seen = changes;
      await wakeContacts(input.campaignId);
      passedOn = seen;
    }
    const status = await campaignStatus(input.campaignId);
    progress.state = status.state;
    if (status.state === 'cancelled' && patched(WAKE_PATCH)) {
      // However the stop reached us (a signal, or only the state): the contacts in flight end
      // at their next gate instead of at the end of whatever they wait for.
      await wakeContacts(input.campaignId);
      await cancelPendingContacts(input.campaignId);
    }
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
        const completed = await completeCampaign(input.campaignId);
        // Contacts added since the count (an upsert, an import) keep the campaign running: page
        // them. Versioned: a campaign that completed before this change replays as it ran.
        if (completed !== false || !patched('complete-only-when-empty')) {
          return { campaignId: input.campaignId, state: 'completed', contactsStarted: status.started, runs: progress.runs };
        }
        continue;
      }
    }
    // paused, full, or waiting for the last contacts to finish; a change ends the wait
    if (patched(WAKE_PATCH)) await condition(() => changes > passedOn, pollIntervalMs);
    else await sleep(pollIntervalMs);
    if (workflowInfo().continueAsNewSuggested) break;
  }
  return continueAsNew<typeof campaignWorkflow>({
    ...input, cursor: progress.cursor, runs: progress.runs + 1, changePending: changes > passedOn,
    ...(warmed ? { warmed } : {}),
  });
}
