import { Inject, Injectable } from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { TemporalClientHandle } from '../../../../adapters/temporal/connections';
import type { ApiRole } from '../../../../adapters/postgres/apiAccess';
import { InputError } from '../../../../domain/inputError';
import { namesContacts, parsePersonalDataFilter } from '../../../../domain/personalDataFilter';
import type { PersonalDataDeletionInput, PersonalDataDeletionProgress } from '../../../../workflows/personalDataDeletion';
import type { ApiConfig } from '../apiConfig';
import { API_CONFIG, TEMPORAL } from '../infra/tokens';
import type { PersonalDataDeletionJob } from './personalDataTypes';

// The deletion runs as a Temporal workflow (workflows/personalDataDeletion.ts), also for one
// contact: it deletes through Temporal, ARI and the speech cache as well as Postgres, each
// retried by Temporal, so one path serves a contact and a million; the API answers with the
// job at once and the caller asks for its progress.

const JOB_PREFIX = 'personal-data-deletion/';
const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

@Injectable()
export class PersonalDataService {
  constructor(@Inject(TEMPORAL) private readonly temporal: TemporalClientHandle, @Inject(API_CONFIG) private readonly config: ApiConfig) {}

  /**
   * Starts the deletion of the filter's contacts. The same requestId twice is the same job (a
   * retried request starts nothing new). An ERP deletes its own contacts by name only: ids, or
   * external ids of a campaign.
   */
  async start(filterInput: unknown, requestId: string | null, who: { actor: string; role: ApiRole }): Promise<PersonalDataDeletionJob> {
    const filter = parsePersonalDataFilter(filterInput);
    if (who.role !== 'admin' && !namesContacts(filter)) {
      throw new InputError('filter: an ERP names the contacts it deletes: contactIds, or campaignId with externalIds',
        [{ path: 'filter', message: 'name the contacts: contactIds, or campaignId with externalIds' }]);
    }
    if (requestId !== null && !REQUEST_ID.test(requestId)) {
      throw new InputError('requestId: 1 to 100 letters, digits, dots, dashes or underscores', [{ path: 'requestId', message: '1 to 100 letters, digits, dots, dashes or underscores' }]);
    }
    const jobId = JOB_PREFIX + (requestId ?? randomUUID());
    const input: PersonalDataDeletionInput = { filter, actor: who.actor };
    try {
      await this.temporal.client.workflow.start('personalDataDeletionWorkflow', {
        workflowId: jobId, taskQueue: this.config.TEMPORAL_TASK_QUEUE, args: [input],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return (await this.job(jobId))!;
  }

  /** The job's state and counts; null when there is no such job. */
  async job(jobId: string): Promise<PersonalDataDeletionJob | null> {
    if (!jobId.startsWith(JOB_PREFIX)) return null;
    const handle = this.temporal.client.workflow.getHandle(jobId);
    let status: string;
    try {
      status = (await handle.describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
    let progress: PersonalDataDeletionProgress | null = null;
    if (status === 'COMPLETED') progress = await handle.result() as PersonalDataDeletionProgress;
    else if (status === 'RUNNING') progress = await handle.query<PersonalDataDeletionProgress>('progress').catch(() => null);
    return toJob(jobId, status, progress);
  }
}

function toJob(jobId: string, status: string, p: PersonalDataDeletionProgress | null): PersonalDataDeletionJob {
  return {
    jobId, state: status.toLowerCase(), matched: p && p.matched >= 0 ? p.matched : null,
    contacts: p?.contacts ?? 0, phones: p?.phones ?? 0, variables: p?.variables ?? 0, consents: p?.consents ?? 0,
    preparedMessages: p?.preparedMessages ?? 0, attempts: p?.attempts ?? 0, importLines: p?.importLines ?? 0,
    recordings: p?.recordings ?? 0, histories: p?.histories ?? 0, audioFiles: p?.audioFiles ?? 0,
  };
}
