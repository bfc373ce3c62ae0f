import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { startCampaign } from '../../adapters/temporal/workflowStarters';
import { campaignWorkflowId } from '../../domain/ids';
import { createTestCampaign, insertContact } from '../fixtures';
import { startWorld, type StackWorld } from '../stackWorker';

// The campaign's channel limit holds across worker processes: two real worker processes
// call through the real Asterisk, and the test counts the campaign's channels on Asterisk
// (GET /ari/channels, by the campaign's caller id) while the campaign runs.

const ARI_URL = process.env.ASTERISK_ARI_URL;
const suite = ARI_URL ? describe : describe.skip;
if (!ARI_URL) test.todo('channel limits on the real Asterisk: set ASTERISK_ARI_URL (npm test starts Asterisk and sets it)');

jest.setTimeout(180_000);
const repo = path.resolve(__dirname, '../..');

function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/main.ts'], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('worker started')) resolve(child);
    });
    child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
}

suite('channel limits on the real Asterisk', () => {
  let world: StackWorld;
  const workers: ChildProcess[] = [];
  beforeAll(async () => { world = await startWorld({}, { asterisk: true }); });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await world?.close();
  });

  it('never has more than 3 of a campaign’s calls up at once with two worker processes', async () => {
    const { pool } = world.db;
    const callerId = `+7495${randomInt(1_000_000, 9_999_999)}`;
    const campaignId = `limit-${randomInt(100000, 999999)}`;
    await createTestCampaign(pool, { id: campaignId, callerId, template: '{{BALANCE|money}}', maxAttemptsPerNumber: 1, maxChannels: 3 });
    for (let i = 0; i < 12; i++) {
      await insertContact(pool, campaignId, `c${i}`, [`+7916${randomInt(1_000_000, 9_999_999)}01`], { BALANCE: '-1234.56' });
    }
    // The test's own in-process worker stops, so only the two worker processes call.
    await world.dialer.shutdown();
    await world.running;
    const env = {
      ...process.env, DATABASE_URL: world.db.url, TEMPORAL_TASK_QUEUE: world.config.TEMPORAL_TASK_QUEUE,
      ARI_ENDPOINT_TEMPLATE: world.config.ARI_ENDPOINT_TEMPLATE, CALL_DTMF_WAIT_MS: '200', LOG_LEVEL: 'info',
      WORKER_METRICS_PORT: '0', WORKER_SDK_METRICS_PORT: '0', // two processes on one host: no fixed ports
    };
    workers.push(await startWorkerProcess(env), await startWorkerProcess(env));

    await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    const done = world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    let finished = false;
    void done.finally(() => { finished = true; });
    const auth = `Basic ${Buffer.from(`${process.env.ARI_USERNAME}:${process.env.ARI_PASSWORD}`).toString('base64')}`;
    let peak = 0;
    let samples = 0;
    while (!finished) {
      const channels = (await (await fetch(`${ARI_URL}/ari/channels`, { headers: { authorization: auth } })).json()) as
        { id: string; caller: { number: string } }[];
      const ours = channels.filter((c) => c.caller.number === callerId && !c.id.endsWith(';2')).length;
      peak = Math.max(peak, ours);
      samples++;
      await new Promise((r) => setTimeout(r, 50));
    }
    await done;
    expect(samples).toBeGreaterThan(20);
    expect(peak).toBe(3); // the limit was reached, and never exceeded
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM attempt WHERE campaign_id = $1 AND outcome = 'answered'`, [campaignId]);
    expect(rows[0].n).toBe(12);
    // Every slot was given back after its hangup.
    const { rows: leases } = await pool.query(`SELECT count(*)::int AS n FROM channel_lease WHERE campaign_id = $1`, [campaignId]);
    expect(leases[0].n).toBe(0);
  });
});
