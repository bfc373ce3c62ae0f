import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { insertApiKey } from '../adapters/postgres/apiAccess';
import { newSecret } from '../common/apiSecrets';

// upsertContacts through the API (HTTP + GraphQL + zod + libphonenumber + the upsert's
// transaction), in batches of 1,000 and 10,000, beside a bare multi-row INSERT of the same rows
// into a plain table on the same Postgres in the same run.
//
//   npm run bench -- upsert [rows per batch size = 20000]
//
// The API is the built one (npm run build:api; scripts/bench.sh builds it), run as its own
// process, as in production; this process is its client.

const ROWS = Number(process.argv[2] ?? 20_000);
const BATCH_SIZES = [1_000, 10_000];

interface Contact {
  externalId: string;
  personId: string;
  timeZone: string;
  fullName: string;
  phones: { number: string; kind: string }[];
  variables: { key: string; value: string }[];
}

function contact(i: number): Contact {
  return {
    externalId: `B-${String(i).padStart(8, '0')}`,
    personId: `P-${i}`,
    timeZone: i % 2 === 0 ? 'Europe/Moscow' : 'Asia/Yekaterinburg',
    fullName: `Абонентов Абонент Абонентович ${i}`,
    phones: [
      { number: `+7 (916) ${String(i % 1000).padStart(3, '0')}-${String(Math.floor(i / 1000) % 100).padStart(2, '0')}-${String(Math.floor(i / 100000) % 100).padStart(2, '0')}`, kind: 'mobile' },
      { number: `8 495 ${String(i % 1000).padStart(3, '0')}-${String(Math.floor(i / 1000) % 100).padStart(2, '0')}-${String(Math.floor(i / 100000) % 100).padStart(2, '0')}`, kind: 'home' },
    ],
    variables: [{ key: 'BALANCE', value: `-${i % 100000},${String(i % 100).padStart(2, '0')}` }, { key: 'DUE_DATE', value: '2026-12-01' }],
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startApi(port: number): Promise<ChildProcess> {
  const main = path.resolve(__dirname, '../dist/api/apps/api/src/main.js');
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, API_PORT: String(port), API_HOST: '127.0.0.1', LOG_LEVEL: 'warn', API_RATE_LIMIT_PER_MINUTE: '100000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} (is it built? npm run build:api)`);
    const up = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST' }).then(() => true, () => false);
    if (up) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the API did not start');
}

const UPSERT = `mutation($campaignId: String!, $contacts: [ContactInput!]!) {
  upsertContacts(campaignId: $campaignId, contacts: $contacts) { inserted updated unchanged } }`;

async function upsert(url: string, key: string, campaignId: string, contacts: Contact[]): Promise<{ inserted: number; updated: number; unchanged: number }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: UPSERT, variables: { campaignId, contacts } }),
  });
  const answer = (await res.json()) as { data?: { upsertContacts: { inserted: number; updated: number; unchanged: number } }; errors?: unknown };
  if (!answer.data) throw new Error(`upsertContacts failed: ${JSON.stringify(answer.errors).slice(0, 500)}`);
  return answer.data.upsertContacts;
}

/**
 * The same rows, one multi-row INSERT per batch into a table with no rules, its columns sent as
 * arrays (as the upsert sends its rows: VALUES lists would need 80,000 parameters for 10,000
 * rows, over Postgres's 65,535).
 */
async function bareInsert(pool: Pool, table: string, batch: Contact[]): Promise<void> {
  const column = (f: (c: Contact) => string) => batch.map(f);
  await pool.query(
    `INSERT INTO ${table} (external_id, person_id, time_zone, full_name, phone1, phone2, balance, due_date)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
    [column((c) => c.externalId), column((c) => c.personId), column((c) => c.timeZone), column((c) => c.fullName),
      column((c) => c.phones[0]!.number), column((c) => c.phones[1]!.number), column((c) => c.variables[0]!.value), column((c) => c.variables[1]!.value)]);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const rate = (rows: number, seconds: number) => `${Math.round(rows / seconds).toLocaleString('en-US').padStart(8)} rows/s  (${rows.toLocaleString('en-US')} in ${seconds.toFixed(2)} s)`;

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (scripts/bench.sh sets it)');
  const pool = new Pool({ connectionString: url, max: 2 });
  const run = randomBytes(3).toString('hex');
  const key = newSecret('key');
  await insertApiKey(pool, { name: `bench-upsert-${run}`, role: 'erp', prefix: key.prefix, sha256: key.sha256, createdBy: 'bench' });
  const port = await freePort();
  const api = await startApi(port);
  const graphqlUrl = `http://127.0.0.1:${port}/graphql`;
  const campaigns: string[] = [];
  const table = `bench_contact_${run}`;
  await pool.query(`CREATE TABLE ${table} (external_id text, person_id text, time_zone text, full_name text, phone1 text, phone2 text, balance text, due_date text)`);
  try {
    const all = Array.from({ length: ROWS }, (_, i) => contact(i));
    // Warm both paths (the API's JIT and query plans, Postgres's caches).
    const warm = `bench-up-${run}-warm`;
    campaigns.push(warm);
    await pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ($1, 'bench', '+74950000000')`, [warm]);
    await upsert(graphqlUrl, key.secret, warm, all.slice(0, 1000));
    await bareInsert(pool, table, all.slice(0, 1000));
    await pool.query(`TRUNCATE ${table}`);

    console.log(`upsertContacts through the API vs a bare multi-row INSERT, ${ROWS.toLocaleString('en-US')} contacts per batch size`);
    console.log('(each contact: an external id, a person id, a zone, a name, 2 numbers to normalise, 2 variables; one call or statement at a time)');
    // Other work on the machine shows in every figure: the ratio is the figure to compare.
    console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores\n`);
    for (const size of BATCH_SIZES) {
      const campaignId = `bench-up-${run}-${size}`;
      campaigns.push(campaignId);
      await pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ($1, 'bench', '+74950000000')`, [campaignId]);
      const batches: Contact[][] = [];
      for (let i = 0; i < all.length; i += size) batches.push(all.slice(i, i + size));

      const bare = await timed(async () => { for (const b of batches) await bareInsert(pool, table, b); });
      let inserted = 0;
      const fresh = await timed(async () => { for (const b of batches) inserted += (await upsert(graphqlUrl, key.secret, campaignId, b)).inserted; });
      let unchanged = 0;
      const again = await timed(async () => { for (const b of batches) unchanged += (await upsert(graphqlUrl, key.secret, campaignId, b)).unchanged; });
      if (inserted !== ROWS || unchanged !== ROWS) throw new Error(`expected ${ROWS} inserted and unchanged, got ${inserted} and ${unchanged}`);
      await pool.query(`TRUNCATE ${table}`);

      console.log(`batches of ${size.toLocaleString('en-US')}:`);
      console.log(`  bare multi-row INSERT, plain table          ${rate(ROWS, bare)}`);
      console.log(`  upsertContacts, new contacts                ${rate(ROWS, fresh)}`);
      console.log(`  upsertContacts, the same batches again      ${rate(ROWS, again)}`);
      console.log(`  ratio upsert (new) / bare: ${(bare / fresh).toFixed(3)}   (the same again / bare: ${(bare / again).toFixed(3)})\n`);
    }
  } finally {
    api.kill('SIGTERM');
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    for (const id of campaigns) {
      await pool.query(`DELETE FROM contact WHERE campaign_id = $1`, [id]);
      await pool.query(`DELETE FROM campaign WHERE id = $1`, [id]);
    }
    await pool.query(`UPDATE api_key SET revoked_at = now() WHERE name = $1`, [`bench-upsert-${run}`]);
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
