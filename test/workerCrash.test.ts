import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { createDialerWorker } from '../apps/worker/dialerWorker';
import { contactWorkflowId } from '../domain/ids';
import type { ContactProgress } from '../workflows/signals';
import { contactProgressQuery } from '../workflows/signals';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// A worker dies between the cap reservation and the originate. On the real Temporal dev
// server (the time-skipping test server does not hand a dead worker's sticky workflow back):
// the activity times out by its heartbeat, the contact lives on, and the reservation of the
// call that may or may not have happened keeps counting, so the retry waits for the next day.

jest.setTimeout(120_000);

let world: StackWorld;
beforeAll(async () => { world = await startWorld(); });
afterAll(async () => { await world?.close(); });

it('places no call above the cap and loses no contact when a worker dies mid-call', async () => {
  const { pool } = world.db;
  // A new id each run: the dev server keeps the workflow ids of earlier runs.
  const id = `crash-${randomBytes(3).toString('hex')}`;
  const person = `debtor-${id}`;
  // The 230-FZ caps without its hours, so the test does not depend on the time of day.
  await createTestCampaign(pool, {
    id, timeZone: 'Europe/Moscow', maxAttemptsPerNumber: 3, retryIntervalSeconds: 1, caps: { person: { day: 1 } },
  });
  const contactId = await insertContact(pool, id, 'c1', ['+79161500001'], {}, 'x', { personId: person });

  const taskQueue = `${world.config.TEMPORAL_TASK_QUEUE}-crash`;
  let reached!: () => void;
  const stuck = new Promise<void>((resolve) => { reached = resolve; });
  const dying = await createDialerWorker({ ...world.config, TEMPORAL_TASK_QUEUE: taskQueue }, {
    shutdownForceTime: '1 second',
    // The originate is accepted (and its reservation committed); the call then never ends.
    telephony: {
      originate: async () => ({ follow: () => { reached(); return new Promise(() => undefined); } }),
      close: async () => undefined,
    },
  });
  const dyingRun = dying.run().catch(() => undefined);
  const handle = await world.client.workflow.start('contactWorkflow', {
    workflowId: contactWorkflowId(id, 'c1'), taskQueue, args: [{ campaignId: id, contactId }],
  });
  await stuck;
  const reservations = async () => (await pool.query(
    'SELECT state, attempt_id FROM call_reservation WHERE person_key = $1 ORDER BY id', [person])).rows;
  expect(await reservations()).toEqual([{ state: 'reserved', attempt_id: null }]);
  // The worker dies: it stops without finishing its call activity.
  await dying.shutdown();
  await dyingRun;
  const originatesBefore = world.sim.stats().originates;
  const healthy = await createDialerWorker({ ...world.config, TEMPORAL_TASK_QUEUE: taskQueue });
  const healthyRun = healthy.run();
  try {
    // The heartbeat timeout (30 s) fails the lost call; the strategy retries after 1 s; the
    // gate finds the day's slot taken by the lost call and the contact sleeps until tomorrow.
    let progress: ContactProgress | undefined;
    for (let i = 0; i < 120; i++) {
      progress = await handle.query(contactProgressQuery);
      if (progress.step === 'wait' && progress.attempts === 1) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const tomorrow = DateTime.now().setZone('Europe/Moscow').startOf('day').plus({ days: 1 });
    expect(progress).toMatchObject({ step: 'wait', attempts: 1, lastOutcome: 'failed', sleepingUntil: tomorrow.toUTC().toISO() });
    const rows = (await pool.query(`SELECT outcome, gate FROM attempt WHERE contact_id = $1 ORDER BY seq`, [contactId])).rows;
    expect(rows.map((r) => [r.outcome, r.gate.refusal ?? null])).toEqual([['failed', null], ['refused', 'cap_reached']]);
    expect(await reservations()).toEqual([{ state: 'counted', attempt_id: expect.any(String) }]);
    expect(world.sim.stats().originates).toBe(originatesBefore);
    expect((await handle.describe()).status.name).toBe('RUNNING');
  } finally {
    await handle.terminate('test over').catch(() => undefined);
    await healthy.shutdown();
    await healthyRun;
  }
});
