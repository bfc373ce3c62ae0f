import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type * as activities from './activities';

// The contact workflow's shapes with no work in them: what the Temporal server alone can do
// with each is a ceiling printed beside the product's rate.

const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '15 seconds' });
const { call } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } });

/**
 * The product's shape with a cached message since the lean attempt (patch 'lean-attempt'): plan
 * + gate + prepare from the cache (one local activity), the call (an activity), record + finish
 * (one local activity). An uncached message adds the prepareMessage activity. (Before it: five
 * local activities and the call; BENCHMARKS.md's earlier figures name that shape.)
 */
export async function bareContactShape(): Promise<void> {
  await local.load();
  await call();
  await local.record();
}

/** The leanest shape a contact can have: one local activity, then the call. */
export async function bareLeanShape(): Promise<void> {
  await local.load();
  await call();
}
