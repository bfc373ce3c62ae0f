import { continueAsNew, defineQuery, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { DialerActivities } from '../activities';
import type { DeletionCounts } from '../activities/personalData';
import type { PersonalDataFilter } from '../domain/personalDataFilter';

// A deletion of personal data (docs/personalData.md): the API's job for a request, or a run of
// the retention schedule. The filter's contacts are deleted a batch at a time by one activity
// call each; a batch that fails is retried whole (what was erased has left the filter), so the
// job can stop anywhere and go on. Its progress is a query; a long job continues as new with
// its counts so far, so a million contacts do not make one endless history.

export interface PersonalDataDeletionInput {
  filter: PersonalDataFilter;
  /** Who asked: an API principal, or the retention schedule. */
  actor: string;
  /** Contacts per batch (default 200). */
  batchSize?: number;
  /** Carried over by continue-as-new. */
  progress?: PersonalDataDeletionProgress;
}

export interface PersonalDataDeletionProgress extends DeletionCounts {
  /** Contacts the filter took when the job started (more may come: contacts added meanwhile). */
  matched: number;
  batches: number;
  finished: boolean;
}

export const personalDataDeletionProgress = defineQuery<PersonalDataDeletionProgress>('progress');

const { deletePersonalDataBatch, countPersonalDataMatches } = proxyActivities<DialerActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/** Batches a run does before continuing as new. */
const BATCHES_PER_RUN = 200;

export async function personalDataDeletionWorkflow(input: PersonalDataDeletionInput): Promise<PersonalDataDeletionProgress> {
  const limit = input.batchSize ?? 200;
  const progress: PersonalDataDeletionProgress = input.progress ?? {
    matched: -1, batches: 0, finished: false,
    contacts: 0, phones: 0, variables: 0, consents: 0, preparedMessages: 0, attempts: 0, importLines: 0, recordings: 0, histories: 0, audioFiles: 0,
  };
  setHandler(personalDataDeletionProgress, () => progress);
  if (progress.matched < 0) progress.matched = await countPersonalDataMatches(input.filter);
  // The job's id: the audit rows of its batches name it.
  const jobId = workflowInfo().workflowId;
  for (let run = 0; run < BATCHES_PER_RUN; run++) {
    const counts = await deletePersonalDataBatch({ filter: input.filter, jobId, actor: input.actor, limit });
    for (const k of Object.keys(counts) as (keyof DeletionCounts)[]) progress[k] += counts[k];
    progress.batches++;
    // Only an empty batch ends the job: a short one may have lost contacts to another deletion.
    if (counts.contacts === 0) {
      progress.finished = true;
      return progress;
    }
  }
  return continueAsNew<typeof personalDataDeletionWorkflow>({ ...input, progress });
}

/** The actor the audit log names for the retention schedule's deletions. */
export const PERSONAL_DATA_RETENTION_ACTOR = 'system:personal-data-retention';

/**
 * The retention job (adapters/temporal/schedules.ts): the personal data of every contact whose
 * campaign finished more than its personalDataRetentionDays before the schedule fired, deleted
 * by a deletion job of its own (a child, so its progress and audit are a job's like any other).
 */
export async function personalDataRetentionWorkflow(): Promise<PersonalDataDeletionProgress> {
  const info = workflowInfo();
  return executeChild(personalDataDeletionWorkflow, {
    workflowId: `${info.workflowId}/deletion`,
    args: [{ filter: { retentionEndedBy: info.runStartTime.toISOString() }, actor: PERSONAL_DATA_RETENTION_ACTOR }],
  });
}
