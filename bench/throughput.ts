import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { startAriSimulator } from '../apps/ari-simulator/simulator';
import { createDialerWorker } from '../apps/worker/dialerWorker';
import { createCampaign, upsertTemplate } from '../adapters/postgres/campaigns';
import { dataConverter } from '../adapters/temporal/connections';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { AriClient } from '../adapters/ari/ariClient';
import { ChannelEventLog } from '../adapters/ari/channelEventLog';
import { loadConfig } from '../common/config';
import { campaignWorkflowId } from '../domain/ids';
import { originateSeconds } from '../adapters/metrics/dialerMetrics';
import { holdCarrier, startCarrier, untilEndpoint } from '../test/trunk/carrier';
import * as bareActivities from './bareShape/activities';

// Throughput of the whole chain: N contacts, every one answered, zero-length calls, from the
// campaign workflow's first page to the last attempt row. In the same run: the ARI simulator's
// bare originate rate (no Temporal, no Postgres) and the bare Temporal server's rate for the
// contact workflow's shape (no-op activities), so the product's figure has its ceilings beside it.
//
//   npm run bench -- [contacts=2000] [concurrency=100]
//   npm run bench -- --asterisk [contacts] [concurrency]   the same through the real Asterisk 22
//     of scripts/asterisk.sh (its sandbox's carrier answers after about a second), beside bare
//     ARI originates to that Asterisk.
//   --asterisk --trunk   the bare originates and the product both dial through the production
//     PJSIP trunk to the SIPp carrier (started and held for the run as the trunk tests do, through
//     test/trunk/carrier.ts; its numbers ending in 201 answer at once): no Local channels, no subscriber dialplan on the
//     dialer's Asterisk. The product's campaign is on a trunk row, as in production.
//   --static   the simulator's contacts hear a message without personal pieces (warmed once per
//     campaign), so the run shows the chain without a synthesis per contact.

const args = process.argv.slice(2);
const asterisk = args.includes('--asterisk');
const staticMessage = args.includes('--static');
const trunk = args.includes('--trunk');
if (trunk && !asterisk) throw new Error('--trunk dials through the real Asterisk: add --asterisk');
/** PJSIP/{number}@carrier once the carrier is started (--trunk). */
let trunkTemplate: string | undefined;
const [contactsArg, concurrencyArg] = args.filter((a) => !a.startsWith('--'));
const contacts = Number(contactsArg ?? (asterisk ? 400 : 2000));
const concurrency = Number(concurrencyArg ?? 100);
if (trunk && contacts > 9999) throw new Error('--trunk numbers its contacts with four digits: at most 9999 contacts');
/** Every number answers: the simulator by rule, the sandbox for numbers ending in 01, the SIPp
 * carrier for numbers ending in 201 (test/trunk/README.md). */
const numberOf = (i: number): string => (trunk ? `7900${String(i).padStart(4, '0')}201`
  : asterisk ? `7900${String(i).padStart(5, '0')}01` : `7900${String(i).padStart(7, '0')}`);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  // The carrier is one SIPp the trunk tests restart and silence: held for the whole run, like theirs.
  const releaseCarrier = trunk ? await holdCarrier() : () => undefined;
  try {
    if (trunk) {
      const carrier = startCarrier('answering');
      trunkTemplate = carrier.endpointTemplate;
      // A carrier just (re)started is unknown to Asterisk until its first qualify answers, and
      // the call step does not dial a trunk that is not online.
      await untilEndpoint(carrier.endpoint, 'online');
    }
    await run();
  } finally {
    releaseCarrier();
  }
}

async function run(): Promise<void> {
  const password = randomBytes(8).toString('hex');
  const sim = asterisk ? null : await startAriSimulator({
    username: 'dialer', password, timeScale: 0, rules: [{ match: '.', behaviours: ['answer'] }],
  });
  const config = loadConfig({
    ...process.env,
    ...(sim
      ? { ASTERISK_ARI_URL: sim.url, ARI_PASSWORD: password, ARI_USERNAME: 'dialer' }
      : { ARI_ENDPOINT_TEMPLATE: trunkTemplate ?? 'Local/{number}@sim-carrier/n' }),
    TEMPORAL_TASK_QUEUE: `bench-${randomBytes(3).toString('hex')}`, LOG_LEVEL: 'warn',
  });
  const target = sim ? 'the ARI simulator (zero-length calls)'
    : `Asterisk 22 at ${config.ASTERISK_ARI_URL}${trunk ? ` through its PJSIP trunk (${config.ARI_ENDPOINT_TEMPLATE}) to SIPp` : ''}`;
  console.log(`bench: ${contacts} contacts, concurrency ${concurrency}, Temporal ${config.TEMPORAL_ADDRESS}, calls to ${target}`);

  // A long campaign's baselines are rates too: 2,000 of each tell them as well as 200,000 would.
  const bareN = Math.min(contacts, 2000);
  const bareAri = await bareOriginates(config, bareN, concurrency);
  report(`bare ARI originates (${sim ? 'simulator' : trunk ? 'Asterisk + trunk to SIPp' : 'Asterisk'} only, no Temporal, no Postgres)`, bareN, bareAri);

  const bareLean = await bareTemporalShape(config.TEMPORAL_ADDRESS, 'bareLeanShape', bareN, concurrency);
  report('bare Temporal, lean shape (1 local + 1 activity, no-op)', bareN, bareLean);
  const bareTemporal = await bareTemporalShape(config.TEMPORAL_ADDRESS, 'bareContactShape', bareN, concurrency);
  report('bare Temporal, the product\'s shape (2 local + 1 activity, no-op)', bareN, bareTemporal);

  const { ms: product, timeline } = await productRun(config, contacts, concurrency);
  report('dialer: contact attempts through the whole chain', contacts, product);
  console.log(timeline);

  const dialerRate = contacts / (product / 1000);
  const bareRate = (ms: number): number => bareN / (ms / 1000);
  console.log(`ratio dialer / bare ARI:      ${(dialerRate / bareRate(bareAri)).toFixed(3)}`);
  console.log(`ratio dialer / bare Temporal lean shape: ${(dialerRate / bareRate(bareLean)).toFixed(3)}`);
  console.log(`ratio dialer / bare Temporal product shape: ${(dialerRate / bareRate(bareTemporal)).toFixed(3)}`);
  await sim?.close();
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

async function bareOriginates(config: ReturnType<typeof loadConfig>, n: number, width: number): Promise<number> {
  const client = await AriClient.connect({
    url: config.ASTERISK_ARI_URL, username: config.ARI_USERNAME, password: config.ARI_PASSWORD, app: `bench-bare-${randomBytes(3).toString('hex')}`,
  });
  const started = Date.now();
  await pool(n, width, async (i) => {
    const channelId = `bare-${randomBytes(4).toString('hex')}-${String(i).padStart(9, '0')}`;
    const log = new ChannelEventLog(client, channelId);
    try {
      await client.originate({
        endpoint: config.ARI_ENDPOINT_TEMPLATE.replace('{number}', numberOf(i)), channelId, timeoutSec: 30,
        variables: { SIM_RECORD: 'no' },
      });
      const first = await log.next(['StasisStart', 'ChannelDestroyed'], 30_000);
      if (first?.type !== 'StasisStart') throw new Error(`bare originate ${i}: no answer`);
      // The carrier's subscriber may have hung up already (a 1 s call): hangup is false then.
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

async function bareTemporalShape(address: string, workflowType: string, n: number, width: number): Promise<number> {
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
    await pool(n, width, (i) => client.workflow.execute(workflowType, { taskQueue, workflowId: `${taskQueue}-${i}`, args: [] }));
    ms = Date.now() - started;
  });
  await clientConnection.close();
  await connection.close();
  return ms;
}

async function productRun(config: ReturnType<typeof loadConfig>, n: number, width: number): Promise<{ ms: number; timeline: string }> {
  const db = new Pool({ connectionString: config.DATABASE_URL, max: 4 });
  const campaignId = `bench-${randomBytes(3).toString('hex')}`;
  // Zero-length calls: on the simulator the message plays in no time; on Asterisk there is
  // no message, so a call is the answer and the hangup. Every run's names are new (the campaign
  // id is in them): with the personal template each contact's name is synthesised once, as in a
  // real list, however warm the speech cache is from earlier runs.
  const templateId = asterisk ? null : await upsertTemplate(db, staticMessage ? 'bench-static' : 'bench', staticMessage
    ? 'Здравствуйте! Напоминаем о задолженности по договору.'
    : 'Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}.');
  // Through the trunk the campaign is on a trunk row, as in production: its slot counts against
  // the trunk's channels too (as many as the bench keeps in flight), and the call step dials its
  // endpoint template.
  const trunkName = trunk ? `bench-${randomBytes(3).toString('hex')}` : null;
  if (trunkName) {
    await db.query('INSERT INTO trunk (name, max_channels, endpoint_template) VALUES ($1, $2, $3)', [trunkName, width, trunkTemplate]);
  }
  await createCampaign(db, {
    templateId, trunk: trunkName,
    id: campaignId, name: 'bench', callerId: '+74950000000', windowStart: '00:00', windowEnd: '24:00',
    maxAttemptsPerNumber: 1, retryIntervalSeconds: 0, ringTimeoutSeconds: 30, maxInFlight: width,
  }, 'bench');
  await db.query(
    `WITH c AS (
       INSERT INTO contact (campaign_id, external_id, full_name)
       SELECT $1, 'b' || g, 'Bench ' || $1 || ' ' || g FROM generate_series(1, $2) g RETURNING id, external_id)
     INSERT INTO contact_phone (contact_id, position, e164, raw)
     SELECT id, 1, '+' || (CASE WHEN $4 THEN '7900' || lpad(substr(external_id, 2), 4, '0') || '201'
                                WHEN $3 THEN '7900' || lpad(substr(external_id, 2), 5, '0') || '01'
                                ELSE '7900' || lpad(substr(external_id, 2), 7, '0') END), 'bench' FROM c`,
    [campaignId, n, asterisk, trunk],
  );
  await db.query(
    `INSERT INTO contact_variable (contact_id, name, value)
     SELECT id, 'BALANCE', '-12345.50' FROM contact WHERE campaign_id = $1`, [campaignId]);
  const dialer = await createDialerWorker(config, { dtmfWaitMs: 0 });
  const running = dialer.run();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  // The worker's payload keys: the campaign's result comes back encrypted.
  const client = new Client({ connection, dataConverter: dataConverter(config) });
  const started = Date.now();
  // The process's memory while the campaign runs (the worker runs in it): flat, or growing with contacts.
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(process.memoryUsage().rss), 5000);
  await startCampaign({ pool: db, temporal: client, taskQueue: config.TEMPORAL_TASK_QUEUE }, campaignId, 'bench', { pollIntervalMs: 200 });
  await client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
  const ms = Date.now() - started;
  clearInterval(sampler);
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM attempt WHERE campaign_id = $1 AND outcome = 'answered'`, [campaignId]);
  if (rows[0].n !== n) throw new Error(`expected ${n} answered attempts, found ${rows[0].n}`);
  const timeline = `${await timelineOf(db, campaignId, started, ms)}\n${await steadinessOf(db, campaignId, rss)}`;
  await dialer.shutdown();
  await running;
  await connection.close();
  await db.end();
  return { ms, timeline };
}

/** Where the product's time went, from its attempt rows: the wait for the first originate, the
 * calls themselves (originate to hangup), and how the originates spread over the run. */
async function timelineOf(db: Pool, campaignId: string, started: number, ms: number): Promise<string> {
  const { rows: [t] } = await db.query<{ first: Date; last: Date; end: Date; avg_ms: number; max_ms: number }>(
    `SELECT min(started_at) AS first, max(started_at) AS last, max(ended_at) AS end,
            avg(extract(epoch FROM ended_at - started_at) * 1000)::float8 AS avg_ms,
            max(extract(epoch FROM ended_at - started_at) * 1000)::float8 AS max_ms
       FROM attempt WHERE campaign_id = $1`, [campaignId]);
  const s = (a: number, b: number): string => ((b - a) / 1000).toFixed(1);
  // The worker runs in this process: its histogram of POST /ari/channels (until Asterisk accepts).
  const { values } = await originateSeconds.get();
  const of = (name: string, le?: number): number => values.find((v) => v.metricName === name && (le === undefined || v.labels.le === le))?.value ?? 0;
  const count = of('dialer_originate_seconds_count');
  const slow = count - of('dialer_originate_seconds_bucket', 1);
  return `dialer timeline: first originate at ${s(started, t.first.getTime())} s, last at ${s(started, t.last.getTime())} s, `
    + `last hangup at ${s(started, t.end.getTime())} s, campaign done at ${(ms / 1000).toFixed(1)} s; `
    + `a call (originate to hangup) ${t.avg_ms.toFixed(0)} ms on average, ${t.max_ms.toFixed(0)} ms at most; `
    + `the originate request ${count ? ((of('dialer_originate_seconds_sum') / count) * 1000).toFixed(0) : '-'} ms on average, ${slow} of ${count} over 1 s`;
}

/**
 * Whether the millionth contact goes as fast as the first: the rate over the first and the last
 * tenth of the attempts (by their end), and the process's memory at each quarter of the run.
 */
async function steadinessOf(db: Pool, campaignId: string, rss: number[]): Promise<string> {
  const { rows: [t] } = await db.query<{ slice: number; first_s: number; last_s: number }>(
    `WITH a AS (SELECT ended_at, row_number() OVER (ORDER BY ended_at) AS k, count(*) OVER () AS n
                  FROM attempt WHERE campaign_id = $1)
     SELECT max(n) / 10 AS slice,
            extract(epoch FROM max(ended_at) FILTER (WHERE k <= n / 10) - min(ended_at) FILTER (WHERE k <= n / 10))::float8 AS first_s,
            extract(epoch FROM max(ended_at) FILTER (WHERE k > n - n / 10) - min(ended_at) FILTER (WHERE k > n - n / 10))::float8 AS last_s
       FROM a`, [campaignId]);
  const rate = (secs: number): string => (secs > 0 ? (Number(t.slice) / secs).toFixed(1) : '-');
  const mb = (i: number): string => (rss.length ? (rss[Math.max(0, Math.min(rss.length - 1, Math.floor(i)))] / 2 ** 20).toFixed(0) : '-');
  const ratio = t.first_s > 0 && t.last_s > 0 ? (t.first_s / t.last_s).toFixed(2) : '-';
  return `dialer steadiness: the first ${t.slice} attempts at ${rate(t.first_s)} /s, the last ${t.slice} at ${rate(t.last_s)} /s `
    + `(last / first ${ratio}); process RSS at each quarter of the run ${[0.25, 0.5, 0.75, 1].map((q) => mb(rss.length * q - 1)).join(' / ')} MB`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
