import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { useSkippingWorld } from './testing/skippingWorld';
import { ContactNotFoundError } from '../activities/plan';
import { contactWorkflow } from './contactWorkflow';
import { campaignChangedSignal, campaignResumedSignal, contactProgressQuery, type ContactProgress } from './signals';
import {
  ALWAYS_OPEN, PREPARED, allow, prepareFails, allowedAt, answered, contactPlan, ended, lastCheckRefuses, phone, refuse, refusedAt,
  scriptedContactActivities,
  type ContactScript, type ContactSeen,
} from './testing/fakeActivities';
import type { ContactResult } from '../domain/types';

// The contact workflow's real code on Temporal's time-skipping test server, with fake
// activities: the branches the integration tests on Postgres and the simulator do not reach
// (pauses, stops, an expired schedule, a crashed call activity, refusals, a missing contact).

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The workflow's re-check interval of a paused contact (PAUSE_RECHECK). */
const PAUSE_RECHECK_MS = 5 * MINUTE;

jest.setTimeout(60_000);

const world = useSkippingWorld();

const clock = () => world.env.currentTimeMs();

type ContactHandle = WorkflowHandleWithFirstExecutionRunId<typeof contactWorkflow>;

/**
 * Runs `fn` with a worker of the real workflows and the scripted activities on a queue of its
 * own; `start` starts contact 42 there.
 */
async function withWorker<T>(
  script: ContactScript, fn: (start: () => Promise<ContactHandle>, seen: ContactSeen) => Promise<T>,
): Promise<T> {
  const { activities, seen } = scriptedContactActivities(clock, script);
  const taskQueue = `contact-${randomBytes(4).toString('hex')}`;
  const started: ContactHandle[] = [];
  const start = async () => {
    const handle = await world.env.client.workflow.start(contactWorkflow, {
      taskQueue, workflowId: `contact/unit/${randomBytes(4).toString('hex')}`, args: [{ campaignId: 'c-unit', contactId: 42 }],
    });
    started.push(handle);
    return handle;
  };
  const worker = await Worker.create({ connection: world.env.nativeConnection, taskQueue, workflowBundle: world.bundle, activities });
  try {
    return await worker.runUntil(fn(start, seen));
  } finally {
    // A contact a failed test leaves running would, at its next timer, hold a workflow task no
    // worker takes, and the server stops skipping time for every test after it.
    await Promise.all(started.map((h) => h.terminate('test over').catch(() => undefined)));
  }
}

/** Runs one contact to its end; returns its result and what the activities saw. */
async function runContact(script: ContactScript): Promise<{ result: ContactResult; seen: ContactSeen }> {
  return withWorker(script, async (start, seen) => ({ result: await (await start()).result(), seen }));
}

/** Polls the contact's progress (wall clock; time skipping is locked meanwhile) until `done` says yes. */
async function progressUntil(handle: ContactHandle, done: (p: ContactProgress) => boolean): Promise<ContactProgress> {
  let progress = await handle.query(contactProgressQuery);
  for (let i = 0; i < 400 && !done(progress); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    progress = await handle.query(contactProgressQuery);
  }
  return progress;
}

/** What `p` settled with (its value or its error), or 'still running' after `ms` of wall-clock time. */
async function settledWithin(ms: number, p: Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => { timer = setTimeout(resolve, ms, 'still running'); });
  try {
    return await Promise.race([p.catch((e: unknown) => e), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first ApplicationFailure down an error's cause chain. */
function applicationFailureIn(err: unknown): ApplicationFailure | undefined {
  for (let e = err; e instanceof Error; e = e.cause) if (e instanceof ApplicationFailure) return e;
  return undefined;
}

describe('the contact workflow with fake activities', () => {
  test('the happy path runs plan, gate, prepareMessage, call, record, finish once each', async () => {
    const { result, seen } = await runContact({});
    expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
    expect(seen.call[0].args).toMatchObject({ seq: 1, e164: '+79160000001', media: PREPARED.media, callerId: '+74950000000' });
    expect(seen.record[0].args).toMatchObject({ seq: 1, numberAttempt: 1, messageText: null, preparedId: PREPARED.preparedId, result: { outcome: 'answered' } });
    expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'done', outcome: 'answered' }]);
    expect(result).toEqual({
      contactId: 42, state: 'done', outcome: 'answered', attempts: 1,
      perNumber: [{ position: 1, attempts: 1, lastOutcome: 'answered' }],
    });
  });

  describe('a paused campaign', () => {
    test('waits without calling or recording, and asks the gate again as soon as it is resumed', async () => {
      await withWorker({ gate: [refuse('campaign_paused'), allow] }, async (start, seen) => {
        const handle = await start();
        // Time skipping is locked until the result is awaited: the 5-minute re-check cannot fire
        // while the test looks, so only the signal can wake the contact.
        let step = '';
        for (let i = 0; i < 200 && step !== 'paused'; i++) {
          step = (await handle.query(contactProgressQuery)).step;
          if (step !== 'paused') await new Promise((resolve) => setTimeout(resolve, 25));
        }
        expect(step).toBe('paused');
        expect(seen.order).toEqual(['plan', 'gate']);

        await handle.signal(campaignResumedSignal);
        const result = await handle.result();

        expect(seen.order).toEqual(['plan', 'gate', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
        // Woken by the signal, not by the re-check timer.
        expect(seen.gate[1].atMs - seen.gate[0].atMs).toBeLessThan(PAUSE_RECHECK_MS);
        // The only row is the call's: a pause leaves none.
        expect(seen.record.map((r) => r.args.result.outcome)).toEqual(['answered']);
        expect(result).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
      });
    });

    test('without a resume signal it asks the gate again after the re-check interval', async () => {
      const { result, seen } = await runContact({ gate: [refuse('campaign_paused'), refuse('campaign_paused'), allow] });
      expect(seen.order).toEqual(['plan', 'gate', 'gate', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
      for (const [a, b] of [[0, 1], [1, 2]]) {
        const waited = seen.gate[b].atMs - seen.gate[a].atMs;
        expect(waited).toBeGreaterThanOrEqual(PAUSE_RECHECK_MS);
        expect(waited).toBeLessThan(PAUSE_RECHECK_MS + MINUTE);
      }
      expect(seen.record).toHaveLength(1);
      expect(result).toMatchObject({ state: 'done', attempts: 1 });
    });
  });

  test('a stopped campaign cancels the contact without a call, leaving the refusal as proof', async () => {
    const { result, seen } = await runContact({ gate: [refuse('campaign_stopped')] });
    expect(seen.order).toEqual(['plan', 'gate', 'record', 'finish']);
    expect(seen.record[0].args).toMatchObject({
      seq: 1, numberAttempt: 0, messageText: null,
      result: { outcome: 'refused', channelId: null, gate: { allowed: false, refusal: 'campaign_stopped' } },
    });
    expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'cancelled', outcome: null }]);
    expect(result).toEqual({
      contactId: 42, state: 'cancelled', outcome: null, attempts: 0, perNumber: [{ position: 1, attempts: 0, lastOutcome: null }],
    });
  });

  test('a schedule with no allowed moment left (the end date passed) expires the contact without a call', async () => {
    const { result, seen } = await runContact({
      plan: [contactPlan({ schedule: { ...ALWAYS_OPEN, startDate: '1999-12-01', endDate: '2000-01-01' } })],
    });
    expect(seen.order).toEqual(['plan', 'gate', 'finish']);
    expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'expired', outcome: null }]);
    expect(result).toMatchObject({ state: 'expired', outcome: null, attempts: 0 });
  });

  // Number 1's candidate zones (Kaliningrad and Kamchatka, 10 hours apart) share no hour of a
  // 09:00-18:00 window, so it can never be called; number 2 in Moscow can. The same holds near
  // the end date, when the date has passed in the first number's zone but not the next one's.
  test('a number with no allowed moment is skipped: the next number is called, not the contact expired', async () => {
    const { result, seen } = await runContact({
      plan: [contactPlan({
        phones: [phone(1, '+79140000001', ['Europe/Kaliningrad', 'Asia/Kamchatka']), phone(2, '+79160000002')],
        schedule: { ...ALWAYS_OPEN, window: { start: '09:00', end: '18:00' } },
      })],
    });
    expect(seen.call.map((c) => c.args.e164)).toEqual(['+79160000002']);
    expect(result).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
  });

  test('a call activity that throws is a failed attempt, recorded with the call_activity check, retried after the interval', async () => {
    const { result, seen } = await runContact({
      plan: [contactPlan({ strategy: { maxAttemptsPerNumber: 3, retryIntervalSeconds: 1800, machineAction: 'hang_up' } })],
      call: [new Error('ARI is not answering'), answered],
    });
    // The retry waits after a gate, like every wait, and the gate speaks again when it ends.
    expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'call', 'record', 'gate', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
    expect(seen.gate[1].atMs - seen.call[0].atMs).toBeLessThan(MINUTE);
    const [failed, second] = seen.record.map((r) => r.args);
    expect(failed).toMatchObject({
      seq: 1, numberAttempt: 1, messageText: null, preparedId: PREPARED.preparedId,
      result: { outcome: 'failed', channelId: seen.call[0].args.channelId, hangupCause: null, answeredAt: null },
    });
    expect(failed.result.gate).toMatchObject({ allowed: true });
    expect(failed.result.gate.checks).toContainEqual({ rule: 'call_activity', passed: false, detail: 'ARI is not answering' });
    // The gate's own checks are kept in front of it: the proof is whole.
    expect(failed.result.gate.checks).toContainEqual({ rule: 'campaign_running', passed: true });
    expect(second).toMatchObject({ seq: 2, numberAttempt: 2, result: { outcome: 'answered' } });
    // A fresh channel id each attempt: Asterisk would refuse a reused one.
    expect(seen.call[1].args.channelId).not.toBe(seen.call[0].args.channelId);

    const retriedAfter = seen.call[1].atMs - seen.call[0].atMs;
    expect(retriedAfter).toBeGreaterThanOrEqual(1800_000);
    expect(retriedAfter).toBeLessThan(1800_000 + MINUTE);
    // The message is prepared before every attempt (its audio may have left the cache since);
    // the old local prepare is never asked.
    expect(seen.prepareMessage).toHaveLength(2);
    expect(seen.prepare).toHaveLength(0);
    expect(result).toEqual({
      contactId: 42, state: 'done', outcome: 'answered', attempts: 2,
      perNumber: [{ position: 1, attempts: 2, lastOutcome: 'answered' }],
    });
  });

  test('a call activity that keeps throwing uses up the attempts and the contact fails', async () => {
    const { result, seen } = await runContact({ call: [new Error('ARI is not answering')] });
    expect(seen.call).toHaveLength(2); // maxAttemptsPerNumber of contactPlan()
    expect(seen.record.map((r) => [r.args.numberAttempt, r.args.result.outcome])).toEqual([[1, 'failed'], [2, 'failed']]);
    expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'failed', outcome: 'failed' }]);
    expect(result).toMatchObject({ state: 'failed', outcome: 'failed', attempts: 2 });
  });

  describe('blacklisted numbers', () => {
    const two = [phone(1, '+79160000001'), phone(2, '+79160000002', ['Asia/Yekaterinburg'])];

    test('all numbers refused: the contact is blacklisted, each refusal recorded, nothing called', async () => {
      const { result, seen } = await runContact({ plan: [contactPlan({ phones: two })], gate: [refuse('blacklisted')] });
      expect(seen.order).toEqual(['plan', 'gate', 'record', 'gate', 'record', 'finish']);
      expect(seen.gate.map((g) => g.args)).toEqual([
        { campaignId: 'c-unit', contactId: 42, e164: '+79160000001', zones: ['Europe/Moscow'] },
        { campaignId: 'c-unit', contactId: 42, e164: '+79160000002', zones: ['Asia/Yekaterinburg'] },
      ]);
      expect(seen.record.map((r) => r.args)).toEqual([
        expect.objectContaining({ seq: 1, phonePosition: 1, numberAttempt: 0, result: expect.objectContaining({ outcome: 'refused' }) }),
        expect.objectContaining({ seq: 2, phonePosition: 2, numberAttempt: 0, result: expect.objectContaining({ outcome: 'refused' }) }),
      ]);
      expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'blacklisted', outcome: null }]);
      expect(result).toEqual({
        contactId: 42, state: 'blacklisted', outcome: null, attempts: 0,
        perNumber: [{ position: 1, attempts: 0, lastOutcome: null }, { position: 2, attempts: 0, lastOutcome: null }],
      });
    });

    test('one of two refused: the contact moves on to the next number and reaches it', async () => {
      const { result, seen } = await runContact({
        plan: [contactPlan({ phones: two })],
        gate: [(q, atMs) => (q.e164 === '+79160000001' ? refusedAt('blacklisted', atMs) : allowedAt(atMs))],
      });
      expect(seen.order).toEqual(['plan', 'gate', 'record', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
      expect(seen.call.map((c) => c.args.e164)).toEqual(['+79160000002']);
      expect(seen.record.map((r) => [r.args.seq, r.args.phonePosition, r.args.numberAttempt, r.args.result.outcome])).toEqual([
        [1, 1, 0, 'refused'], [2, 2, 1, 'answered'],
      ]);
      expect(result).toEqual({
        contactId: 42, state: 'done', outcome: 'answered', attempts: 1,
        perNumber: [{ position: 1, attempts: 0, lastOutcome: null }, { position: 2, attempts: 1, lastOutcome: 'answered' }],
      });
    });

    test('all numbers refused, not all by the blacklist: the contact ends refused, each rule in its proof', async () => {
      const { result, seen } = await runContact({
        plan: [contactPlan({ phones: two })],
        gate: [(q, atMs) => refusedAt(q.e164 === '+79160000001' ? 'blacklisted' : 'no_consent', atMs)],
      });
      expect(seen.record.map((r) => (r.args.result.gate as { refusal: string }).refusal)).toEqual(['blacklisted', 'no_consent']);
      expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'refused', outcome: null }]);
      expect(result).toMatchObject({ state: 'refused', outcome: null, attempts: 0 });
    });

    test("the call's last check finds the number on the refusal list: the contact ends refused", async () => {
      const { result, seen } = await runContact({ call: [lastCheckRefuses('mass_call_refused')] });
      expect(seen.call).toHaveLength(1);
      expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'refused', outcome: null }]);
      expect(result).toMatchObject({ state: 'refused', attempts: 0 });
    });

    test('a number the call step blacklists (invalid) is not a blacklisted contact: it fails', async () => {
      const { result } = await runContact({ call: [ended('invalid_number')] });
      expect(result).toMatchObject({ state: 'failed', outcome: 'invalid_number', attempts: 1 });
    });
  });

  test("the call's last check refuses: recorded, not an attempt, and the gate is asked again at retryAt", async () => {
    const { result, seen } = await runContact({ call: [lastCheckRefuses('cap_reached', 2 * HOUR), answered] });
    expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'call', 'record', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
    const [refused, reached] = seen.record.map((r) => r.args);
    expect(refused).toMatchObject({
      seq: 1, numberAttempt: 0, messageText: null,
      result: { outcome: 'refused', channelId: null, gate: { allowed: false, refusal: 'cap_reached' } },
    });
    expect(reached).toMatchObject({ seq: 2, numberAttempt: 1, messageText: null, preparedId: PREPARED.preparedId, result: { outcome: 'answered' } });

    const retryAt = Date.parse((refused.result.gate as { retryAt: string }).retryAt);
    expect(seen.gate[1].atMs).toBeGreaterThanOrEqual(retryAt);
    expect(seen.gate[1].atMs).toBeLessThan(retryAt + MINUTE);
    expect(result).toEqual({
      contactId: 42, state: 'done', outcome: 'answered', attempts: 1,
      perNumber: [{ position: 1, attempts: 1, lastOutcome: 'answered' }],
    });
  });

  // A change of the campaign (resumed, stopped, edited) reaches a contact whatever it waits for:
  // it re-reads its plan and asks the gate again at once (adapters/temporal/campaignControl.ts).
  describe('woken by a change of the campaign', () => {
    const DAY = 24 * HOUR;
    /** Closed until a month from the test server's now: the contact sleeps until then. */
    const closedForAMonth = async () => contactPlan({
      schedule: { ...ALWAYS_OPEN, startDate: new Date((await clock()) + 30 * DAY).toISOString().slice(0, 10) },
    });

    test('a contact asleep until its hours re-plans, asks the gate, and calls under the new hours at once', async () => {
      const closed = await closedForAMonth();
      await withWorker({ plan: [closed, contactPlan()] }, async (start, seen) => {
        const handle = await start();
        const asleep = await progressUntil(handle, (p) => p.step === 'wait');
        expect(asleep.step).toBe('wait');
        // Asleep until the old opening, a month away.
        expect(Date.parse(asleep.sleepingUntil!) - seen.gate[0].atMs).toBeGreaterThan(28 * DAY);
        expect(seen.order).toEqual(['plan', 'gate']);

        await handle.signal(campaignChangedSignal);
        const result = await handle.result();

        expect(seen.order).toEqual(['plan', 'gate', 'plan', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
        // Called without waiting for the old opening.
        expect(seen.call[0].atMs - seen.gate[0].atMs).toBeLessThan(MINUTE);
        expect(result).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
      });
    });

    test('a paused contact asks the gate again at once (after reading its plan)', async () => {
      await withWorker({ gate: [refuse('campaign_paused'), allow] }, async (start, seen) => {
        const handle = await start();
        expect((await progressUntil(handle, (p) => p.step === 'paused')).step).toBe('paused');
        expect(seen.order).toEqual(['plan', 'gate']);

        await handle.signal(campaignChangedSignal);
        const result = await handle.result();

        expect(seen.order).toEqual(['plan', 'gate', 'plan', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
        expect(seen.gate[1].atMs - seen.gate[0].atMs).toBeLessThan(MINUTE);
        expect(result).toMatchObject({ state: 'done', attempts: 1 });
      });
    });

    test('a contact waiting for a retry, woken by a stop, ends cancelled at its next gate, not after the interval', async () => {
      const script: ContactScript = {
        plan: [contactPlan({ strategy: { maxAttemptsPerNumber: 3, retryIntervalSeconds: 3600, machineAction: 'hang_up' } })],
        gate: [allow, allow, refuse('campaign_stopped')],
        call: [ended('busy')],
      };
      await withWorker(script, async (start, seen) => {
        const handle = await start();
        const waiting = await progressUntil(handle, (p) => p.step === 'wait' && p.attempts === 1);
        expect(waiting).toMatchObject({ step: 'wait', attempts: 1, lastOutcome: 'busy' });

        await handle.signal(campaignChangedSignal);
        const result = await handle.result();

        expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'call', 'record', 'gate', 'plan', 'gate', 'record', 'finish']);
        expect(seen.record[1].args.result).toMatchObject({ outcome: 'refused', gate: { refusal: 'campaign_stopped' } });
        expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'cancelled', outcome: null }]);
        expect(seen.finish[0].atMs - seen.call[0].atMs).toBeLessThan(MINUTE);
        expect(result).toMatchObject({ state: 'cancelled', attempts: 1 });
      });
    });

    test('a shorter retry interval moves a sleeping retry: it calls at the new moment', async () => {
      const strategy = (retryIntervalSeconds: number) => ({ maxAttemptsPerNumber: 3, retryIntervalSeconds, machineAction: 'hang_up' as const });
      const script: ContactScript = {
        plan: [contactPlan({ strategy: strategy(3600) }), contactPlan({ strategy: strategy(120) })],
        call: [ended('busy'), answered],
      };
      await withWorker(script, async (start, seen) => {
        const handle = await start();
        await progressUntil(handle, (p) => p.step === 'wait' && p.attempts === 1);
        await handle.signal(campaignChangedSignal);
        const result = await handle.result();

        expect(seen.plan).toHaveLength(2);
        const retriedAfter = seen.call[1].atMs - seen.call[0].atMs;
        expect(retriedAfter).toBeGreaterThanOrEqual(120_000);
        expect(retriedAfter).toBeLessThan(HOUR);
        expect(result).toMatchObject({ state: 'done', outcome: 'answered', attempts: 2 });
      });
    });

    test('fewer attempts allowed: a number waiting for a retry it no longer has is given up', async () => {
      const strategy = (maxAttemptsPerNumber: number) => ({ maxAttemptsPerNumber, retryIntervalSeconds: 3600, machineAction: 'hang_up' as const });
      const script: ContactScript = {
        plan: [contactPlan({ strategy: strategy(3) }), contactPlan({ strategy: strategy(1) })],
        call: [ended('no_answer')],
      };
      await withWorker(script, async (start, seen) => {
        const handle = await start();
        await progressUntil(handle, (p) => p.step === 'wait' && p.attempts === 1);
        await handle.signal(campaignChangedSignal);
        const result = await handle.result();

        expect(seen.call).toHaveLength(1);
        expect(seen.finish[0].atMs - seen.call[0].atMs).toBeLessThan(MINUTE);
        expect(result).toMatchObject({ state: 'failed', outcome: 'no_answer', attempts: 1 });
      });
    });
  });

  // The prepare step makes the message into audio before every attempt; a speech outage or a
  // refused request must never become a call without its message.
  describe('the prepare step', () => {
    test('runs before the call activity (which takes the channel) and hands it media references only', async () => {
      const { seen } = await runContact({});
      expect(seen.prepareMessage.map((p) => p.args)).toEqual([{ campaignId: 'c-unit', contactId: 42, templateId: 7, templateVersion: 1 }]);
      expect(seen.order.indexOf('prepareMessage')).toBeLessThan(seen.order.indexOf('call'));
      expect(seen.call[0].args.media).toEqual(PREPARED.media);
    });

    test('a refused request (401) places no call and spends no attempt: the contact waits, names it, and tries again', async () => {
      const { result, seen } = await runContact({
        prepared: [prepareFails('SpeechRejectedError', 'SpeechRejectedError 401'), PREPARED],
      });
      expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'speechFailed', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
      expect(seen.speechFailed.map((f) => f.args)).toEqual([{ campaignId: 'c-unit', contactId: 42, detail: 'SpeechRejectedError 401' }]);
      // Not retried by Temporal: the second prepare comes after the re-check wait.
      const waited = seen.prepareMessage[1].atMs - seen.prepareMessage[0].atMs;
      expect(waited).toBeGreaterThanOrEqual(PAUSE_RECHECK_MS);
      expect(waited).toBeLessThan(PAUSE_RECHECK_MS + MINUTE);
      expect(seen.record.map((r) => [r.args.seq, r.args.numberAttempt, r.args.result.outcome])).toEqual([[1, 1, 'answered']]);
      expect(result).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
    });

    test('while the key stays refused, nothing is ever dialled; a change of the campaign wakes the wait at once', async () => {
      await withWorker({ prepared: [prepareFails('SpeechRejectedError', 'SpeechRejectedError 401'), prepareFails('SpeechRejectedError', 'SpeechRejectedError 401'), PREPARED] }, async (start, seen) => {
        const handle = await start();
        expect((await progressUntil(handle, (p) => p.step === 'wait' && seen.speechFailed.length === 1)).step).toBe('wait');
        expect(seen.call).toHaveLength(0);
        await handle.signal(campaignChangedSignal);
        const result = await handle.result();
        // Woken by the change: the plan is read again, the gate asked, prepare tried (refused once more, then a re-check later).
        expect(seen.order).toEqual([
          'plan', 'gate', 'prepareMessage', 'speechFailed', 'plan', 'gate', 'prepareMessage', 'speechFailed', 'gate', 'prepareMessage', 'call', 'record', 'finish',
        ]);
        expect(seen.prepareMessage[1].atMs - seen.prepareMessage[0].atMs).toBeLessThan(MINUTE);
        expect(result).toMatchObject({ state: 'done', attempts: 1 });
      });
    });

    test('a contact lacking a variable waits too (named in the wait), and is not retried by Temporal', async () => {
      const { seen } = await runContact({ prepared: [prepareFails('TemplateVariableError', 'TemplateVariableError BALANCE'), PREPARED] });
      expect(seen.speechFailed.map((f) => f.args.detail)).toEqual(['TemplateVariableError BALANCE']);
      expect(seen.prepareMessage[1].atMs - seen.prepareMessage[0].atMs).toBeGreaterThanOrEqual(PAUSE_RECHECK_MS);
    });

    test('an unavailable service (429, 5xx) is retried by Temporal with backoff, and the contact is called', async () => {
      const { result, seen } = await runContact({
        prepared: [prepareFails('SpeechUnavailableError', 'SpeechUnavailableError 429'), prepareFails('SpeechUnavailableError', 'SpeechUnavailableError 503'), PREPARED],
      });
      expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'prepareMessage', 'prepareMessage', 'call', 'record', 'finish']);
      const [a, b, c] = seen.prepareMessage.map((p) => p.atMs);
      // initialInterval 1 s, backoff 2
      expect(b - a).toBeGreaterThanOrEqual(1000);
      expect(c - b).toBeGreaterThanOrEqual(2000);
      expect(c - a).toBeLessThan(MINUTE);
      expect(seen.speechFailed).toHaveLength(0);
      expect(result).toMatchObject({ state: 'done', attempts: 1 });
    });

    test('an outage longer than the retries makes the contact wait (named), then it tries again', async () => {
      const down = prepareFails('SpeechUnavailableError', 'SpeechUnavailableError 503');
      const { result, seen } = await runContact({ prepared: [...Array(10).fill(down), PREPARED] });
      expect(seen.prepareMessage).toHaveLength(11);
      expect(seen.speechFailed.map((f) => f.args.detail)).toEqual(['SpeechUnavailableError 503']);
      expect(seen.call).toHaveLength(1);
      expect(seen.call[0].atMs).toBeGreaterThan(seen.prepareMessage[9].atMs + PAUSE_RECHECK_MS - 1);
      expect(result).toMatchObject({ state: 'done', attempts: 1 });
    });

    test('a contact deleted meanwhile fails the workflow, as the plan step does', async () => {
      await withWorker({ prepared: [prepareFails('ContactNotFoundError')] }, async (start, seen) => {
        const err = await settledWithin(10_000, (await start()).result());
        expect(err).toBeInstanceOf(WorkflowFailedError);
        expect(applicationFailureIn(err)).toMatchObject({ type: 'ContactNotFoundError' });
        expect(seen.prepareMessage).toHaveLength(1);
        expect(seen.call).toHaveLength(0);
      });
    });

    test('a campaign without a template says nothing and asks no speech', async () => {
      const { seen } = await runContact({ plan: [contactPlan({ templateId: null, templateVersion: null })] });
      expect(seen.prepareMessage).toHaveLength(0);
      expect(seen.call[0].args.media).toEqual([]);
      expect(seen.record[0].args).toMatchObject({ messageText: null });
    });
  });

  describe('the plan step', () => {
    test('a missing contact fails the workflow at once: plan ran exactly once, nothing after it', async () => {
      await withWorker({ plan: [new ContactNotFoundError('contact 42 does not exist')] }, async (start, seen) => {
        // A retried plan keeps the workflow running (local retries back off in real time): stop
        // waiting after a few retries' worth, so the count below says what went wrong.
        const err = await settledWithin(10_000, (await start()).result());
        expect(seen.order).toEqual(['plan']);
        expect(err).toBeInstanceOf(WorkflowFailedError);
        // The failure names the missing contact (a local activity's failure may or may not come
        // wrapped in an ActivityFailure: look down the cause chain).
        expect(applicationFailureIn(err)).toMatchObject({ type: 'ContactNotFoundError', message: 'contact 42 does not exist' });
      });
    });

    test('a passing failure of plan (not a missing contact) is retried and the contact goes on', async () => {
      const { result, seen } = await runContact({ plan: [new Error('connection reset'), contactPlan()] });
      expect(seen.plan).toHaveLength(2);
      expect(result).toMatchObject({ state: 'done', attempts: 1 });
    });
  });
});
