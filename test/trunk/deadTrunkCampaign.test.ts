import { randomBytes } from 'node:crypto';
import { startCampaign } from '../../adapters/temporal/workflowStarters';
import { registry } from '../../adapters/metrics/registry';
import { campaignWorkflowId } from '../../domain/ids';
import { createTestCampaign, insertContact } from '../fixtures';
import { startWorld, type StackWorld } from '../stackWorker';
import { carrierNumber, carrierUnavailable, holdCarrier, startCarrier, untilEndpoint, type Carrier } from './carrier';

// A dead trunk is not an attempt: a campaign of 20 contacts on a trunk whose carrier stopped
// answering OPTIONS places no call, records no attempt and charges no cap; its contacts wait for
// the trunk, and the campaign completes normally once the carrier answers again. The worker is
// the product's own, on the real Asterisk, its calls on a trunk row naming the production trunk.

const unavailable = carrierUnavailable();
const suite = unavailable ? describe.skip : describe;
if (unavailable) test.todo(`a campaign on a dead SIP trunk: ${unavailable}`);

jest.setTimeout(420_000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

suite('a campaign on a dead trunk', () => {
  let release: (() => void) | undefined;
  let carrier: Carrier;
  let world: StackWorld;
  const campaignId = `dead-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    release = await holdCarrier();
    carrier = startCarrier('silent');
    await untilEndpoint(carrier.endpoint, 'offline');
    world = await startWorld({}, { asterisk: true });
  });
  afterAll(async () => {
    startCarrier('answering');
    await world?.close();
    release?.();
  });

  it('places no attempt and charges no cap while the carrier is silent, and completes once it answers again', async () => {
    const { pool } = world.db;
    const trunk = `sipp-${randomBytes(3).toString('hex')}`;
    await pool.query('INSERT INTO trunk (name, max_channels, endpoint_template) VALUES ($1, 10, $2)', [trunk, carrier.endpointTemplate]);
    await createTestCampaign(pool, { id: campaignId, trunk, maxAttemptsPerNumber: 2, retryIntervalSeconds: 5, ringTimeoutSeconds: 10 });
    for (let i = 0; i < 20; i++) await insertContact(pool, campaignId, `c${i}`, [carrierNumber('200')]);
    await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });

    // Every contact found the trunk down at least once.
    const deadline = Date.now() + 60_000;
    let waiting = 0;
    while (Date.now() < deadline) {
      waiting = (await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM contact_wait WHERE campaign_id = $1 AND reason = 'trunk_down'`, [campaignId])).rows[0].n;
      if (waiting === 20) break;
      await sleep(250);
    }
    expect(waiting).toBe(20);
    await sleep(3000);
    const charged = async (): Promise<{ attempts: number; contactAttempts: number; capSlots: number }> => (await pool.query(
      `SELECT (SELECT count(*)::int FROM attempt WHERE campaign_id = $1) AS attempts,
              (SELECT coalesce(sum(attempts), 0)::int FROM contact WHERE campaign_id = $1) AS "contactAttempts",
              (SELECT count(*)::int FROM call_reservation WHERE campaign_id = $1 AND state <> 'released') AS "capSlots"`,
      [campaignId])).rows[0];
    expect(await charged()).toEqual({ attempts: 0, contactAttempts: 0, capSlots: 0 });
    const { rows: detail } = await pool.query(
      `SELECT DISTINCT detail FROM contact_wait WHERE campaign_id = $1 AND reason = 'trunk_down'`, [campaignId]);
    expect(detail).toEqual([{ detail: `${carrier.endpoint}: offline` }]);
    // Said once for the trunk, not once per contact.
    const metrics = await registry.metrics();
    expect(metrics).toContain(`dialer_trunk_state_changes_total{trunk="${carrier.endpoint}",state="down",reason="offline"} 1`);
    expect(metrics).toContain(`dialer_trunk_up{trunk="${carrier.endpoint}"} 0`);

    // The carrier answers again: every contact is called once, answered, and the campaign completes.
    startCarrier('answering');
    await untilEndpoint(carrier.endpoint, 'online');
    await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    const { rows } = await pool.query<{ state: string; outcome: string; attempts: number }>(
      `SELECT c.state, a.outcome, c.attempts FROM contact c JOIN attempt a ON a.contact_id = c.id WHERE c.campaign_id = $1`, [campaignId]);
    expect(rows).toHaveLength(20);
    for (const r of rows) expect(r).toEqual({ state: 'done', outcome: 'answered', attempts: 1 });
    expect((await charged()).capSlots).toBe(20);
    expect(await registry.metrics()).toContain(`dialer_trunk_state_changes_total{trunk="${carrier.endpoint}",state="up",reason="online"} 1`);
  });
});
