import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';

// The bare feed's activities: no Postgres, the counts held in this process.

export interface FeedActivities {
  load(): Promise<void>;
  call(): Promise<void>;
  contactDone(): Promise<void>;
  feedCounts(): Promise<{ started: number; done: number }>;
  startPage(count: number): Promise<void>;
}

const START_CONCURRENCY = 16; // as activities/campaignFeed.ts starts a page

export function feedActivities(client: Client, taskQueue: string): FeedActivities & { reset(): void; doneCount(): number } {
  let started = 0;
  let done = 0;
  return {
    reset: () => { started = 0; done = 0; },
    doneCount: () => done,
    load: async () => {},
    call: async () => {},
    contactDone: async () => { done++; },
    feedCounts: async () => ({ started, done }),
    startPage: async (count) => {
      const feedId = Context.current().info.workflowExecution?.workflowId ?? 'feed';
      const first = started;
      started += count;
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, count) }, async () => {
        while (next < count) {
          const i = first + next++;
          await client.workflow.start('feedContact', { taskQueue, workflowId: `${feedId}-${i}`, args: [] });
        }
      }));
    },
  };
}
