import type { Pool, PoolClient } from 'pg';
import { isWithinWindow } from '../workflows/timeWindow';
import type { DailyWindow, GateCheck, GateDecision, GateRefusal } from '../workflows/types';

// The "gate" step: may this number be called now? The workflow asks before it waits and
// prepares; the call activity asks again with the wall clock right before the originate,
// because a timer can fire late (DESIGN.md, "The last word before a call is the real clock's").

export interface GateQuestion {
  campaignId: string;
  e164: string;
  /** Checked only when given: the workflow's gate leaves the window to its timer. */
  window?: { window: DailyWindow; timeZone: string; nowMs: number };
}

type Queryable = Pool | PoolClient;

export class CampaignNotFoundError extends Error {
  override readonly name = 'CampaignNotFoundError';
}

export async function evaluateGate(db: Queryable, q: GateQuestion): Promise<GateDecision> {
  const { rows } = await db.query<{ state: string; blacklisted: boolean }>(
    `SELECT c.state,
            EXISTS (SELECT 1 FROM blacklist b
                     WHERE b.e164 = $2 AND (b.expires_at IS NULL OR b.expires_at > now())) AS blacklisted
       FROM campaign c WHERE c.id = $1`,
    [q.campaignId, q.e164],
  );
  if (rows.length === 0) throw new CampaignNotFoundError(`campaign ${q.campaignId} does not exist`);
  const { state, blacklisted } = rows[0];
  const checkedAt = new Date(q.window?.nowMs ?? Date.now()).toISOString();

  const checks: GateCheck[] = [
    { rule: 'campaign_running', passed: state === 'running', detail: state },
    { rule: 'not_blacklisted', passed: !blacklisted },
  ];
  if (q.window) {
    const { window, timeZone, nowMs } = q.window;
    checks.push({
      rule: 'daily_window',
      passed: isWithinWindow(nowMs, window, timeZone),
      detail: `${window.start}-${window.end} ${timeZone}`,
    });
  }

  let refusal: GateRefusal | null = null;
  if (state === 'cancelled' || state === 'completed') refusal = 'campaign_stopped';
  else if (state !== 'running') refusal = 'campaign_paused'; // draft or paused: wait for a start
  else if (blacklisted) refusal = 'blacklisted';
  else if (checks.some((c) => c.rule === 'daily_window' && !c.passed)) refusal = 'outside_window';

  return refusal ? { allowed: false, refusal, checks, checkedAt } : { allowed: true, checks, checkedAt };
}
