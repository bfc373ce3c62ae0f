import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type * as activities from './activities';

// The contact workflow's shape with no work in it: five local activities around one normal
// activity. What the Temporal server alone can do with this shape is the bench's ceiling.

const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '15 seconds' });
const { call } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } });

export async function bareContactShape(): Promise<void> {
  await local.load();
  await local.gate();
  await local.prepare();
  await call();
  await local.record();
  await local.finish();
}
