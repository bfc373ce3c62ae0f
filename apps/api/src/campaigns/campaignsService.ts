import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { createCampaign, readCampaignSettings } from '../../../../adapters/postgres/campaigns';
import { countCampaign, listCampaignFacts, readCampaignFacts, type CampaignFacts } from '../../../../adapters/postgres/campaignViews';
import type { TemporalClientHandle } from '../../../../adapters/temporal/connections';
import { startCampaign } from '../../../../adapters/temporal/workflowStarters';
import {
  changeCampaign, pauseCampaign, resumeCampaign, stopCampaign, type CampaignControlDeps,
} from '../../../../adapters/temporal/campaignControl';
import { CampaignInputError, type CampaignSettings, type CampaignSettingsPatch, type NewCampaignInput } from '../../../../domain/campaignSettings';
import type { CampaignState } from '../../../../domain/outcomes';
import type { ApiConfig } from '../apiConfig';
import { withoutNulls } from '../graphql/withoutNulls';
import { API_CONFIG, PG_POOL, TEMPORAL } from '../infra/tokens';
import type { CampaignCounters } from './campaignTypes';

// The campaign's life as the API offers it, over the adapters (no SQL of its own).

@Injectable()
export class CampaignsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(TEMPORAL) private readonly temporal: TemporalClientHandle,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  async get(id: string): Promise<(CampaignFacts & { settings: CampaignSettings }) | null> {
    const facts = await readCampaignFacts(this.pool, id);
    if (!facts) return null;
    const settings = await readCampaignSettings(this.pool, id);
    return { ...facts, settings: settings! };
  }

  async list(after: string | null, first: number): Promise<(CampaignFacts & { settings: CampaignSettings })[]> {
    const facts = await listCampaignFacts(this.pool, { after, first });
    return Promise.all(facts.map(async (f) => ({ ...f, settings: (await readCampaignSettings(this.pool, f.id))! })));
  }

  async counters(id: string): Promise<CampaignCounters> {
    const c = await countCampaign(this.pool, id);
    const pending = c.byState.pending ?? 0;
    const inProgress = c.byState.in_progress ?? 0;
    const named = (counts: Record<string, number>) => Object.entries(counts).map(([name, count]) => ({ name, count }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      contacts: c.contacts, pending, inProgress, finished: c.contacts - pending - inProgress, calls: c.calls,
      doneByOutcome: named(c.doneByOutcome), refusedByRule: named(c.refusedByRule),
    };
  }

  async create(input: NewCampaignInput, actor: string): Promise<string> {
    return createCampaign(this.pool, withoutNulls(input), actor);
  }

  /** Changes settings; the contacts in flight are woken to use them from their next attempt. */
  async update(id: string, patch: CampaignSettingsPatch, actor: string): Promise<string[]> {
    return (await changeCampaign(this.controlDeps(), id, stripUndefined(patch), actor)).changedFields;
  }

  async start(id: string, actor: string): Promise<{ from: CampaignState; state: CampaignState }> {
    const before = await this.requireFacts(id);
    await startCampaign({ pool: this.pool, temporal: this.temporal.client, taskQueue: this.config.TEMPORAL_TASK_QUEUE }, id, actor);
    return { from: before.state, state: 'running' };
  }

  /**
   * Pause (no originate leaves after it returns), resume (paused contacts wake at once) or stop
   * (every contact not in a call ends cancelled), each idempotent.
   */
  async control(id: string, action: 'pause' | 'resume' | 'stop', actor: string): Promise<{ from: CampaignState; state: CampaignState }> {
    const before = await this.requireFacts(id);
    const run = { pause: pauseCampaign, resume: resumeCampaign, stop: stopCampaign }[action];
    const after = await run(this.controlDeps(), id, actor);
    return { from: before.state, state: after.state };
  }

  private controlDeps(): CampaignControlDeps {
    return { pool: this.pool, temporal: this.temporal.client, taskQueue: this.config.TEMPORAL_TASK_QUEUE };
  }

  private async requireFacts(id: string): Promise<CampaignFacts> {
    const facts = await readCampaignFacts(this.pool, id);
    if (!facts) throw new CampaignInputError(`campaign ${id} does not exist`, [{ path: 'id', message: 'does not exist' }]);
    return facts;
  }
}

/** A patch's null means "clear this setting"; only the fields not sent at all are dropped. */
function stripUndefined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}
