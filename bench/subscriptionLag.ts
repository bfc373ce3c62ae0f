import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Client as PgClient } from 'pg';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { record } from '../activities/record';
import { insertApiKey } from '../adapters/postgres/apiAccess';
import { createCampaign, setCampaignState } from '../adapters/postgres/campaigns';
import { newSecret } from '../common/apiSecrets';
import { contactWorkflowId } from '../domain/ids';
import type { AttemptRecord } from '../domain/types';
import { createTestDatabase } from '../test/testDatabase';

// The live counters' lag: from an attempt row's commit (the real record step, whose
// transaction sends NOTIFY campaign_changed) to a GraphQL subscriber receiving counters that
// include it, over a real WebSocket from the API running as its own process (built by tsc, one
// LISTEN connection, recounts coalesced per campaign). Beside it, in the same run, the bare
// NOTIFY → LISTEN round trip between two connections.
//
//   npx tsx bench/subscriptionLag.ts [attempts=500] [campaigns=5]
//   (DATABASE_URL of the stack; builds the API with npm run build:api first)

const attempts = Number(process.argv[2] ?? 500);
const campaigns = Number(process.argv[3] ?? 5);
const perCampaign = Math.ceil(attempts / campaigns);

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const line = (label: string, ms: number[]): string => {
  const s = [...ms].sort((a, b) => a - b);
  return `${label.padEnd(64)} p50 ${pct(s, 50).toFixed(1).padStart(6)} ms   p99 ${pct(s, 99).toFixed(1).padStart(6)} ms   max ${s[s.length - 1].toFixed(1).padStart(6)} ms`;
};

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

async function startApi(databaseUrl: string, port: number): Promise<ChildProcess> {
  const api = spawn(process.execPath, ['dist/api/apps/api/src/main.js'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, API_PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}' })
      .then(() => true, () => false);
    if (up) return api;
    if (api.exitCode !== null) throw new Error(`the API exited with ${api.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the API did not start in 20 s');
}

/** The bare round trip: NOTIFY committed on one connection, heard on another. */
async function bareNotify(url: string, n: number): Promise<number[]> {
  const listener = new PgClient({ connectionString: url });
  const sender = new PgClient({ connectionString: url });
  await listener.connect();
  await sender.connect();
  await listener.query('LISTEN bench_lag');
  const lags: number[] = [];
  for (let i = 0; i < n; i++) {
    const heard = once(listener, 'notification');
    const t = performance.now();
    await sender.query(`SELECT pg_notify('bench_lag', $1)`, [String(i)]);
    await heard;
    lags.push(performance.now() - t);
  }
  await listener.end();
  await sender.end();
  return lags;
}

function attemptOf(campaignId: string, contactId: number, seq: number): AttemptRecord {
  const now = new Date().toISOString();
  return {
    workflowId: contactWorkflowId(campaignId, `c${contactId}`), seq, campaignId, contactId, phonePosition: 1, e164: '+79160000001',
    numberAttempt: seq, messageText: null, countUnanswered: true, zones: ['Europe/Moscow'],
    result: {
      outcome: 'busy', gate: { allowed: true, checks: [], checkedAt: now }, channelId: null, hangupCause: 17, dtmf: null,
      listenedMs: null, startedAt: now, answeredAt: null, endedAt: now,
    },
  };
}

async function main(): Promise<void> {
  execFileSync('npm', ['run', '--silent', 'build:api'], { stdio: 'inherit' });
  const db = await createTestDatabase();
  let api: ChildProcess | null = null;
  try {
    const ids = Array.from({ length: campaigns }, (_, i) => `lag-${i}`);
    const contacts: Record<string, number> = {};
    for (const id of ids) {
      await createCampaign(db.pool, { id, name: id, callerId: '+74950000000', maxAttemptsPerNumber: 50 }, 'bench');
      await setCampaignState(db.pool, id, 'running', 'bench');
      const { rows } = await db.pool.query<{ id: string }>(`INSERT INTO contact (campaign_id, external_id) VALUES ($1, 'c') RETURNING id`, [id]);
      contacts[id] = Number(rows[0].id);
    }
    const key = newSecret('key');
    await insertApiKey(db.pool, { name: 'bench', role: 'viewer', prefix: key.prefix, sha256: key.sha256, createdBy: 'bench' });
    const port = await freePort();
    api = await startApi(db.url, port);

    const client = createClient({
      url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${key.secret}` }, retryAttempts: 0,
    });
    /** Per campaign: when counters arrived, and the calls they counted. */
    const received: Record<string, { at: number; calls: number }[]> = Object.fromEntries(ids.map((id) => [id, []]));
    const disposers = ids.map((id) => client.subscribe<{ campaignCounters: { calls: number } }>(
      { query: 'subscription($c: String!) { campaignCounters(campaignId: $c) { calls } }', variables: { c: id } },
      {
        next: (v) => { if (v.data) received[id].push({ at: performance.now(), calls: v.data.campaignCounters.calls }); },
        error: (err) => { throw err instanceof Error ? err : new Error(JSON.stringify(err)); },
        complete: () => undefined,
      }));
    // Every subscription has its first counters (so the burst measures changes, not subscribing).
    while (ids.some((id) => received[id].length === 0)) await new Promise((r) => setTimeout(r, 10));

    const run = async (label: string, paceMs: number, seqFrom: number): Promise<void> => {
      const commits: Record<string, { at: number; calls: number }[]> = Object.fromEntries(ids.map((id) => [id, []]));
      const base = Object.fromEntries(ids.map((id) => [id, received[id][received[id].length - 1].calls]));
      const pushesBefore = ids.reduce((s, id) => s + received[id].length, 0);
      const started = performance.now();
      await Promise.all(ids.map(async (id) => {
        for (let k = 1; k <= perCampaign; k++) {
          await record(db.pool, attemptOf(id, contacts[id], seqFrom + k));
          commits[id].push({ at: performance.now(), calls: base[id] + k });
          if (paceMs) await new Promise((r) => setTimeout(r, paceMs));
        }
      }));
      const wall = performance.now() - started;
      // Each commit's lag: the first counters that include it.
      const deadline = performance.now() + 10_000;
      while (ids.some((id) => (received[id].at(-1)?.calls ?? 0) < base[id] + perCampaign) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const lags: number[] = [];
      for (const id of ids) {
        for (const c of commits[id]) {
          const hit = received[id].find((r) => r.calls >= c.calls && r.at >= c.at - 1e-6) ?? received[id].find((r) => r.calls >= c.calls);
          if (!hit) throw new Error(`campaign ${id}: counters with ${c.calls} calls never arrived`);
          lags.push(Math.max(0, hit.at - c.at));
        }
      }
      const pushes = ids.reduce((s, id) => s + received[id].length, 0) - pushesBefore;
      process.stdout.write(`${line(`${label}: commit → subscriber`, lags)}\n`);
      process.stdout.write(`${''.padEnd(4)}${lags.length} attempts over ${campaigns} campaigns in ${(wall / 1000).toFixed(2)} s (${(lags.length / (wall / 1000)).toFixed(0)}/s); ${pushes} pushes (coalesced ${(lags.length / pushes).toFixed(1)} attempts per push)\n`);
    };

    process.stdout.write(`${line('bare Postgres: NOTIFY committed → LISTEN connection', await bareNotify(db.url, 200))}\n`);
    await run(`burst, ${campaigns} campaigns at once, no pause`, 0, 0);
    await run(`paced, each campaign one attempt per 50 ms`, 50, perCampaign);
    for (const dispose of disposers) dispose();
    await client.dispose();
  } finally {
    if (api) {
      api.kill('SIGTERM');
      await once(api, 'exit');
    }
    await db.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`subscriptionLag: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
