import { Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { useSkippingWorld } from './testing/skippingWorld';
import { contactWorkflow } from './contactWorkflow';
import { PREPARED, scriptedContactActivities, type ContactScript, type ContactSeen } from './testing/fakeActivities';
import type { ContactResult, PreparedAudio } from '../domain/types';

// The lean prepare in the contact workflow (patched 'prepare-local-when-cached'), with fake
// activities on the time-skipping test server: a hit of the local prepareFromCache is the
// attempt's message; a miss, or the local step failing, leaves it to prepareMessage.

jest.setTimeout(60_000);

const world = useSkippingWorld();
const clock = () => world.env.currentTimeMs();

const CACHED: PreparedAudio = { preparedId: 77, media: ['sound:dialer/speech/cafe0123'], durationMs: 3100 };

async function runContact(script: ContactScript): Promise<{ result: ContactResult; seen: ContactSeen }> {
  const { activities, seen } = scriptedContactActivities(clock, script);
  const taskQueue = `local-prepare-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({ connection: world.env.nativeConnection, taskQueue, workflowBundle: world.bundle, activities });
  return worker.runUntil(async () => {
    const result = await world.env.client.workflow.execute(contactWorkflow, {
      taskQueue, workflowId: `contact/unit/${randomBytes(4).toString('hex')}`, args: [{ campaignId: 'c-unit', contactId: 42 }],
    });
    return { result, seen };
  });
}

test('a hit is the message: no prepareMessage, the call plays its media and the attempt cites its row', async () => {
  const { result, seen } = await runContact({ cached: [CACHED] });
  expect(result).toMatchObject({ state: 'done', outcome: 'answered' });
  expect(seen.prepareFromCache.map((s) => s.args)).toEqual([{ campaignId: 'c-unit', contactId: 42, templateId: 7, templateVersion: 1 }]);
  expect(seen.order).toEqual(['plan', 'gate', 'call', 'record', 'finish']);
  expect(seen.call[0].args.media).toEqual(CACHED.media);
  expect(seen.record[0].args).toMatchObject({ messageText: null, preparedId: CACHED.preparedId });
});

test('a miss runs prepareMessage with the same request, as before', async () => {
  const { seen } = await runContact({});
  expect(seen.prepareFromCache).toHaveLength(1);
  expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
  expect(seen.prepareMessage[0].args).toEqual(seen.prepareFromCache[0].args);
  expect(seen.call[0].args.media).toEqual(PREPARED.media);
});

test('the local step failing is a miss, not a failure of the contact', async () => {
  const broken = new Error('the store is unreadable (test)');
  const { result, seen } = await runContact({ cached: [broken, broken] });
  expect(result).toMatchObject({ state: 'done', outcome: 'answered' });
  // Inside the lean attempt's gate step ('lean-attempt') a failing store is a miss at once;
  // the separate prepareFromCache of contacts before it was retried once first.
  expect(seen.prepareFromCache).toHaveLength(1);
  expect(seen.order).toEqual(['plan', 'gate', 'prepareMessage', 'call', 'record', 'finish']);
  expect(seen.speechFailed).toEqual([]);
});
