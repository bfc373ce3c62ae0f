import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { campaignWorkflow, CampaignInput } from '../../workflows/campaignWorkflow';
import type { ContactInput } from '../../workflows/contactSteps';
import { campaignWorkflowId, contactWorkflowId } from '../../domain/ids';
import { DEFAULT_CONTACT_WORKFLOW_TYPE, type ContactWorkflowType } from '../../domain/strategies/workflowTypes';
import { auditCampaign, setCampaignState } from '../postgres/campaigns';

// Starting the dialer's workflows, each idempotently: a workflow already running under the
// id is found and kept, never doubled (ids come from domain/ids.ts).

export interface Starter {
  temporal: Client;
  taskQueue: string;
}

/**
 * Starts the campaign's workflow. A finished campaign workflow may run again (for contacts
 * added since); a running one is kept, and `alreadyRunning` says so.
 */
export async function startCampaignWorkflow(
  starter: Starter, input: CampaignInput,
): Promise<{ workflowId: string; alreadyRunning: boolean }> {
  const workflowId = campaignWorkflowId(input.campaignId);
  try {
    await starter.temporal.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      workflowId,
      taskQueue: starter.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    return { workflowId, alreadyRunning: false };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { workflowId, alreadyRunning: true };
  }
}

/**
 * Starts one contact's workflow, once for good: a contact's workflow id is never reused, so a
 * retried page start cannot call a finished contact again. False when it was started before.
 * `workflowType` is the campaign's (contactWorkflow, or a registered strategy workflow, each
 * started with the same input); the id does not depend on it.
 */
export async function startContactWorkflow(
  starter: Starter, contact: { campaignId: string; contactId: number; externalId: string },
  workflowType: ContactWorkflowType = DEFAULT_CONTACT_WORKFLOW_TYPE,
): Promise<boolean> {
  const input: ContactInput = { campaignId: contact.campaignId, contactId: contact.contactId };
  try {
    await starter.temporal.workflow.start(workflowType, {
      workflowId: contactWorkflowId(contact.campaignId, contact.externalId),
      taskQueue: starter.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return true;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return false;
  }
}

/**
 * Sets the campaign running and starts its workflow. Starting twice is harmless: a running
 * campaign workflow is found and kept; contacts already started are never started again.
 */
export async function startCampaign(
  deps: Starter & { pool: Pool },
  campaignId: string,
  actor: string,
  options: Omit<CampaignInput, 'campaignId' | 'cursor' | 'runs'> = {},
): Promise<{ workflowId: string; alreadyRunning: boolean }> {
  await setCampaignState(deps.pool, campaignId, 'running', actor);
  const started = await startCampaignWorkflow(deps, { campaignId, ...options });
  if (!started.alreadyRunning) await auditCampaign(deps.pool, actor, 'campaign.started', campaignId, {});
  return started;
}
