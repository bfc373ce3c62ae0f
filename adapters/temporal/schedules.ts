import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { connectClient } from './connections';

// The dialer's Temporal Schedules: its retention jobs (docs/recording.md, docs/personalData.md). Made idempotently
// by the worker process at its start (apps/worker/main.ts): a schedule that exists is brought to
// this definition, so a changed task queue or interval takes effect at the next start.

export const RECORDING_RETENTION_SCHEDULE = 'recording-retention';

export interface RetentionScheduleOptions {
  taskQueue: string;
  /** How often the job runs (each job has its default). */
  every?: Duration;
  /** The schedule's id; tests give their own so they do not move the shared one. */
  scheduleId?: string;
}

/** What differs between the dialer's retention schedules. */
interface RetentionJob {
  defaultId: string;
  workflowType: string;
  defaultEvery: Duration;
}

const RECORDING_RETENTION: RetentionJob = {
  // Hourly: a recording outlives its expiry by less than that.
  defaultId: RECORDING_RETENTION_SCHEDULE, workflowType: 'recordingRetentionWorkflow', defaultEvery: '1 hour',
};

export const PERSONAL_DATA_RETENTION_SCHEDULE = 'personal-data-retention';

const PERSONAL_DATA_RETENTION: RetentionJob = {
  // Daily: retention is counted in days after a campaign finished (docs/personalData.md).
  defaultId: PERSONAL_DATA_RETENTION_SCHEDULE, workflowType: 'personalDataRetentionWorkflow', defaultEvery: '1 day',
};

/** Creates a retention job's schedule, or updates it to this definition. */
async function ensureRetentionSchedule(client: Client, job: RetentionJob, o: RetentionScheduleOptions): Promise<'created' | 'updated'> {
  const scheduleId = o.scheduleId ?? job.defaultId;
  const wanted: Omit<ScheduleOptions, 'scheduleId'> = {
    spec: { intervals: [{ every: o.every ?? job.defaultEvery }] },
    action: { type: 'startWorkflow', workflowType: job.workflowType, args: [], taskQueue: o.taskQueue, workflowId: scheduleId },
    // A run still deleting when the next is due is left to finish; the next one finds what is left.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
  try {
    await client.schedule.create({ scheduleId, ...wanted });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({
    ...previous, spec: wanted.spec, policies: { ...previous.policies, ...wanted.policies }, action: wanted.action as never,
  }));
  return 'updated';
}

/** Creates the recording retention schedule (docs/recording.md), or updates it to this definition. */
export function ensureRecordingRetentionSchedule(client: Client, o: RetentionScheduleOptions): Promise<'created' | 'updated'> {
  return ensureRetentionSchedule(client, RECORDING_RETENTION, o);
}

/** Creates the personal data retention schedule (docs/personalData.md), or updates it to this definition. */
export function ensurePersonalDataRetentionSchedule(client: Client, o: RetentionScheduleOptions): Promise<'created' | 'updated'> {
  return ensureRetentionSchedule(client, PERSONAL_DATA_RETENTION, o);
}

/** Every schedule of the dialer, on a client of its own (the worker's start). */
export async function ensureDialerSchedules(settings: Parameters<typeof connectClient>[0], taskQueue: string): Promise<void> {
  const temporal = await connectClient(settings);
  try {
    await ensureRecordingRetentionSchedule(temporal.client, { taskQueue });
    await ensurePersonalDataRetentionSchedule(temporal.client, { taskQueue });
  } finally {
    await temporal.close();
  }
}
