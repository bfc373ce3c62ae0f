import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { useSkippingWorld } from './testing/skippingWorld';
import { contactWorkflow } from './contactWorkflow';
import { answered, contactPlan, ended, phone, scriptedContactActivities, type ContactScript, type ContactSeen } from './testing/fakeActivities';
import type { ContactResult } from '../domain/types';

// The contact workflow deciding with the campaign's strategy from the registry (byOutcome),
// on Temporal's time-skipping test server with fake activities.

jest.setTimeout(60_000);

const world = useSkippingWorld();

async function runContact(script: ContactScript): Promise<{ result: ContactResult; seen: ContactSeen }> {
  const { activities, seen } = scriptedContactActivities(() => world.env.currentTimeMs(), script);
  const taskQueue = `strategy-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({ connection: world.env.nativeConnection, taskQueue, workflowBundle: world.bundle, activities });
  return worker.runUntil(async () => {
    const handle = await world.env.client.workflow.start(contactWorkflow, {
      taskQueue, workflowId: `contact/strategy/${randomBytes(4).toString('hex')}`, args: [{ campaignId: 'c-unit', contactId: 42 }],
    });
    try {
      return { result: await handle.result(), seen };
    } finally {
      await handle.terminate('test over').catch(() => undefined);
    }
  });
}

const MOBILE = '+79160000001';
const HOME = '+74950000002';

/** A mobile number first, then a home number; byOutcome with a faster retry for mobiles. */
const plan = (params: Record<string, unknown>) => contactPlan({
  phones: [{ ...phone(1, MOBILE), kind: 'mobile' }, { ...phone(2, HOME), kind: 'home' }],
  strategyChoice: { name: 'byOutcome', version: 1, params },
});

/**
 * Checks the calls' moments: each call comes `gapsSeconds[i]` after the one before it. The
 * server skips straight to each timer, so a call is never early; the activities' own wall-clock
 * time (a few ms, more on a loaded machine) may make it up to a few seconds late.
 */
function expectCallGaps(seen: ContactSeen, gapsSeconds: number[]): void {
  expect(seen.call).toHaveLength(gapsSeconds.length + 1);
  gapsSeconds.forEach((gap, i) => {
    const actual = seen.call[i + 1].atMs - seen.call[i].atMs;
    expect(actual).toBeGreaterThanOrEqual(gap * 1000);
    expect(actual).toBeLessThan(gap * 1000 + 5_000);
  });
}

describe('byOutcome in the contact workflow', () => {
  test('busy, busy, no answer on the mobile, then the home number answers: at the strategy\'s moments, each behind a gate', async () => {
    const { result, seen } = await runContact({
      plan: [plan({
        busy: { retries: 2, intervalSeconds: 300 },
        no_answer: { retries: 0, intervalSeconds: 7200, nextNumber: true },
        intervalByKind: { mobile: 600 },
      })],
      call: [ended('busy'), ended('busy'), ended('no_answer'), answered],
    });
    expect(seen.call.map((c) => c.args.e164)).toEqual([MOBILE, MOBILE, MOBILE, HOME]);
    // The mobile's 10 minutes override busy's 5; no answer moves on at once.
    expectCallGaps(seen, [600, 600, 0]);
    // The gate before every call: a strategy only says when.
    const steps = seen.order.filter((s) => s === 'gate' || s === 'call');
    steps.forEach((s, i) => { if (s === 'call') expect(steps[i - 1]).toBe('gate'); });
    for (const call of seen.call) {
      const gateBefore = seen.gate.filter((g) => g.atMs <= call.atMs).pop();
      expect(gateBefore?.args.e164).toBe(call.args.e164);
    }
    expect(seen.record.map((r) => [r.args.phonePosition, r.args.numberAttempt, r.args.result.outcome])).toEqual([
      [1, 1, 'busy'], [1, 2, 'busy'], [1, 3, 'no_answer'], [2, 1, 'answered'],
    ]);
    expect(result).toEqual({
      contactId: 42, state: 'done', outcome: 'answered', attempts: 4,
      perNumber: [{ position: 1, attempts: 3, lastOutcome: 'no_answer' }, { position: 2, attempts: 1, lastOutcome: 'answered' }],
    });
  });

  test('gives the contact up at its limit of attempts, with numbers left', async () => {
    const { result, seen } = await runContact({
      plan: [plan({ busy: { retries: 5, intervalSeconds: 60 }, maxAttemptsPerContact: 2 })],
      call: [ended('busy')],
    });
    expectCallGaps(seen, [60]);
    expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'failed', outcome: 'busy' }]);
    expect(result).toMatchObject({ state: 'failed', attempts: 2 });
  });

  test('gives the contact up when an outcome says not to move on', async () => {
    const { result, seen } = await runContact({
      plan: [plan({ no_answer: { retries: 1, intervalSeconds: 3600, nextNumber: false } })],
      call: [ended('no_answer')],
    });
    expect(seen.call.map((c) => c.args.e164)).toEqual([MOBILE, MOBILE]);
    expectCallGaps(seen, [3600]);
    expect(result).toMatchObject({ state: 'failed', outcome: 'no_answer', attempts: 2 });
  });

  test('a hand-over no channel delivers yet ends the contact failed with the last outcome, numbers left or not', async () => {
    // Campaigns whose strategy could hand over are refused at creation; a plan saying so anyway
    // (settings that predate the refusal) must not hang or call on.
    const { result, seen } = await runContact({
      plan: [plan({ busy: { retries: 1, intervalSeconds: 60, then: 'handover_sms' } })],
      call: [ended('busy')],
    });
    expect(seen.call.map((c) => c.args.e164)).toEqual([MOBILE, MOBILE]);
    expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'failed', outcome: 'busy' }]);
    expect(result).toMatchObject({ state: 'failed', outcome: 'busy', attempts: 2 });
  });
});
