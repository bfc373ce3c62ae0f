import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { campaignWorkflow, CampaignInput } from '../../workflows/campaignWorkflow';
import { campaignWorkflowId } from '../../domain/ids';
import { campaignSettingsSchema, type CampaignSettingsInput } from '../../domain/campaignSettings';

// Creating and starting campaigns: shared by the demo, the tests, the bench and the API.

export class CampaignInputError extends Error {
  override readonly name = 'CampaignInputError';
}

export async function createCampaign(pool: Pool, input: CampaignSettingsInput, actor: string): Promise<string> {
  const parsed = campaignSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new CampaignInputError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const s = parsed.data;
  await pool.query(
    `INSERT INTO campaign (id, name, caller_id, time_zone, window_start, window_end, max_attempts_per_number,
                           retry_interval_seconds, ring_timeout_seconds, max_in_flight, template_id, max_channels)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
    [s.id, s.name, s.callerId, s.timeZone, s.windowStart, s.windowEnd, s.maxAttemptsPerNumber,
      s.retryIntervalSeconds, s.ringTimeoutSeconds, s.maxInFlight, s.templateId, s.maxChannels],
  );
  await audit(pool, actor, 'campaign.created', s.id, { name: s.name });
  return s.id;
}

export async function upsertTemplate(pool: Pool, name: string, body: string): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO template (name, body) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET body = excluded.body RETURNING id`,
    [name, body],
  );
  return Number(rows[0].id);
}

/**
 * Sets the campaign running and starts its workflow. Starting twice is harmless: a running
 * campaign workflow is found and kept; contacts already started are never started again.
 */
export async function startCampaign(
  deps: { pool: Pool; temporal: Client; taskQueue: string },
  campaignId: string,
  actor: string,
  options: Omit<CampaignInput, 'campaignId' | 'cursor' | 'runs'> = {},
): Promise<{ workflowId: string; alreadyRunning: boolean }> {
  const { rowCount } = await deps.pool.query(
    `UPDATE campaign SET state = 'running', started_at = coalesce(started_at, now())
      WHERE id = $1 AND state IN ('draft', 'running', 'paused', 'completed')`,
    [campaignId],
  );
  if (rowCount === 0) throw new CampaignInputError(`campaign ${campaignId} does not exist or was cancelled`);
  const workflowId = campaignWorkflowId(campaignId);
  try {
    await deps.temporal.workflow.start<typeof campaignWorkflow>('campaignWorkflow', {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [{ campaignId, ...options }],
      // A finished campaign may run again for contacts added since; a running one is not doubled.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { workflowId, alreadyRunning: true };
  }
  await audit(deps.pool, actor, 'campaign.started', campaignId, {});
  return { workflowId, alreadyRunning: false };
}

async function audit(pool: Pool, actor: string, action: string, campaignId: string, details: object): Promise<void> {
  await pool.query(
    `INSERT INTO audit_log (actor, action, entity, entity_id, details) VALUES ($1, $2, 'campaign', $3, $4)`,
    [actor, action, campaignId, JSON.stringify(details)],
  );
}
