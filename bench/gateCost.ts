import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import type { Queryable } from '../adapters/postgres/transaction';
import { gate } from '../activities/gate';
import { createCampaign, setCampaignState } from '../adapters/postgres/campaigns';

// The gate's cost per call: the last check before an originate (campaign state, blacklist of
// exact/prefix/range entries, 230-FZ hours in the subscriber's zone, caps per person and per
// number counted under advisory locks, and the reservation insert, in one statement), beside
// two bare single-row INSERTs on the same Postgres in the same run: into a temporary table (no
// WAL, so its commit waits for no disk), and into a plain table (its commit waits for the WAL
// flush, as the reservation's must). The statements each gate sent are counted.
//
//   npm run bench:gate -- [calls=2000]

const calls = Number(process.argv[2] ?? 2000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out.sort((a, b) => a - b);
}

function line(label: string, ms: number[]): string {
  return `${label.padEnd(58)} p50 ${percentile(ms, 50).toFixed(2).padStart(6)} ms   p99 ${percentile(ms, 99).toFixed(2).padStart(6)} ms`;
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (scripts/bench.sh sets it)');
  const pool = new Pool({ connectionString: url, max: 2 });
  const campaignId = `gate-${randomBytes(3).toString('hex')}`;
  // The legal policy's caps and a realistic blacklist: 10,000 exact numbers, 50 prefixes, 50 ranges.
  await createCampaign(pool, {
    id: campaignId, name: 'gate bench', callerId: '+74950000000', windowStart: '00:00', windowEnd: '24:00',
    legalPolicy: 'ru_230fz', policyOptions: { period: 'rolling' }, caps: { number: { day: 1_000_000 } },
  }, 'bench');
  await setCampaignState(pool, campaignId, 'running', 'bench');
  await pool.query(
    `INSERT INTO blacklist (kind, e164, reason, source, created_by)
     SELECT 'exact', '+7999' || lpad(g::text, 7, '0'), 'bench', 'manual', 'bench' FROM generate_series(1, 10000) g`);
  await pool.query(
    `INSERT INTO blacklist (kind, prefix, reason, source, created_by)
     SELECT 'prefix', '+7998' || lpad(g::text, 3, '0'), 'bench', 'manual', 'bench' FROM generate_series(1, 50) g`);
  await pool.query(
    `INSERT INTO blacklist (kind, range_from, range_to, reason, source, created_by)
     SELECT 'range', 79970000000 + g * 10000, 79970000000 + g * 10000 + 999, 'bench', 'manual', 'bench' FROM generate_series(1, 50) g`);
  // One person per call, so the caps never refuse and every call pays the full path.
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO contact (campaign_id, external_id) SELECT $1, 'p' || g FROM generate_series(1, $2) g RETURNING id`,
    [campaignId, calls]);
  const contactIds = rows.map((r) => Number(r.id));
  // Both connections get the temporary table (it is per session).
  const durableTable = `bench_insert_${randomBytes(3).toString('hex')}`;
  await pool.query(`CREATE TABLE ${durableTable} (id bigint GENERATED ALWAYS AS IDENTITY, channel_id text, at timestamptz)`);
  const clients = await Promise.all([pool.connect(), pool.connect()]);
  for (const client of clients) {
    await client.query('CREATE TEMP TABLE IF NOT EXISTS bench_insert (id bigint GENERATED ALWAYS AS IDENTITY, channel_id text, at timestamptz)');
    // Warm both paths (plans, caches) before measuring.
    for (let i = 0; i < 50; i++) await client.query('INSERT INTO bench_insert (channel_id, at) VALUES ($1, now())', [`w${i}`]);
    client.release();
  }
  let statements = 0;
  const counted: Queryable = { query: (...args: unknown[]) => { statements++; return (pool.query as (...a: unknown[]) => unknown)(...args); } } as unknown as Pool;

  const bare = await timeEach(calls, (i) => pool.query('INSERT INTO bench_insert (channel_id, at) VALUES ($1, now())', [`b${i}`]));
  const durable = await timeEach(calls, (i) => pool.query(`INSERT INTO ${durableTable} (channel_id, at) VALUES ($1, now())`, [`d${i}`]));
  const now = Date.parse('2026-11-24T09:00:00Z'); // a Tuesday, 12:00 in Moscow: inside the 230-FZ hours
  const gated = await timeEach(calls, async (i) => {
    const d = await gate(counted, {
      campaignId, contactId: contactIds[i], e164: `+7916${String(i).padStart(7, '0')}`, zones: ['Europe/Moscow'],
      nowMs: now + i, checkWindow: true, reserve: { channelId: `${campaignId}-${i}` },
    });
    if (!d.allowed) throw new Error(`gate refused call ${i}: ${d.refusal}`);
  });
  const gatedStatements = statements;
  statements = 0;
  const read = await timeEach(calls, (i) => gate(counted, {
    campaignId, contactId: contactIds[i], e164: `+7916${String(i).padStart(7, '0')}`, zones: ['Europe/Moscow'],
    nowMs: now + i, checkWindow: false,
  }));
  console.log(`gate cost, ${calls} calls, one connection at a time`);
  console.log(line('bare single-row INSERT, temporary table (autocommit)', bare));
  console.log(line('bare single-row INSERT, plain table (autocommit)', durable));
  console.log(line(`gate, last check + cap reservation (${(gatedStatements / calls).toFixed(2)} statements)`, gated));
  console.log(line(`gate, workflow read (no reservation, no hours; ${(statements / calls).toFixed(2)} statements)`, read));
  console.log(`ratio gate / bare insert (p50): ${(percentile(gated, 50) / percentile(bare, 50)).toFixed(1)} (temporary table), `
    + `${(percentile(gated, 50) / percentile(durable, 50)).toFixed(1)} (plain table)`);
  await pool.query(`DROP TABLE ${durableTable}`);
  await pool.query('DELETE FROM call_reservation WHERE campaign_id = $1', [campaignId]);
  await pool.query(`DELETE FROM blacklist WHERE source = 'manual' AND created_by = 'bench'`);
  await pool.end();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
