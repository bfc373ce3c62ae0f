import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { connectClient } from './connections';

// The dialer's Temporal Schedules: its retention jobs (docs/recording.md). Made idempotently
// by the worker process at its start (apps/worker/main.ts): a schedule that exists is brought to
// this definition, so a changed task queue or interval takes effect at the next start.

export const RECORDING_RETENTION_SCHEDULE = 'recording-retention';

export interface RetentionScheduleOptions {
  taskQueue: string;
  /** How often the job runs; hourly by default (a recording outlives its expiry by less than that). */
  every?: Duration;
  /** The schedule's id; tests give their own so they do not move the shared one. */
  scheduleId?: string;
}

function definition(o: RetentionScheduleOptions): Omit<ScheduleOptions, 'scheduleId'> {
  const id = o.scheduleId ?? RECORDING_RETENTION_SCHEDULE;
  return {
    spec: { intervals: [{ every: o.every ?? '1 hour' }] },
    action: { type: 'startWorkflow', workflowType: 'recordingRetentionWorkflow', args: [], taskQueue: o.taskQueue, workflowId: id },
    // A run still deleting when the next is due is left to finish; the next one finds what is left.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

/** Creates the recording retention schedule, or updates it to this definition. */
export async function ensureRecordingRetentionSchedule(client: Client, o: RetentionScheduleOptions): Promise<'created' | 'updated'> {
  const scheduleId = o.scheduleId ?? RECORDING_RETENTION_SCHEDULE;
  const wanted = definition(o);
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

export const PERSONAL_DATA_RETENTION_SCHEDULE = 'personal-data-retention';

/**
 * Creates the personal data retention schedule (docs/personalData.md), or updates it to this
 * definition: daily by default, since retention is counted in days after a campaign finished.
 */
export async function ensurePersonalDataRetentionSchedule(client: Client, o: RetentionScheduleOptions): Promise<'created' | 'updated'> {
  const scheduleId = o.scheduleId ?? PERSONAL_DATA_RETENTION_SCHEDULE;
  const wanted: Omit<ScheduleOptions, 'scheduleId'> = {
    spec: { intervals: [{ every: o.every ?? '1 day' }] },
    action: { type: 'startWorkflow', workflowType: 'personalDataRetentionWorkflow', args: [], taskQueue: o.taskQueue, workflowId: scheduleId },
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
