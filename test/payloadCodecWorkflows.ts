import { proxyActivities } from '@temporalio/workflow';

// A workflow for test/payloadCodec.test.ts: its activity fails with a message that quotes a
// number, as an ARI error quoting an endpoint would.

const { failLoudly } = proxyActivities<{ failLoudly(e164: string): Promise<void> }>({
  startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 1 },
});

export async function failingCall(e164: string): Promise<void> {
  await failLoudly(e164);
}
