import { condition, defineSignal, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type * as activities from './activities';

// A woken contact's shape with no work in it: it waits for a signal, then runs two local
// activities (the plan read again, the gate). The bare server's rate for it is the ceiling of
// the wake-up (bench/campaignControl.ts).

const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '15 seconds' });

export const wake = defineSignal('wake');

export async function bareWokenShape(): Promise<void> {
  let woken = false;
  setHandler(wake, () => void (woken = true));
  await condition(() => woken);
  await local.load();
  await local.gate();
}
