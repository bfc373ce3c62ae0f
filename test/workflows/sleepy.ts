import { sleep } from '@temporalio/workflow';

// The workflow of test/timeSkipping.test.ts, which tests the test server's wrapper itself (the
// product's own workflows are tested with time skipping in workflows/*.test.ts): timers of days that the time-skipping test server
// fires at once. Bundled by the worker from this file (workflowsPath), so only
// @temporalio/workflow and types may be imported here.

export interface SleepyResult {
  greeting: string;
  sleptDays: number;
}

/** Sleeps three days, then answers with data that depends only on its input. */
export async function sleepyWorkflow(name: string): Promise<SleepyResult> {
  await sleep('3 days');
  return { greeting: `good morning, ${name}`, sleptDays: 3 };
}
