import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { useSkippingWorld } from './testing/skippingWorld';
import { contactWorkflow } from './contactWorkflow';
import { DateTime } from 'luxon';
import { ALWAYS_OPEN, contactPlan, ended, scriptedContactActivities, type ContactScript, type ContactSeen } from './testing/fakeActivities';
import type { ContactPlan, ContactResult } from '../domain/types';

// The lean attempt in the contact workflow ('lean-attempt'), with fake activities on the
// time-skipping test server: the decision comes before the record, and the attempt that ends
// the contact is recorded and finished by one step; any other is recorded alone.

jest.setTimeout(60_000);

const world = useSkippingWorld();
const clock = () => world.env.currentTimeMs();

async function runContact(script: ContactScript): Promise<{ result: ContactResult; seen: ContactSeen }> {
  const { activities, seen } = scriptedContactActivities(clock, script);
  const taskQueue = `lean-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({ connection: world.env.nativeConnection, taskQueue, workflowBundle: world.bundle, activities });
  return worker.runUntil(async () => {
    const result = await world.env.client.workflow.execute(contactWorkflow, {
      taskQueue, workflowId: `contact/unit/${randomBytes(4).toString('hex')}`, args: [{ campaignId: 'c-unit', contactId: 42 }],
    });
    return { result, seen };
  });
}

test('answered at once: the attempt and the end are one step', async () => {
  const { result, seen } = await runContact({});
  expect(result).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
  // One local activity before the call (the plan, the gate, the message), one after it.
  expect(seen.combined.map((c) => c.args)).toEqual(['openAndGate', 'recordAndFinish']);
  expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
  expect(seen.record.map((r) => [r.args.result.outcome, r.args.numberAttempt])).toEqual([['answered', 1]]);
  expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'done', outcome: 'answered' }]);
});

test('a hit of the cached prepare in the first step: no prepareMessage, the call plays its media', async () => {
  const media = ['sound:dialer/speech/cafe0123'];
  const { result, seen } = await runContact({ cached: [{ preparedId: 77, media, durationMs: 3100 }] });
  expect(result).toMatchObject({ state: 'done', outcome: 'answered' });
  expect(seen.order).toEqual(['plan', 'gate', 'call', 'record', 'finish']);
  expect(seen.prepareFromCache).toHaveLength(1);
  expect(seen.call[0].args.media).toEqual(media);
  expect(seen.record[0].args).toMatchObject({ preparedId: 77, messageText: null });
});

test('the calling hours closed at the first step: no message prepared before the sleep; gate and message again after it', async () => {
  const evening: ContactPlan['schedule'] = { ...ALWAYS_OPEN, window: { start: '09:00', end: '21:00' } };
  const startMs = await clock();
  // Sleep to 23:00 Moscow time first, so the window is closed when the contact opens.
  const moscow = DateTime.fromMillis(startMs, { zone: 'Europe/Moscow' });
  const late = moscow.set({ hour: 23, minute: 0 }).plus({ days: moscow.hour >= 23 ? 1 : 0 }).toMillis();
  await world.env.sleep(late - startMs);
  const { result, seen } = await runContact({ plan: [contactPlan({ schedule: evening })], cached: [{ preparedId: 77, media: ['m'], durationMs: 1 }] });
  expect(result).toMatchObject({ state: 'done', outcome: 'answered' });
  expect(seen.combined.map((c) => c.args)).toEqual(['openAndGate', 'gateAndPrepare', 'recordAndFinish']);
  // Prepared once, after the night, right before the call.
  expect(seen.prepareFromCache).toHaveLength(1);
  expect(DateTime.fromMillis(seen.call[0].atMs, { zone: 'Europe/Moscow' }).toFormat('HH:mm')).toBe('09:00');
  expect(seen.prepareFromCache[0].atMs).toBeGreaterThanOrEqual(seen.gate[1].atMs);
  expect(seen.gate[1].atMs).toBeGreaterThan(seen.gate[0].atMs + 9 * 3600_000);
});

test('busy, then busy on the last attempt allowed: the first recorded alone, the last with the contact\'s end (failed)', async () => {
  const { result, seen } = await runContact({
    plan: [contactPlan({ strategy: { maxAttemptsPerNumber: 2, retryIntervalSeconds: 600, machineAction: 'hang_up' } })],
    call: [ended('busy'), ended('busy')],
  });
  expect(result).toMatchObject({ state: 'failed', outcome: 'busy', attempts: 2 });
  // The retry's wait comes after a gate, and the gate is asked again when it ends.
  expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'call', 'record', 'gate', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
  expect(seen.combined.map((c) => c.args)).toEqual(['openAndGate', 'gateAndPrepare', 'gateAndPrepare', 'recordAndFinish']);
  expect(seen.record.map((r) => r.args.seq)).toEqual([1, 2]);
  // The retry waited the interval after the first attempt, decided before its record.
  expect(seen.call[1].atMs - seen.call[0].atMs).toBeGreaterThanOrEqual(600_000);
});
