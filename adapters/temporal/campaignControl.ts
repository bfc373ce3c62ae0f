import type { Pool } from 'pg';
import type { CampaignSettingName, CampaignSettingsPatch } from '../../domain/campaignSettings';
import type { CampaignState } from '../../domain/outcomes';
import { CampaignInputError, readCampaignState, setCampaignState, updateCampaign } from '../postgres/campaigns';
import { notifyCampaignWorkflow } from './campaignSignals';
import type { Starter } from './workflowStarters';

// What the API calls to pause, resume, stop and edit a running campaign. Postgres holds the
// campaign's state and settings; every gate reads them, so the change itself is the commit.
// The wake-up that follows goes to the campaign workflow only (one signal), which passes it
// on to the contacts in flight (at most max_in_flight of them; the rest are pending rows the
// campaign workflow starts later with the settings of that moment).
//
// - pause: no wake-up. When it returns, no originate of the campaign leaves any worker
//   (setCampaignState waits for those in flight, adapters/postgres/campaignAdmission.ts);
//   calls already up finish; every contact finds the pause at its next gate.
// - resume: paused contacts ask the gate again at once.
// - stop: the campaign is cancelled for good; contacts in flight end cancelled at their next
//   gate (sleeping ones are woken for it), those never started are marked cancelled, and the
//   campaign workflow ends cancelled.
// - change: the settings are written; every contact in flight re-reads its plan before its
//   next gate (a contact asleep until 09:00 under the old hours computes its wait again).
//
// Each is idempotent: asking again for the state the campaign is in changes nothing, writes
// no audit row and sends no wake-up, and says so (`changed: false`). The audit rows are
// setCampaignState's and updateCampaign's, with the actor.

export interface CampaignControlDeps extends Starter {
  pool: Pool;
}

export interface CampaignControlResult {
  campaignId: string;
  /** The campaign's state after the call. */
  state: CampaignState;
  /** False when there was nothing to do: the campaign already was in that state, or no setting changed. */
  changed: boolean;
}

export interface CampaignChangeResult extends CampaignControlResult {
  /** The settings whose value changed (empty: nothing was written). */
  changedFields: CampaignSettingName[];
}

/** Pauses a running (or draft) campaign. */
export async function pauseCampaign(deps: CampaignControlDeps, campaignId: string, actor: string): Promise<CampaignControlResult> {
  const from = await setCampaignState(deps.pool, campaignId, 'paused', actor);
  return { campaignId, state: 'paused', changed: from !== 'paused' };
}

/** Resumes a paused campaign; its paused contacts ask the gate again at once. */
export async function resumeCampaign(deps: CampaignControlDeps, campaignId: string, actor: string): Promise<CampaignControlResult> {
  // From a pause only: a draft is started (startCampaign), a finished campaign stays finished.
  const from = await setCampaignState(deps.pool, campaignId, 'running', actor, { from: ['paused', 'running'] });
  // Also when it was running already: a wake-up too many costs one signal per contact in
  // flight, one too few leaves a contact paused for minutes.
  await notifyCampaignWorkflow(deps, campaignId);
  return { campaignId, state: 'running', changed: from !== 'running' };
}

/** Stops a campaign for good: every contact not in a call ends cancelled. */
export async function stopCampaign(deps: CampaignControlDeps, campaignId: string, actor: string): Promise<CampaignControlResult> {
  const from = await setCampaignState(deps.pool, campaignId, 'cancelled', actor);
  // Again on a repeated stop: a first stop whose wake-up failed (Temporal down) is completed
  // by the second. A campaign workflow started here for it tells the contacts and ends.
  await notifyCampaignWorkflow(deps, campaignId);
  return { campaignId, state: 'cancelled', changed: from !== 'cancelled' };
}

/** Changes settings; the contacts in flight use them from their next attempt. */
export async function changeCampaign(
  deps: CampaignControlDeps, campaignId: string, patch: CampaignSettingsPatch, actor: string,
): Promise<CampaignChangeResult> {
  const changedFields = await updateCampaign(deps.pool, campaignId, patch, actor);
  const state = await readCampaignState(deps.pool, campaignId);
  if (state === null) throw new CampaignInputError(`campaign ${campaignId} does not exist`, [{ path: 'id', message: 'does not exist' }]);
  // Only a running or paused campaign has contacts waiting that the change concerns (a draft
  // has none yet; a finished one none any more).
  if (changedFields.length > 0 && (state === 'running' || state === 'paused')) await notifyCampaignWorkflow(deps, campaignId);
  return { campaignId, state, changed: changedFields.length > 0, changedFields };
}
