import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DialerActivities } from '../activities';

// The retention job of call recordings (docs/recording.md), run by a Temporal Schedule
// (adapters/temporal/schedules.ts): each run deletes every recording whose retention ended by
// the moment the schedule fired. A run that fails is retried by its activity's policy; a run
// skipped (the schedule overlaps none) leaves its work to the next, which finds it all.

const { deleteExpiredRecordings } = proxyActivities<DialerActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', maximumAttempts: 10 },
});

/** Returns how many recordings it deleted. */
export async function recordingRetentionWorkflow(): Promise<number> {
  // The run's start, not the activity's clock: what expired when the schedule fired.
  return deleteExpiredRecordings(workflowInfo().runStartTime.toISOString());
}
