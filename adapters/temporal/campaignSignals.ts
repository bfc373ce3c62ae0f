import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { campaignWorkflow } from '../../workflows/campaignWorkflow';
import { campaignChangedSignal } from '../../workflows/signals';
import { campaignWorkflowId } from '../../domain/ids';
import type { Starter } from './workflowStarters';

// The "campaign changed" word: from whoever changed it to the campaign workflow, and from
// there to each contact in flight (activities/campaignFeed.ts pages over them).

/**
 * Tells the campaign workflow that its campaign changed; starts it first when none runs, so
 * the word cannot be lost between a state change and a workflow that just ended (a campaign
 * workflow started for a stopped campaign tells its contacts and ends at once).
 */
export async function notifyCampaignWorkflow(starter: Starter, campaignId: string): Promise<void> {
  await starter.temporal.workflow.signalWithStart<typeof campaignWorkflow, []>('campaignWorkflow', {
    workflowId: campaignWorkflowId(campaignId),
    taskQueue: starter.taskQueue,
    args: [{ campaignId }],
    signal: campaignChangedSignal,
    signalArgs: [],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}

/** Tells one contact; false when its workflow is not running (finished, or not started yet). */
export async function notifyContactWorkflow(temporal: Client, workflowId: string): Promise<boolean> {
  try {
    await temporal.workflow.getHandle(workflowId).signal(campaignChangedSignal);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
