import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { readCampaignWaits, type CampaignWaitRows } from '../../../../adapters/postgres/waits';
import { readSuspendedTrunkOfCampaign } from '../../../../adapters/postgres/autoBlacklist';
import { CONTACT_WAIT_REASONS, type WaitGroup } from '../../../../domain/contactWaits';
import { InputError } from '../../../../domain/inputError';
import { PG_POOL } from '../infra/tokens';
import type { CampaignWaits, WaitGroupCount } from './waitsTypes';

const OWN_WAITS: ReadonlySet<string> = new Set(CONTACT_WAIT_REASONS);

@Injectable()
export class WaitsService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async campaignWaits(campaignId: string): Promise<CampaignWaits> {
    const w = await readCampaignWaits(this.pool, campaignId);
    if (!w) throw new InputError(`campaign ${campaignId} does not exist`, [{ path: 'campaignId', message: 'does not exist' }]);
    return describeWaits(campaignId, w, new Date(), await readSuspendedTrunkOfCampaign(this.pool, campaignId));
  }
}

/** The rows as the API answers them: the campaign's hold, why pending rows wait, the contacts busy. */
export function describeWaits(campaignId: string, w: CampaignWaitRows, at: Date, autoBlacklistSuspended: string | null = null): CampaignWaits {
  const groups: WaitGroupCount[] = w.groups.map((g) => ({
    reason: g.group as WaitGroup, detail: g.group === 'not_started' ? notStartedBecause(w) : g.detail,
    contacts: g.contacts, nextAt: g.nextAt, overdue: g.overdue,
  }));
  groups.sort((a, b) => b.contacts - a.contacts || a.reason.localeCompare(b.reason) || (a.detail ?? '').localeCompare(b.detail ?? ''));
  // Contacts in flight that wait on something recorded: their own row, or a call waiting for a channel.
  const waiting = groups.filter((g) => OWN_WAITS.has(g.reason) || g.reason === 'channel').reduce((s, g) => s + g.contacts, 0);
  return {
    campaignId, state: w.state, hold: holdOf(w.state), inFlight: w.inProgress,
    busy: Math.max(0, w.inProgress - waiting), groups, at, autoBlacklistSuspended,
  };
}

function holdOf(state: CampaignWaitRows['state']): string | null {
  switch (state) {
    case 'running': return null;
    case 'paused': return 'paused';
    case 'draft': return 'not started';
    case 'completed': case 'cancelled': return `stopped (${state})`;
  }
}

function notStartedBecause(w: CampaignWaitRows): string {
  if (w.state !== 'running') return `the campaign is ${w.state}`;
  if (w.inProgress >= w.maxInFlight) return `max in flight reached (${w.inProgress} of ${w.maxInFlight})`;
  return 'the next page is being started';
}
