import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { readCampaignFacts } from '../../../../adapters/postgres/campaignViews';
import { CONTACT_WRITABLE_STATES, upsertContacts, type UpsertReport } from '../../../../adapters/postgres/contactUpserts';
import { readListImport, readListImportIssues, type ListImportIssueRow, type ListImportRow } from '../../../../adapters/postgres/listImports';
import type { TemporalClientHandle } from '../../../../adapters/temporal/connections';
import { startCampaignWorkflow } from '../../../../adapters/temporal/workflowStarters';
import { createLogger } from '../../../../common/logger';
import { parseContactBatch } from '../../../../domain/contactInput';
import { InputError } from '../../../../domain/inputError';
import type { ApiConfig } from '../apiConfig';
import { API_CONFIG, PG_POOL, TEMPORAL } from '../infra/tokens';
import { ListImportJobs } from './listImportJobs';
import { UploadStore } from './uploadStore';

const log = createLogger('contacts');

/** A running import that has not written for this long is taken for dead (its process stopped). */
const STALLED_MS = 10 * 60_000;

// Contacts into campaigns, as the API offers it: the ERP's batches and uploaded lists, over the
// adapters and the list importer (no SQL of its own).

@Injectable()
export class ContactsService {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(TEMPORAL) private readonly temporal: TemporalClientHandle,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly uploads: UploadStore,
    private readonly jobs: ListImportJobs,
  ) {}

  /**
   * The whole batch is checked first (every problem named by its path) and written in one
   * transaction, or nothing is. A running campaign's workflow is started if it is not running
   * (the contacts added are pending rows it pages through).
   */
  async upsert(campaignId: string, contacts: readonly unknown[], actor: string): Promise<UpsertReport> {
    const values = parseContactBatch(contacts);
    const report = await upsertContacts(this.pool, campaignId, values, actor);
    log.info({ campaignId, inserted: report.inserted, updated: report.updated, unchanged: report.unchanged, warnings: report.warnings.length }, 'contacts upserted');
    if (report.campaignState === 'running') {
      try {
        // Idempotent: a running campaign workflow is kept; one that ended runs again for the new rows.
        await startCampaignWorkflow({ temporal: this.temporal.client, taskQueue: this.config.TEMPORAL_TASK_QUEUE }, { campaignId });
      } catch (err) {
        log.error({ campaignId, err: (err as Error).message }, 'campaign workflow not started after an upsert');
        throw new Error(`the contacts were saved, but the campaign's workflow could not be started (${(err as Error).message}): `
          + 'call again (nothing is written twice)', { cause: err });
      }
    }
    return report;
  }

  /** Starts the import of an upload into a campaign; the import's id once it runs. */
  async importUpload(campaignId: string, uploadId: string, actor: string): Promise<number> {
    const campaign = await readCampaignFacts(this.pool, campaignId);
    if (!campaign) throw new InputError(`campaign ${campaignId} does not exist`, [{ path: 'campaignId', message: 'does not exist' }]);
    if (!CONTACT_WRITABLE_STATES.includes(campaign.state)) {
      throw new InputError(`campaign ${campaignId} is ${campaign.state}: contacts can only be added to a draft, running or paused campaign`,
        [{ path: 'campaignId', message: `is ${campaign.state}` }]);
    }
    const upload = await this.uploads.claim(uploadId, actor);
    // Once the rows are in: a running campaign's workflow pages the new pending rows (started
    // again if it had ended). Not before: a workflow that found no contact left would complete
    // the campaign under the import.
    return this.jobs.start(campaignId, upload, actor, () => this.nudgeIfRunning(campaignId));
  }

  private async nudgeIfRunning(campaignId: string): Promise<void> {
    const campaign = await readCampaignFacts(this.pool, campaignId);
    if (campaign?.state !== 'running') return;
    await startCampaignWorkflow({ temporal: this.temporal.client, taskQueue: this.config.TEMPORAL_TASK_QUEUE }, { campaignId });
  }

  /** An import's progress; one whose process stopped mid-way reads as failed. */
  async listImport(id: number): Promise<ListImportRow | null> {
    const row = await readListImport(this.pool, id);
    if (!row || row.state !== 'running' || this.jobs.isRunning(id)) return row;
    if (Date.now() - row.updated_at.getTime() < STALLED_MS) return row;
    return { ...row, state: 'failed', error: `interrupted: no progress for ${STALLED_MS / 60_000} minutes (the API process stopped?); importing the file again is safe` };
  }

  listImportIssues(importId: number, page: { severity: 'error' | 'warning' | null; afterId: number; first: number }): Promise<ListImportIssueRow[]> {
    return readListImportIssues(this.pool, importId, page);
  }
}
