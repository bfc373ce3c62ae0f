import {
  ParentClosePolicy, condition, continueAsNew, proxyActivities, proxyLocalActivities, startChild, workflowInfo,
} from '@temporalio/workflow';
import type { FeedActivities } from './activities';

// Three ways to keep `width` lean contacts in flight, with no work in them, so that what the
// Temporal server itself pays for the campaign feed can be compared (bench/feedShapes.ts).

const local = proxyLocalActivities<FeedActivities>({ startToCloseTimeout: '15 seconds' });
const { startPage } = proxyActivities<FeedActivities>({ startToCloseTimeout: '2 minutes' });
const { call } = proxyActivities<FeedActivities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } });

/** The lean contact (1 local + 1 activity), which tells the feed's counter when it ends. */
export async function feedContact(): Promise<void> {
  await local.load();
  await call();
  await local.contactDone();
}

/**
 * The product's feed: a local activity reads how many are in flight, an activity starts a page
 * of contacts through the client, and the workflow waits `pollMs` when it is full.
 */
export async function activityFeed(n: number, width: number, pollMs: number): Promise<void> {
  for (;;) {
    const { started, done } = await local.feedCounts();
    if (done >= n) return;
    const free = Math.min(width - (started - done), n - started);
    if (free > 0) {
      await startPage(free);
      continue;
    }
    await condition(() => false, pollMs);
  }
}

/**
 * Contacts as child workflows of the feed (abandoned when it closes): a child's end wakes the
 * feed at once, so no polling, but every start and end is in the feed's own history, which
 * continues as new when the server suggests it.
 */
export async function childFeed(n: number, width: number, startedBefore = 0): Promise<void> {
  let started = startedBefore;
  let running = 0;
  const { workflowId } = workflowInfo();
  const ends: Promise<void>[] = [];
  while (started < n) {
    await condition(() => running < width);
    // A new run cannot hear its predecessor's children end: it waits for them first.
    if (workflowInfo().continueAsNewSuggested) break;
    const i = started++;
    running++;
    const child = await startChild(feedContact, {
      workflowId: `${workflowId}-${i}`, parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    ends.push(child.result().finally(() => void running--));
  }
  await Promise.all(ends);
  if (started < n) return continueAsNew<typeof childFeed>(n, width, started);
}
