import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { useSkippingWorld } from './testing/skippingWorld';
import { contactWorkflow } from './contactWorkflow';
import { contactPlan, ended, scriptedContactActivities, type ContactScript, type ContactSeen } from './testing/fakeActivities';
import type { ContactResult } from '../domain/types';

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
  expect(seen.combined).toHaveLength(1);
  expect(seen.record.map((r) => [r.args.result.outcome, r.args.numberAttempt])).toEqual([['answered', 1]]);
  expect(seen.finish.map((f) => f.args)).toEqual([{ contactId: 42, state: 'done', outcome: 'answered' }]);
});

test('busy, then busy on the last attempt allowed: the first recorded alone, the last with the contact\'s end (failed)', async () => {
  const { result, seen } = await runContact({
    plan: [contactPlan({ strategy: { maxAttemptsPerNumber: 2, retryIntervalSeconds: 600, machineAction: 'hang_up' } })],
    call: [ended('busy'), ended('busy')],
  });
  expect(result).toMatchObject({ state: 'failed', outcome: 'busy', attempts: 2 });
  // The retry's wait comes after a gate, and the gate is asked again when it ends.
  expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'call', 'record', 'gate', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
  expect(seen.combined).toHaveLength(1);
  expect(seen.record.map((r) => r.args.seq)).toEqual([1, 2]);
  // The retry waited the interval after the first attempt, decided before its record.
  expect(seen.call[1].atMs - seen.call[0].atMs).toBeGreaterThanOrEqual(600_000);
});
