import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { prepareMessage } from '../activities/prepare';
import { createAudioStore, type FileAudioStore } from '../adapters/speech/audioStore';
import { createSpeechProviders, readSpeechConfig } from '../adapters/speech/speechProviders';
import { mulberry32 } from '../apps/ari-simulator/subscriberBehaviour';
import { startFakeSpeechKit } from '../apps/fake-speechkit/fakeSpeechKit';
import { renderPieces } from '../domain/messageTemplate';
import { DEFAULT_SPEECH } from '../domain/speechSettings';
import { createTestCampaign } from '../test/fixtures';
import { createTestDatabase } from '../test/testDatabase';

// The prepare step (activities/prepare.ts prepareMessage, called as the activity calls it) for a
// campaign of contacts on one three-fragment template, against the in-process fake SpeechKit
// (real audio: espeak-ng and sox per request) through the product's v3 / v1 clients and a file
// speech cache in an empty temporary folder: once cold, then the same contacts again warm. Beside
// it, in the same run, the fake's bare rate: the same distinct texts the cold run needs sent
// straight to it by the same client at the same concurrency (no store, no Postgres), which is the
// floor the cold run cannot beat. Fresh database on the stack's Postgres.
//
//   npm run bench:speech -- [contacts=1000] [concurrency=20] [names=300] [providers=v3,v1]
//   (the script starts the stack and exports ESPEAK_NG_BIN / SOX_BIN from scripts/speech-tools.sh)

const contacts = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 20);
const nameCount = Number(process.argv[4] ?? 300);
const providers = (process.argv[5] ?? 'v3,v1').split(',').map((p) => p.trim());
for (const [what, v] of [['contacts', contacts], ['concurrency', concurrency], ['names', nameCount]] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`usage: npm run bench:speech -- [contacts] [concurrency] [names] [providers]: ${what} must be a positive integer`);
}
if (providers.some((p) => p !== 'v1' && p !== 'v3')) throw new Error('providers: a comma-separated list of v1 and v3');

const API_KEY = `key-${randomBytes(6).toString('hex')}`;
const FOLDER = 'b1g-bench-folder';
// The test's template: a greeting said the same to everyone, the name, the amount in words.
const BODY = 'Здравствуйте! Вас беспокоит банк «Ромашка» по поводу задолженности. {{NAME}} {{BALANCE|money}}';
const VOICE = 'alena';

const SURNAMES = ['Иванов', 'Петров', 'Сидоров', 'Кузнецов', 'Смирнов', 'Попов', 'Лебедев', 'Козлов', 'Новиков', 'Морозов',
  'Волков', 'Соловьёв', 'Васильев', 'Зайцев', 'Павлов', 'Семёнов', 'Голубев', 'Виноградов', 'Богданов', 'Воробьёв'];
const FIRST = ['Иван', 'Пётр', 'Сергей', 'Андрей', 'Олег', 'Михаил', 'Николай', 'Алексей', 'Дмитрий', 'Юрий'];
const PATRONYMICS = ['Иванович', 'Петрович', 'Сергеевич', 'Андреевич', 'Олегович', 'Николаевич'];

/** `count` distinct full names (surname, first name, patronymic), as an accounting list has them. */
function distinctNames(count: number): string[] {
  const all = SURNAMES.flatMap((s) => FIRST.flatMap((f) => PATRONYMICS.map((p) => `${s} ${f} ${p}`)));
  if (count > all.length) throw new Error(`names: at most ${all.length}`);
  const next = mulberry32(7);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}

/** One debt per contact, all distinct: 150 to 250 000 roubles, log-uniform, with kopecks. */
function distinctAmounts(count: number): string[] {
  const next = mulberry32(11);
  const seen = new Set<string>();
  while (seen.size < count) {
    const kopecks = Math.round(Math.exp(Math.log(15_000) + next() * (Math.log(25_000_000) - Math.log(15_000))));
    seen.add(`-${Math.floor(kopecks / 100)}.${String(kopecks % 100).padStart(2, '0')}`);
  }
  return [...seen];
}

function load(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

interface Run {
  label: string;
  items: number;
  seconds: number;
  /** Per item, ms, sorted. */
  latencies: number[];
  requests: number;
  load: string;
}

/** Runs `work` for each index at `concurrency` at once; the wall time and each item's latency. */
async function timed(count: number, work: (i: number) => Promise<void>): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      const t = process.hrtime.bigint();
      await work(i);
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }));
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, latencies: latencies.sort((a, b) => a - b) };
}

async function createContacts(pool: Pool, campaignId: string, names: string[], amounts: string[], pick: () => number): Promise<{ ids: number[]; texts: Set<string>; usedNames: number }> {
  const rows = amounts.map((amount, i) => ({ externalId: `c${i}`, name: names[Math.floor(pick() * names.length)], amount }));
  const { rows: inserted } = await pool.query<{ id: string; external_id: string }>(
    `INSERT INTO contact (campaign_id, external_id, full_name)
     SELECT $1, e, n FROM unnest($2::text[], $3::text[]) AS t(e, n) RETURNING id, external_id`,
    [campaignId, rows.map((r) => r.externalId), rows.map((r) => r.name)]);
  const idOf = new Map(inserted.map((r) => [r.external_id, Number(r.id)]));
  const ids = rows.map((r) => idOf.get(r.externalId)!);
  await pool.query(
    `INSERT INTO contact_phone (contact_id, position, e164, raw) SELECT id, 1, p, p FROM unnest($1::bigint[], $2::text[]) AS t(id, p)`,
    [ids, ids.map((_, i) => `+7916${String(i).padStart(7, '0')}`)]);
  await pool.query(
    `INSERT INTO contact_variable (contact_id, name, value) SELECT id, 'BALANCE', v FROM unnest($1::bigint[], $2::text[]) AS t(id, v)`,
    [ids, rows.map((r) => r.amount)]);
  // The distinct texts a cold cache must have synthesised: the greeting, each name, each amount in words.
  const usedNames = new Set(rows.map((r) => r.name)).size;
  const texts = new Set(rows.flatMap((r) => renderPieces(BODY, { NAME: r.name, BALANCE: r.amount }, {}).pieces.map((p) => (p.kind === 'clip' ? '' : p.text))));
  return { ids, texts, usedNames };
}

async function main(): Promise<void> {
  const fake = await startFakeSpeechKit({ port: 0, apiKey: API_KEY, folderId: FOLDER });
  const db = await createTestDatabase();
  const dirs: string[] = [];
  const runs: Run[] = [];
  const names = distinctNames(nameCount);
  const amounts = distinctAmounts(contacts);
  process.stdout.write(`${contacts} contacts, ${nameCount} distinct names, ${contacts} distinct amounts; concurrency ${concurrency}; ${os.cpus().length} cores; load before: ${load()}\n`);
  try {
    const config = readSpeechConfig({
      ...process.env, SPEECHKIT_API_KEY: API_KEY, SPEECHKIT_FOLDER_ID: FOLDER, SPEECHKIT_V3_URL: fake.url, SPEECHKIT_V1_URL: fake.url,
    });
    const speechProviders = createSpeechProviders(config, process.env);
    for (const api of providers as ('v1' | 'v3')[]) {
      const provider = api === 'v3' ? 'speechkit-v3' as const : 'speechkit-v1' as const;
      const settings = { ...DEFAULT_SPEECH, provider, voice: VOICE };
      const campaignId = await createTestCampaign(db.pool, { state: 'draft', template: BODY, speech: { provider, voice: VOICE } });
      const { rows } = await db.pool.query<{ template_id: string; template_version: number }>(
        'SELECT template_id, template_version FROM campaign WHERE id = $1', [campaignId]);
      const templateId = Number(rows[0].template_id);
      const templateVersion = rows[0].template_version;
      // The same contacts (names drawn with the same seed) for each provider.
      const { ids, texts, usedNames } = await createContacts(db.pool, campaignId, names, amounts, mulberry32(13));
      const textList = [...texts];

      // Bare: the fake alone, the very texts the cold run needs, at the same concurrency; before
      // and after the prepare runs, since other work on the machine comes and goes.
      const bareRun = async (label: string) => {
        const start = fake.stats().total;
        const bare = await timed(textList.length, async (i) => {
          if ((await speechProviders[provider].synthesize({ text: textList[i], settings })).length < 2) throw new Error('no audio');
        });
        runs.push({ label: `bare fake ${api} ${label}`, items: textList.length, ...bare, requests: fake.stats().total - start, load: load() });
      };
      await bareRun('before');

      const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-speech-'));
      dirs.push(dir);
      const store: FileAudioStore = createAudioStore({
        dir, mediaPrefix: dir, maxBytes: 2 * 1024 ** 3, providers: speechProviders,
      });
      const prepareAll = async (label: string) => {
        const start = fake.stats().total;
        const r = await timed(ids.length, async (i) => {
          const out = await prepareMessage({ pool: db.pool, audio: store }, { campaignId, contactId: ids[i], templateId, templateVersion });
          if (out.media.length !== 1 || out.durationMs < 1000) throw new Error(`contact ${ids[i]}: no message audio`);
        });
        runs.push({ label: `prepare ${api} ${label}`, items: ids.length, ...r, requests: fake.stats().total - start, load: load() });
      };
      const before = fake.stats().total;
      await prepareAll('cold');
      const coldRequests = fake.stats().total - before;
      if (coldRequests !== texts.size) throw new Error(`cold run: ${coldRequests} synthesis requests, expected ${texts.size} (one per distinct text)`);
      await prepareAll('warm');
      await bareRun('after');
      const { rows: prepared } = await db.pool.query<{ n: number; keys: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT p.audio_key)::int AS keys FROM prepared_message p JOIN contact c ON c.id = p.contact_id WHERE c.campaign_id = $1`,
        [campaignId]);
      const files = readdirSync(dir).filter((f) => f.endsWith('.sln')).length;
      process.stdout.write(`${api}: ${texts.size} distinct texts (1 greeting + ${usedNames} names drawn + ${texts.size - usedNames - 1} amounts), ${prepared[0].n} prepared messages, ${prepared[0].keys} distinct messages, ${files} files in the cache\n`);
      if (fake.stats().rejected !== 0) throw new Error(`the fake rejected ${fake.stats().rejected} requests`);
    }

    const rowsOut = runs.map((r) => {
      const unit = r.label.startsWith('bare') ? 'req' : 'contacts';
      return [r.label, String(r.items), r.seconds.toFixed(1), `${(r.items / r.seconds).toFixed(1)} ${unit}/s`,
        quantile(r.latencies, 0.5).toFixed(0), quantile(r.latencies, 0.95).toFixed(0),
        r.label.startsWith('bare') ? '-' : (r.requests / r.items).toFixed(3), r.load];
    });
    const header = ['run', 'items', 'wall s', 'rate', 'p50 ms', 'p95 ms', 'synth req / contact', 'load after'];
    process.stdout.write(`| ${header.join(' | ')} |\n|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|\n`);
    for (const r of rowsOut) process.stdout.write(`| ${r.join(' | ')} |\n`);
    for (const api of providers) {
      const bare = runs.filter((r) => r.label.startsWith(`bare fake ${api} `)).map((r) => r.seconds);
      const cold = runs.find((r) => r.label === `prepare ${api} cold`);
      if (bare.length && cold) {
        process.stdout.write(`${api}: cold prepare wall time / bare wall time for the same syntheses: ${bare.map((b) => (cold.seconds / b).toFixed(2)).join(' (before), ')} (after)\n`);
      }
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await db.drop();
    await fake.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
