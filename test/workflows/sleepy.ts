import { proxyActivities, sleep } from '@temporalio/workflow';

// Workflows for test/timeSkipping.test.ts: timers of days that the time-skipping test server
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

export interface OrderActivities {
  /** Takes as long as the test wants (in server time: it calls `env.sleep`). */
  processOrder(orderId: string): Promise<string>;
  sendReminder(orderId: string): Promise<void>;
}

const { processOrder, sendReminder } = proxyActivities<OrderActivities>({
  startToCloseTimeout: '7 days',
});

export interface OrderResult {
  status: string;
  reminded: boolean;
}

/**
 * Processes an order; if that takes longer than a day, sends one reminder and keeps waiting
 * (the timer-reminder pattern of Temporal's timer examples).
 */
export async function slowOrderWorkflow(orderId: string): Promise<OrderResult> {
  let processing = true;
  const processed = processOrder(orderId).finally(() => {
    processing = false;
  });
  await Promise.race([processed, sleep('1 day')]);
  let reminded = false;
  if (processing) {
    await sendReminder(orderId);
    reminded = true;
  }
  return { status: await processed, reminded };
}
