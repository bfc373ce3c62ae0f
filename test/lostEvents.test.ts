import { randomBytes } from 'node:crypto';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { campaignWorkflowId } from '../domain/ids';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// No call hangs on a lost event. The simulator here never delivers ChannelDestroyed or
// StasisEnd (a real Asterisk 22 lost about 2 % of ChannelDestroyed under load): every call
// must still end, by its deadline or by asking Asterisk for the channel's real state, and no
// channel may stay up.

jest.setTimeout(120_000);

let world: StackWorld;
beforeAll(async () => { world = await startWorld({ lostEvents: ['ChannelDestroyed', 'StasisEnd'] }); });
afterAll(async () => { await world?.close(); });

it('ends every call without its ChannelDestroyed, by reconciling with the channel’s real state', async () => {
  const { pool } = world.db;
  const id = `lost-${randomBytes(3).toString('hex')}`;
  await createTestCampaign(pool, { id, template: '{{BALANCE|money}}', maxAttemptsPerNumber: 1, ringTimeoutSeconds: 30 });
  await insertContact(pool, id, 'answers', ['+79163000011']);
  await insertContact(pool, id, 'hangs-up', ['+79163000018']);
  await insertContact(pool, id, 'busy', ['+79163000016']);
  const started = Date.now();
  await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, id, 'test', { pollIntervalMs: 100 });
  await world.client.workflow.getHandle(campaignWorkflowId(id)).result();

  const { rows } = await pool.query(
    `SELECT c.external_id, a.outcome FROM contact c JOIN attempt a ON a.contact_id = c.id WHERE c.campaign_id = $1`, [id]);
  const outcome = Object.fromEntries(rows.map((r) => [r.external_id, r.outcome]));
  // The answered calls end normally (the dialer hangs up and confirms by GET /channels/{id});
  // the busy call vanished without a word: the dialer cannot know why, and says so.
  expect(outcome).toEqual({ answers: 'answered', 'hangs-up': 'answered_short', busy: 'failed' });
  // Well before the ring deadline (30 s + 15 s grace) that waiting for the lost event would take.
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(world.sim.stats().activeChannels).toBe(0);
});
