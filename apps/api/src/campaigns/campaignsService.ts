import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { createCampaign, readCampaignSettings } from '../../../../adapters/postgres/campaigns';
import {
  countContactsLacking, pinCampaignTemplateVersion, readCampaignTemplate,
} from '../../../../adapters/postgres/campaignTemplates';
import { readCampaignTemplateVersion } from '../../../../adapters/postgres/preparedMessages';
import { readTemplate, readTemplateVersion, type TemplateVersionContent } from '../../../../adapters/postgres/templates';
import { countCampaign, listCampaignFacts, readCampaignFacts, type CampaignFacts } from '../../../../adapters/postgres/campaignViews';
import type { TemporalClientHandle } from '../../../../adapters/temporal/connections';
import { startCampaign } from '../../../../adapters/temporal/workflowStarters';
import {
  changeCampaign, pauseCampaign, resumeCampaign, stopCampaign, type CampaignControlDeps,
} from '../../../../adapters/temporal/campaignControl';
import { CampaignInputError, type CampaignSettings, type CampaignSettingsPatch, type NewCampaignInput } from '../../../../domain/campaignSettings';
import type { CampaignState } from '../../../../domain/outcomes';
import { templateVariables } from '../../../../domain/templateInput';
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

  /**
   * A draft campaign. It pins its template's latest version (the database's trigger), or the
   * `templateVersion` given, which must exist.
   */
  async create(input: NewCampaignInput, actor: string, templateVersion: number | null = null): Promise<string> {
    const settings = withoutNulls(input);
    if (templateVersion !== null) await this.requireVersion(settings.templateId ?? null, templateVersion);
    const id = await createCampaign(this.pool, settings, actor);
    // A new campaign has no contacts yet: its variables are checked when it starts.
    if (templateVersion !== null) await pinCampaignTemplateVersion(this.pool, id, templateVersion);
    return id;
  }

  /**
   * Changes settings; the contacts in flight are woken to use them from their next attempt. A
   * new template (or `templateVersion`, a version of the campaign's template to pin) is refused
   * when the contacts still to call lack a variable it uses.
   */
  async update(id: string, patch: CampaignSettingsPatch, actor: string, templateVersion: number | null = null): Promise<string[]> {
    const changes = stripUndefined(patch);
    const pinned = await readCampaignTemplate(this.pool, id);
    if (pinned && (changes.templateId !== undefined || templateVersion !== null)) {
      const templateId = changes.templateId === undefined ? pinned.templateId : changes.templateId;
      await this.requireVariables(id, await this.templateToBe(pinned, templateId, templateVersion));
    }
    const changed = (await changeCampaign(this.controlDeps(), id, changes, actor)).changedFields;
    if (templateVersion !== null) await pinCampaignTemplateVersion(this.pool, id, templateVersion);
    return changed;
  }

  /** The version of its template the campaign says (pinned when the template was given). */
  async templateVersion(id: string): Promise<number | null> {
    return (await readCampaignTemplate(this.pool, id))?.templateVersion ?? null;
  }

  async start(id: string, actor: string): Promise<{ from: CampaignState; state: CampaignState }> {
    const before = await this.requireFacts(id);
    await this.requireVariables(id);
    await startCampaign({ pool: this.pool, temporal: this.temporal.client, taskQueue: this.config.TEMPORAL_TASK_QUEUE }, id, actor);
    return { from: before.state, state: 'running' };
  }

  /**
   * Pause (no originate leaves after it returns), resume (paused contacts wake at once) or stop
   * (every contact not in a call ends cancelled), each idempotent.
   */
  async control(id: string, action: 'pause' | 'resume' | 'stop', actor: string): Promise<{ from: CampaignState; state: CampaignState }> {
    const before = await this.requireFacts(id);
    if (action === 'resume') await this.requireVariables(id);
    const run = { pause: pauseCampaign, resume: resumeCampaign, stop: stopCampaign }[action];
    const after = await run(this.controlDeps(), id, actor);
    return { from: before.state, state: after.state };
  }

  private controlDeps(): CampaignControlDeps {
    return { pool: this.pool, temporal: this.temporal.client, taskQueue: this.config.TEMPORAL_TASK_QUEUE };
  }

  /** What the campaign will say after an update: the version given, or the one the database will pin. */
  private async templateToBe(
    pinned: { templateId: number | null; templateVersion: number | null }, templateId: number | null, templateVersion: number | null,
  ): Promise<TemplateVersionContent | null> {
    if (templateVersion !== null) return this.requireVersion(templateId, templateVersion);
    if (templateId === null) return null;
    // A template not given a version pins its latest (the trigger); the same template keeps its pin.
    return templateId === pinned.templateId && pinned.templateVersion !== null
      ? readTemplateVersion(this.pool, templateId, pinned.templateVersion)
      : readTemplate(this.pool, templateId);
  }

  /** The version of the template, refused under templateVersion when there is none. */
  private async requireVersion(templateId: number | null, version: number): Promise<TemplateVersionContent> {
    if (templateId === null) {
      throw new CampaignInputError('templateVersion: the campaign has no template: give templateId too', [
        { path: 'templateVersion', message: 'the campaign has no template: give templateId too' }]);
    }
    const template = await readTemplateVersion(this.pool, templateId, version);
    if (!template) {
      throw new CampaignInputError(`templateVersion: template ${templateId} has no version ${version}`, [
        { path: 'templateVersion', message: `template ${templateId} has no version ${version}` }]);
    }
    return template;
  }

  /**
   * Refuses a campaign whose template (its pinned version unless the one to be is given; null:
   * none) uses a variable that contacts still to call lack, naming each variable and how many
   * lack it: a call must never be placed with half a message.
   */
  private async requireVariables(id: string, template?: { body: string } | null): Promise<void> {
    const said = template === undefined ? await readCampaignTemplateVersion(this.pool, id) : template;
    if (!said) return;
    const lacking = await countContactsLacking(this.pool, id, templateVariables(said.body));
    if (lacking.length === 0) return;
    const issues = lacking.map((l) => ({
      path: 'templateId',
      message: `${l.contacts} contact${l.contacts === 1 ? '' : 's'} lack${l.contacts === 1 ? 's' : ''} ${l.variable} (the template uses {{${l.variable}}})`,
    }));
    throw new CampaignInputError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
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
