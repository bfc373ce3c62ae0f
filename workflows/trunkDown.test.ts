import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import type { TrunkDownDetails } from '../activities/call';
import type { ContactResult } from '../domain/types';
import { contactWorkflow } from './contactWorkflow';
import { answered, contactPlan, ended, phone, scriptedContactActivities, type ContactScript, type ContactSeen } from './testing/fakeActivities';
import { useSkippingWorld } from './testing/skippingWorld';

// A call the trunk did not carry (the call activity's TrunkDownError: the trunk offline, no
// channel, the carrier refusing us) is no attempt: the contact records nothing, asks no
// strategy, waits as the activity said and calls again. The real trunk, Asterisk and SIPp:
// test/trunk/deadTrunkCampaign.test.ts.

jest.setTimeout(60_000);

const world = useSkippingWorld();
const clock = () => world.env.currentTimeMs();

/** The failure the call activity throws when the trunk carried nothing (activities/call.ts). */
function trunkDown(reason: TrunkDownDetails['reason'], retryAfterMs: number, sipCode: number | null = null): Error {
  const details: TrunkDownDetails = { trunk: 'PJSIP/carrier', reason, retryAfterMs, sipCode };
  return ApplicationFailure.create({ type: 'TrunkDownError', message: `trunk down: ${reason} (test)`, nonRetryable: true, details: [details] });
}

async function runContact(script: ContactScript): Promise<{ result: ContactResult; seen: ContactSeen }> {
  const { activities, seen } = scriptedContactActivities(clock, script);
  const taskQueue = `trunk-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({ connection: world.env.nativeConnection, taskQueue, workflowBundle: world.bundle, activities });
  const result = await worker.runUntil(world.env.client.workflow.execute(contactWorkflow, {
    taskQueue, workflowId: `contact/unit/${randomBytes(4).toString('hex')}`, args: [{ campaignId: 'c-unit', contactId: 42 }],
  }));
  return { result, seen };
}

test('an offline trunk: no attempt is recorded, the contact waits as told and calls again', async () => {
  const { result, seen } = await runContact({ call: [trunkDown('offline', 20_000), trunkDown('offline', 40_000), answered] });
  expect(result).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
  expect(seen.call).toHaveLength(3);
  // Only the answered call is recorded: the trunk's failures are nobody's attempt.
  expect(seen.record.map((r) => r.args.result.outcome)).toEqual(['answered']);
  expect(seen.record[0].args.numberAttempt).toBe(1);
  expect(seen.call[1].atMs - seen.call[0].atMs).toBeGreaterThanOrEqual(20_000);
  expect(seen.call[2].atMs - seen.call[1].atMs).toBeGreaterThanOrEqual(40_000);
  // The gate speaks again before every call.
  expect(seen.order.filter((n) => n === 'gate' || n === 'call')).toEqual(['gate', 'call', 'gate', 'call', 'gate', 'call']);
});

test('a number the carrier refuses again and again is left for the next one, without an attempt', async () => {
  const plan = contactPlan({ phones: [phone(1, '+79160000001'), phone(2, '+79160000002')] });
  const { result, seen } = await runContact({
    plan: [plan],
    call: [...Array.from({ length: 5 }, () => trunkDown('refused', 60_000, 403)), answered],
  });
  expect(result).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
  expect(seen.call.map((c) => c.args.e164)).toEqual([...Array(5).fill('+79160000001'), '+79160000002']);
  expect(seen.record).toHaveLength(1);
});

test('603 declined is an attempt that counts, like busy', async () => {
  const { result, seen } = await runContact({ call: [ended('declined'), answered] });
  expect(result).toMatchObject({ state: 'done', outcome: 'answered', attempts: 2 });
  expect(seen.record.map((r) => [r.args.result.outcome, r.args.numberAttempt])).toEqual([['declined', 1], ['answered', 2]]);
});
