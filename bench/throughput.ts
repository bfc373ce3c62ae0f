import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { startAriSimulator } from '../apps/ari-simulator/simulator';
import { createDialerWorker } from '../apps/worker/dialerWorker';
import { createCampaign, startCampaign, upsertTemplate } from '../campaigns/campaignLifecycle';
import { AriClient } from '../activities/telephony/ariClient';
import { ChannelEventLog } from '../activities/telephony/channelEventLog';
import { loadConfig } from '../common/config';
import { campaignWorkflowId } from '../workflows/ids';
import * as bareActivities from './bareShape/activities';

// Throughput of the whole chain: N contacts, every one answered, zero-length calls, from the
// campaign workflow's first page to the last attempt row. In the same run: the ARI simulator's
// bare originate rate (no Temporal, no Postgres) and the bare Temporal server's rate for the
// contact workflow's shape (no-op activities), so the product's figure has its ceilings beside it.
//
//   npm run bench -- [contacts=2000] [concurrency=100]

const contacts = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 100);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const password = randomBytes(8).toString('hex');
  const sim = await startAriSimulator({
    username: 'dialer', password, timeScale: 0, rules: [{ match: '.', behaviours: ['answer'] }],
  });
  const config = loadConfig({
    ...process.env, ASTERISK_ARI_URL: sim.url, ARI_PASSWORD: password, ARI_USERNAME: 'dialer',
    TEMPORAL_TASK_QUEUE: `bench-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'warn',
  });
  console.log(`bench: ${contacts} contacts, concurrency ${concurrency}, Temporal ${config.TEMPORAL_ADDRESS}`);

  const bareAri = await bareOriginates(sim.url, password, contacts, concurrency);
  report('bare ARI originates (simulator only)', contacts, bareAri);

  const bareTemporal = await bareTemporalShape(config.TEMPORAL_ADDRESS, contacts, concurrency);
  report('bare Temporal, contact workflow shape (5 local + 1 activity, no-op)', contacts, bareTemporal);

  const product = await productRun(config, contacts, concurrency);
  report('dialer: contact attempts through the whole chain', contacts, product);

  const rate = (ms: number): number => contacts / (ms / 1000);
  console.log(`ratio dialer / bare ARI:      ${(rate(product) / rate(bareAri)).toFixed(3)}`);
  console.log(`ratio dialer / bare Temporal: ${(rate(product) / rate(bareTemporal)).toFixed(3)}`);
  await sim.close();
}

function report(label: string, n: number, ms: number): void {
  console.log(`${label.padEnd(72)} ${(n / (ms / 1000)).toFixed(1).padStart(8)} /s  (${n} in ${(ms / 1000).toFixed(1)} s)`);
}

async function pool<T>(n: number, width: number, job: (i: number) => Promise<T>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) await job(next++);
  }));
}

async function bareOriginates(url: string, password: string, n: number, width: number): Promise<number> {
  const client = await AriClient.connect({ url, username: 'dialer', password, app: 'bench-bare' });
  const started = Date.now();
  await pool(n, width, async (i) => {
    const channelId = `bare-${String(i).padStart(9, '0')}`;
    const log = new ChannelEventLog(client, channelId);
    try {
      await client.originate({ endpoint: `PJSIP/7900${String(i).padStart(7, '0')}@carrier`, channelId, timeoutSec: 30 });
      const first = await log.next(['StasisStart', 'ChannelDestroyed'], 30_000);
      if (first?.type !== 'StasisStart') throw new Error(`bare originate ${i}: no answer`);
      await client.hangup(channelId);
      await log.next(['ChannelDestroyed'], 30_000);
    } finally {
      log.dispose();
    }
  });
  const ms = Date.now() - started;
  await client.close();
  return ms;
}

async function bareTemporalShape(address: string, n: number, width: number): Promise<number> {
  const taskQueue = `bench-bare-${randomBytes(3).toString('hex')}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection, taskQueue, workflowsPath: require.resolve('./bareShape/workflows'), activities: bareActivities,
  });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  let ms = 0;
  await worker.runUntil(async () => {
    const started = Date.now();
    await pool(n, width, (i) => client.workflow.execute('bareContactShape', { taskQueue, workflowId: `${taskQueue}-${i}`, args: [] }));
    ms = Date.now() - started;
  });
  await clientConnection.close();
  await connection.close();
  return ms;
}

async function productRun(config: ReturnType<typeof loadConfig>, n: number, width: number): Promise<number> {
  const db = new Pool({ connectionString: config.DATABASE_URL, max: 4 });
  const campaignId = `bench-${randomBytes(3).toString('hex')}`;
  const templateId = await upsertTemplate(db, 'bench', 'Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}.');
  await createCampaign(db, {
    templateId,
    id: campaignId, name: 'bench', callerId: '+74950000000', windowStart: '00:00', windowEnd: '24:00',
    maxAttemptsPerNumber: 1, retryIntervalSeconds: 0, ringTimeoutSeconds: 30, maxInFlight: width,
  }, 'bench');
  await db.query(
    `WITH c AS (
       INSERT INTO contact (campaign_id, external_id, full_name)
       SELECT $1, 'b' || g, 'Bench ' || g FROM generate_series(1, $2) g RETURNING id, external_id)
     INSERT INTO contact_phone (contact_id, position, e164, raw)
     SELECT id, 1, '+7900' || lpad(substr(external_id, 2), 7, '0'), 'bench' FROM c`,
    [campaignId, n],
  );
  await db.query(
    `INSERT INTO contact_variable (contact_id, name, value)
     SELECT id, 'BALANCE', '-12345.50' FROM contact WHERE campaign_id = $1`, [campaignId]);
  const dialer = await createDialerWorker(config, { dtmfWaitMs: 0 });
  const running = dialer.run();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection });
  const started = Date.now();
  await startCampaign({ pool: db, temporal: client, taskQueue: config.TEMPORAL_TASK_QUEUE }, campaignId, 'bench', { pollIntervalMs: 200 });
  await client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
  const ms = Date.now() - started;
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM attempt WHERE campaign_id = $1 AND outcome = 'answered'`, [campaignId]);
  if (rows[0].n !== n) throw new Error(`expected ${n} answered attempts, found ${rows[0].n}`);
  await dialer.shutdown();
  await running;
  await connection.close();
  await db.end();
  return ms;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
