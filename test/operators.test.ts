import { randomBytes } from 'node:crypto';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { campaignWorkflowId } from '../domain/ids';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// The operator key and answering machines through the ARI simulator's dialer-operators and
// dialer-amd contexts (the same flows run on the real Asterisk in test/asterisk/calls.test.ts).
// One operator for two subscribers who press 1 at once: one talks to the operator, the other
// waits out the campaign's queue time and hears an apology.

jest.setTimeout(120_000);

let world: StackWorld;
beforeAll(async () => { world = await startWorld({ operators: 1 }); });
afterAll(async () => { await world?.close(); });

it('puts one subscriber through to the only operator and apologises to the other; hangs up on a machine', async () => {
  const { pool } = world.db;
  const id = `op-${randomBytes(3).toString('hex')}`;
  await createTestCampaign(pool, {
    id, template: 'Нажмите 1. {{BALANCE|money}}', maxAttemptsPerNumber: 1, maxInFlight: 5,
    operatorKey: '1', operatorWaitSeconds: 5, detectMachines: true, machineAction: 'hang_up',
  });
  await insertContact(pool, id, 'a', ['+79162000014']);
  await insertContact(pool, id, 'b', ['+79162000024']);
  await insertContact(pool, id, 'machine', ['+79162000097']);
  await insertContact(pool, id, 'person', ['+79162000031']);
  await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, id, 'test', { pollIntervalMs: 100 });
  await world.client.workflow.getHandle(campaignWorkflowId(id)).result();

  const { rows } = await pool.query(
    `SELECT c.external_id, c.state, a.outcome, a.dtmf FROM contact c JOIN attempt a ON a.contact_id = c.id
      WHERE c.campaign_id = $1 ORDER BY c.external_id`, [id]);
  const pressed = rows.filter((r) => r.external_id === 'a' || r.external_id === 'b');
  expect(pressed.map((r) => r.outcome).sort()).toEqual(['answered', 'operator']);
  expect(pressed.map((r) => r.dtmf)).toEqual(['1', '1']);
  expect(pressed.map((r) => r.state)).toEqual(['done', 'done']);
  expect(rows.find((r) => r.external_id === 'machine')).toMatchObject({ outcome: 'machine', state: 'failed' });
  expect(rows.find((r) => r.external_id === 'person')).toMatchObject({ outcome: 'answered', state: 'done' });
  expect(world.sim.stats()).toMatchObject({ operatorCalls: 1, amdChecks: 4 });
});
