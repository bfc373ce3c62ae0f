import { Worker, DefaultLogger, Runtime } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { createActivities } from '../activities';
import { createSpeechAudioStore } from '../adapters/speech/speechProviders';
import { AriClient } from '../adapters/ari/ariClient';
import { AriTelephony } from '../adapters/ari/ariTelephony';
import { createCampaign } from '../adapters/postgres/campaigns';
import { changeCampaign, pauseCampaign, resumeCampaign, stopCampaign } from '../adapters/temporal/campaignControl';
import { connectClient, connectWorker, dataConverter } from '../adapters/temporal/connections';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { startAriSimulator } from '../apps/ari-simulator/simulator';
import { loadConfig } from '../common/config';
import { campaignWorkflowId } from '../domain/ids';
import { createTestDatabase } from '../test/testDatabase';
import * as bareActivities from './bareShape/activities';
import { wake } from './bareShape/wokenShape';

// How fast a campaign's changes reach its contacts in flight, on the ARI simulator (zero-length
// calls), the real Temporal dev server and Postgres. For each size N: a campaign of 3N contacts
// with max_in_flight N whose dates start tomorrow, so N contacts start and sleep and 2N stay
// pending rows; then, each measured from the moment the control function returned:
//
//   pause       how long pauseCampaign took (nothing to wait for: nobody is calling)
//   edit        changeCampaign(startDate: null) wakes the N sleepers: until the last of them
//               asked the gate again (each hears "paused" and waits)
//   resume      resumeCampaign: until the last of the N paused contacts asked the gate again;
//               and until the N-th originate after it
//   pause/load  pauseCampaign while the campaign calls at full speed: how long it took (it
//               waits for the originates in flight), and originates after it returned (must be 0)
//   stop        stopCampaign: until every contact ended (in flight: cancelled at their gate or
//               done; pending: cancelled) and the campaign workflow ended; originates after it
//
// Beside each size, the bare server's figure from the same run: N idle workflows that wait for
// a signal and then run two no-op local activities, signalled from here at the fan-out's
// concurrency; the time until the last one has run both.
//
// The worker is built here as apps/worker/dialerWorker.ts builds it, with the gate activity
// wrapped to write down when each contact asked it. A database of its own, migrated, dropped
// at the end (as the tests', test/testDatabase.ts).
//
//   source ~/.cache/dialer/stack.env; npx tsx bench/campaignControl.ts [sizes=100,1000]

const sizes = (process.argv[2] ?? '100,1000').split(',').map(Number);

interface GateAsk {
  contactId: number;
  atMs: number;
  allowed: boolean;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const password = randomBytes(8).toString('hex');
  const sim = await startAriSimulator({ username: 'dialer', password, timeScale: 0, rules: [{ match: '.', behaviours: ['answer'] }] });
  const db = await createTestDatabase();
  const config = loadConfig({
    ...process.env, DATABASE_URL: db.url, ASTERISK_ARI_URL: sim.url, ARI_PASSWORD: password, ARI_USERNAME: 'dialer',
    TEMPORAL_TASK_QUEUE: `bench-control-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'warn',
  });
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 20 });
  pool.on('error', () => undefined);
  const ari = await AriClient.connect({
    url: config.ASTERISK_ARI_URL, username: config.ARI_USERNAME, password: config.ARI_PASSWORD,
    app: `${config.ARI_APP}-${randomBytes(4).toString('hex')}`, requestTimeoutMs: config.ARI_REQUEST_TIMEOUT_MS,
  });
  const telephony = new AriTelephony(ari, { endpointTemplate: config.ARI_ENDPOINT_TEMPLATE, dtmfWaitMs: 0, maxMessageMs: 60_000, language: 'ru' });
  const temporal = await connectClient(config);
  const connection = await connectWorker(config);
  const asks: GateAsk[] = [];
  const activities = createActivities({
    pool, telephony, temporal: temporal.client, taskQueue: config.TEMPORAL_TASK_QUEUE, clock: async () => Date.now(), holder: ari.app,
    audio: createSpeechAudioStore(config),
  });
  const gate = activities.gate;
  activities.gate = async (q) => {
    const atMs = Date.now();
    const decision = await gate(q);
    asks.push({ contactId: q.contactId, atMs, allowed: decision.allowed });
    return decision;
  };
  /** The fan-out activity's runs and the re-plans, to say where the time goes. */
  const wakes: { startMs: number; endMs: number; told: number }[] = [];
  const plans: { contactId: number; atMs: number }[] = [];
  const wake = activities.wakeContacts;
  activities.wakeContacts = async (campaignId) => {
    const startMs = Date.now();
    const r = await wake(campaignId);
    wakes.push({ startMs, endMs: Date.now(), told: r.told });
    return r;
  };
  const plan = activities.plan;
  activities.plan = async (contactId) => {
    plans.push({ contactId, atMs: Date.now() });
    return plan(contactId);
  };
  const worker = await Worker.create({
    connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, dataConverter: dataConverter(config),
    workflowsPath: require.resolve('../workflows'), activities,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_CALLS, maxConcurrentLocalActivityExecutions: 100,
  });
  const deps = { pool, temporal: temporal.client, taskQueue: config.TEMPORAL_TASK_QUEUE };
  console.log(`bench: campaign changes reaching contacts in flight; Temporal ${config.TEMPORAL_ADDRESS}, the ARI simulator (zero-length calls)`);
  try {
    await worker.runUntil(async () => {
      for (const n of sizes) {
        await bareWakeUps(temporal.client, connection, n);
        await runSize(n);
      }
    });
  } finally {
    await connection.close();
    await temporal.close();
    await ari.close();
    await pool.end();
    await db.drop();
    await sim.close();
  }

  async function runSize(n: number): Promise<void> {
    const campaignId = `bench-ctl-${randomBytes(3).toString('hex')}`;
    const tomorrow = DateTime.now().setZone('Europe/Moscow').plus({ days: 1 }).toISODate()!;
    await createCampaign(pool, {
      id: campaignId, name: 'control bench', callerId: '+74950000000', timeZone: 'Europe/Moscow', windowStart: '00:00', windowEnd: '24:00',
      startDate: tomorrow, maxAttemptsPerNumber: 1, maxInFlight: n,
    }, 'bench');
    await pool.query(
      `WITH c AS (INSERT INTO contact (campaign_id, external_id) SELECT $1, 'b' || g FROM generate_series(1, $2) g RETURNING id, external_id)
       INSERT INTO contact_phone (contact_id, position, e164, raw) SELECT id, 1, '+7900' || lpad(substr(external_id, 2), 7, '0'), 'bench' FROM c`,
      [campaignId, 3 * n]);
    const ids = new Set((await pool.query<{ id: string }>('SELECT id FROM contact WHERE campaign_id = $1', [campaignId])).rows.map((r) => Number(r.id)));
    const ours = (a: GateAsk): boolean => ids.has(a.contactId);
    const t = Date.now();
    await startCampaign(deps, campaignId, 'bench', { pollIntervalMs: 500 });
    await until(`${n} contacts asleep`, () => distinct(asks.filter(ours)) >= n, 300_000);
    console.log(`\nN = ${n} in flight (of ${3 * n} contacts), all asleep until tomorrow ${((Date.now() - t) / 1000).toFixed(1)} s after the start`);
    await sleep(1000);

    let t0 = Date.now();
    await pauseCampaign(deps, campaignId, 'bench');
    report('pause: pauseCampaign took', Date.now() - t0);

    t0 = Date.now();
    await changeCampaign(deps, campaignId, { startDate: null }, 'bench');
    const afterEdit = Date.now();
    report('edit: changeCampaign took', afterEdit - t0);
    const edited = await lastFirstAskAfter(afterEdit, n);
    report(`edit: returned -> last of ${n} sleepers asked the gate`, edited - afterEdit);
    breakdown('edit', afterEdit);
    await sleep(1000);

    t0 = Date.now();
    await resumeCampaign(deps, campaignId, 'bench');
    const afterResume = Date.now();
    report('resume: resumeCampaign took', afterResume - t0);
    const resumed = await lastFirstAskAfter(afterResume, n);
    report(`resume: returned -> last of ${n} paused asked the gate`, resumed - afterResume);
    breakdown('resume', afterResume);
    await until(`${n} originates`, () => sim.originates().filter((o) => o.atMs > afterResume).length >= n, 120_000);
    report(`resume: returned -> ${n}-th originate`, sim.originates().filter((o) => o.atMs > afterResume)[n - 1].atMs - afterResume);

    // Pause in the middle of the pending contacts' calls.
    const done = async (): Promise<number> => (await pool.query(
      `SELECT count(*)::int AS n FROM contact WHERE campaign_id = $1 AND state = 'done'`, [campaignId])).rows[0].n;
    await until('1.5 N contacts done', async () => (await done()) >= 1.5 * n, 300_000);
    t0 = Date.now();
    await pauseCampaign(deps, campaignId, 'bench');
    const afterPause = Date.now();
    report('pause/load: pauseCampaign took, calls in flight', afterPause - t0);
    await sleep(3000);
    console.log(`${'pause/load: originates after it returned (3 s later)'.padEnd(60)} ${sim.originates().filter((o) => o.atMs > afterPause).length}`);

    t0 = Date.now();
    await stopCampaign(deps, campaignId, 'bench');
    const afterStop = Date.now();
    report('stop: stopCampaign took', afterStop - t0);
    const summary = await temporal.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    report(`stop: returned -> campaign workflow ended ${summary.state}`, Date.now() - afterStop);
    await until('every contact ended', async () => (await pool.query(
      `SELECT count(*)::int AS n FROM contact WHERE campaign_id = $1 AND state IN ('pending', 'in_progress')`, [campaignId])).rows[0].n === 0, 300_000);
    report('stop: returned -> every contact ended', Date.now() - afterStop);
    const states = (await pool.query(`SELECT state, count(*)::int AS n FROM contact WHERE campaign_id = $1 GROUP BY 1 ORDER BY 1`, [campaignId])).rows;
    console.log(`${'stop: contacts by state'.padEnd(60)} ${states.map((r) => `${r.state} ${r.n}`).join(', ')}`);
    console.log(`${'stop: originates after it returned'.padEnd(60)} ${sim.originates().filter((o) => o.atMs > afterStop).length}`);

    /** Where the time went: the fan-out activity's start and end, the last re-plan. */
    function breakdown(label: string, fromMs: number): void {
      const w = wakes.find((x) => x.startMs >= fromMs);
      if (!w) return;
      report(`${label}:   fan-out activity started`, w.startMs - fromMs);
      report(`${label}:   fan-out activity signalled ${w.told} contacts, ended`, w.endMs - fromMs);
      const replans = plans.filter((p) => p.atMs >= fromMs && ids.has(p.contactId)).map((p) => p.atMs).sort((a, b) => a - b);
      if (replans.length) report(`${label}:   re-plans: ${replans.length}, the last began`, replans[Math.min(n, replans.length) - 1] - fromMs);
    }

    /** When the last of the first `count` contacts to ask the gate after `fromMs` asked. */
    async function lastFirstAskAfter(fromMs: number, count: number): Promise<number> {
      const first = new Map<number, number>();
      await until(`${count} contacts at the gate`, () => {
        for (const a of asks) if (a.atMs >= fromMs && ours(a) && !first.has(a.contactId)) first.set(a.contactId, a.atMs);
        return first.size >= count;
      }, 300_000);
      return Math.max(...[...first.values()].sort((a, b) => a - b).slice(0, count));
    }
  }
}

/** The bare server: signal N idle workflows (32 at a time, as the fan-out does); until the last ran two no-op local activities. */
async function bareWakeUps(client: Client, connection: Awaited<ReturnType<typeof connectWorker>>, n: number): Promise<void> {
  const taskQueue = `bench-bare-woken-${randomBytes(3).toString('hex')}`;
  const bare = await Worker.create({ connection, taskQueue, dataConverter: { payloadCodecs: client.options.dataConverter.payloadCodecs }, workflowsPath: require.resolve('./bareShape/wokenShape'), activities: bareActivities });
  await bare.runUntil(async () => {
    const handles: WorkflowHandle[] = [];
    for (let i = 0; i < n; i += 50) {
      handles.push(...await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) =>
        client.workflow.start('bareWokenShape', { taskQueue, workflowId: `${taskQueue}-${i + k}`, args: [] }))));
    }
    await sleep(2000); // every first workflow task done: all idle in their condition
    const t0 = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      while (next < handles.length) await handles[next++].signal(wake);
    }));
    const signalled = Date.now() - t0;
    await Promise.all(handles.map((h) => h.result()));
    console.log(`\nN = ${n}, bare Temporal server (idle workflows, no Postgres)`);
    report(`bare: ${n} signals sent, 32 at a time`, signalled);
    report(`bare: signals sent -> last of ${n} ran 2 no-op local activities`, Date.now() - t0);
  });
}

function distinct(list: GateAsk[]): number {
  return new Set(list.map((a) => a.contactId)).size;
}

function report(label: string, ms: number): void {
  console.log(`${label.padEnd(60)} ${String(Math.round(ms)).padStart(7)} ms`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
