import type { WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { startFakeSpeechKit, type FakeSpeechKit } from '../apps/fake-speechkit/fakeSpeechKit';
import { readCampaignWaits } from '../adapters/postgres/waits';
import { AesGcmPayloadCodec } from '../adapters/temporal/payloadCodec';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { campaignWorkflowId, contactWorkflowId } from '../domain/ids';
import { renderPieces, staticPieces } from '../domain/messageTemplate';
import { campaignChangedSignal } from '../workflows/signals';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// The prepare step on the real stack: Postgres, the Temporal dev server, the ARI simulator, and
// the fake SpeechKit server (its own HTTP server, real audio) spoken to by the real v3 client
// through the worker's speech cache. What it costs (synthesis requests), what an outage does (no
// call without its message), and what stays out of the workflows' histories (names, amounts).

jest.setTimeout(420_000);

const API_KEY = `key-${randomBytes(6).toString('hex')}`;
const FOLDER = 'b1g-test-folder';
// Three fragments: a greeting said the same to everyone, the name, the amount.
const BODY = 'Здравствуйте! Вас беспокоит банк «Ромашка» по поводу задолженности. {{NAME}} {{BALANCE|money}}';
const SPEECH = { provider: 'speechkit-v3' as const, voice: 'alena' };

let fake: FakeSpeechKit;
let world: StackWorld;
let templateId: number;

beforeAll(async () => {
  fake = await startFakeSpeechKit({ port: 0, apiKey: API_KEY, folderId: FOLDER });
  world = await startWorld({}, {
    env: { SPEECHKIT_API_KEY: API_KEY, SPEECHKIT_FOLDER_ID: FOLDER, SPEECHKIT_V3_URL: fake.url, SPEECHKIT_V1_URL: fake.url },
  });
});
afterAll(async () => {
  await world?.close();
  await fake?.close();
});

const SURNAMES = ['Иванов', 'Петров', 'Сидоров', 'Кузнецов', 'Смирнов', 'Попов', 'Лебедев', 'Козлов', 'Новиков', 'Морозов'];
const FIRST = ['Иван', 'Пётр', 'Сергей', 'Андрей', 'Олег'];
/** 50 distinct names and 40 distinct amounts (debts): 100 contacts share them. */
const NAMES = SURNAMES.flatMap((s) => FIRST.map((f) => `${s} ${f}`));
const AMOUNTS = Array.from({ length: 40 }, (_, i) => `-${1000 + i * 37}.50`);
/** Names and amounts no other campaign of this file uses. */
const fresh = (tag: string, n: number) => ({
  names: Array.from({ length: n }, (_, i) => `Клиентов ${tag} ${['Аркадий', 'Борис', 'Вадим', 'Глеб', 'Денис', 'Евгений', 'Жорж', 'Захар', 'Игорь', 'Кирилл'][i % 10]}${'а'.repeat(Math.floor(i / 10))}`),
  amounts: Array.from({ length: n }, (_, i) => `-${(tag.length * 100_000) + 70_001 + i * 113}.25`),
});

/** An answering number per index (the simulator answers numbers ending in 0-3). */
const number = (campaign: number, i: number) => `+7916${campaign}${String(i).padStart(5, '0')}0`;

async function runCampaign(
  contacts: { name: string; amount: string }[], n: number, opts: { templateId?: number } = {},
): Promise<{ campaignId: string; contactIds: number[] }> {
  const { pool } = world.db;
  const campaignId = `t-${randomBytes(4).toString('hex')}`;
  await createTestCampaign(pool, {
    id: campaignId, state: 'draft', maxAttemptsPerNumber: 1, ringTimeoutSeconds: 5, maxInFlight: 20,
    ...(opts.templateId ? { templateId: opts.templateId } : { template: BODY, speech: SPEECH }),
  });
  const contactIds: number[] = [];
  for (const [i, c] of contacts.entries()) {
    contactIds.push(await insertContact(pool, campaignId, `c${i}`, [number(n, i)], { BALANCE: c.amount }, c.name));
  }
  await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
  return { campaignId, contactIds };
}

const finished = (campaignId: string) => world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();

/** Every text in a workflow's history, payloads decoded (they are base64 JSON in the history's JSON). */
/** A payload of the history as text: decrypted with the test worker's keys (docs/payloadEncryption.md). */
async function payloadText(p: Payload): Promise<string> {
  const [plain] = await new AesGcmPayloadCodec(world.config.DIALER_PAYLOAD_KEYS).decode([p]);
  return Buffer.from(plain.data ?? new Uint8Array()).toString('utf8');
}

/** The history and every payload in it, decrypted, as one text to search. */
async function historyText(handle: WorkflowHandle): Promise<string> {
  const history = await handle.fetchHistory();
  const payloads: Payload[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (!v || typeof v !== 'object' || v instanceof Uint8Array) return;
    const o = v as Record<string, unknown>;
    if (o.data instanceof Uint8Array && o.metadata && typeof o.metadata === 'object') payloads.push(o as Payload);
    Object.values(o).forEach(walk);
  };
  walk(history);
  return [JSON.stringify(history), ...await Promise.all(payloads.map(payloadText))].join('\n');
}

const staticCount = staticPieces(BODY, {}).length;

describe('a campaign of 100 contacts on one template of three fragments', () => {
  let first: { campaignId: string; contactIds: number[] };
  const contacts = Array.from({ length: 100 }, (_, i) => ({ name: NAMES[i % NAMES.length], amount: AMOUNTS[i % AMOUNTS.length] }));
  let requests = 0;

  beforeAll(async () => {
    const before = fake.stats().total;
    first = await runCampaign(contacts, 1);
    expect(await finished(first.campaignId)).toMatchObject({ state: 'completed', contactsStarted: 100 });
    requests = fake.stats().total - before;
    const { rows } = await world.db.pool.query('SELECT template_id FROM campaign WHERE id = $1', [first.campaignId]);
    templateId = Number(rows[0].template_id);
  });

  it('asks the speech service once per static fragment and once per distinct personal text, not 300 times', () => {
    expect(staticCount).toBe(1);
    // 50 names + 40 amounts in words + the greeting = 91
    expect(requests).toBe(staticCount + NAMES.length + AMOUNTS.length);
  });

  it('calls every contact once, with the whole message in the attempt row', async () => {
    const { rows } = await world.db.pool.query(
      `SELECT c.full_name, v.value AS balance, a.outcome, a.message_text
         FROM contact c JOIN contact_variable v ON v.contact_id = c.id AND v.name = 'BALANCE'
         JOIN attempt a ON a.contact_id = c.id WHERE c.campaign_id = $1`, [first.campaignId]);
    expect(rows).toHaveLength(100);
    for (const r of rows) {
      expect(r.outcome).toBe('answered');
      expect(r.message_text).toBe(renderPieces(BODY, { NAME: r.full_name, BALANCE: r.balance }, {}).text);
    }
  });

  it('keeps one prepared message per contact, its audio as long as the pieces it is made of', async () => {
    const { rows } = await world.db.pool.query(
      `SELECT p.audio_key, p.duration_ms FROM prepared_message p JOIN contact c ON c.id = p.contact_id WHERE c.campaign_id = $1`,
      [first.campaignId]);
    expect(rows).toHaveLength(100);
    for (const r of rows) {
      expect(r.audio_key).toMatch(/^[0-9a-f]{64}$/);
      expect(r.duration_ms).toBeGreaterThan(1000);
    }
  });

  it("keeps the contact's name and amount out of its workflow's history", async () => {
    for (const i of [0, 1, 57]) {
      const handle = world.client.workflow.getHandle(contactWorkflowId(first.campaignId, `c${i}`));
      const text = await historyText(handle);
      // The activity, or the local step when every piece was cached already (a later contact with
      // heard texts): under 'lean-attempt' the first local step, which also reads the plan and asks the gate.
      expect(text).toMatch(/prepareMessage|prepareFromCache|openAndGate/);
      expect(text).toContain(number(1, i)); // the payloads were decoded: the gate's question names the number
      const said = renderPieces(BODY, { NAME: contacts[i].name, BALANCE: contacts[i].amount }, {});
      for (const secret of [contacts[i].name, contacts[i].amount, said.text, ...said.pieces.flatMap((p) => (p.kind === 'personal' ? [p.text] : []))]) {
        expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
      }
    }
  });

  it('a second campaign on the same template version asks only for the personal texts it has not heard', async () => {
    const known = contacts.slice(0, 10);
    const novel = fresh('второй', 10);
    const second = [...known, ...novel.names.map((name, i) => ({ name, amount: novel.amounts[i] }))];
    const before = fake.stats().total;
    const run = await runCampaign(second, 2, { templateId });
    expect(await finished(run.campaignId)).toMatchObject({ state: 'completed', contactsStarted: 20 });
    const { rows } = await world.db.pool.query('SELECT template_version FROM campaign WHERE id = ANY($1) ORDER BY id', [[first.campaignId, run.campaignId]]);
    expect(new Set(rows.map((r) => r.template_version)).size).toBe(1);
    // The greeting and the first ten contacts' names and amounts are in the cache: 10 new names + 10 new amounts.
    expect(fake.stats().total - before).toBe(20);
  });
});

test('a template that says nothing (punctuation only) calls with no media, its text on the attempt', async () => {
  const { pool } = world.db;
  const campaignId = `t-${randomBytes(4).toString('hex')}`;
  await createTestCampaign(pool, { id: campaignId, state: 'draft', maxAttemptsPerNumber: 1, template: '…!' });
  await insertContact(pool, campaignId, 'quiet', [number(6, 1)]);
  await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
  expect(await finished(campaignId)).toMatchObject({ state: 'completed' });
  const { rows } = await pool.query(
    `SELECT a.outcome, a.message_text, p.audio_key, p.duration_ms FROM attempt a JOIN prepared_message p ON p.contact_id = a.contact_id
      WHERE a.campaign_id = $1`, [campaignId]);
  expect(rows).toEqual([{ outcome: 'answered', message_text: '…!', audio_key: '', duration_ms: 0 }]);
});

describe('a speech service in trouble', () => {
  const originatesOf = (campaignId: string) => world.db.pool.query<{ channel_id: string }>(
    'SELECT channel_id FROM attempt WHERE campaign_id = $1 AND channel_id IS NOT NULL', [campaignId]);

  afterEach(() => fake.setFaults({}));

  it('a 429 is retried with backoff and the contact is called', async () => {
    const one = fresh('четыреста', 1);
    fake.setFaults({ failNext: { status: 429, count: 2 } });
    const before = fake.stats();
    const run = await runCampaign([{ name: one.names[0], amount: one.amounts[0] }], 3, { templateId });
    expect(await finished(run.campaignId)).toMatchObject({ state: 'completed' });
    const { rows } = await world.db.pool.query('SELECT outcome FROM attempt WHERE campaign_id = $1', [run.campaignId]);
    expect(rows).toEqual([{ outcome: 'answered' }]);
    expect((fake.stats().byStatus['429'] ?? 0) - (before.byStatus['429'] ?? 0)).toBe(2);
    // Retried by Temporal: the prepare activity that succeeded was not its first attempt.
    const history = await world.client.workflow.getHandle(contactWorkflowId(run.campaignId, 'c0')).fetchHistory();
    const started = history.events!.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
    expect(Math.max(...started.map(Number))).toBeGreaterThan(1);
  });

  it('a 401 fails prepare with a named error, the contact waits (speech_failure) and nothing is dialled; it calls once the key is good', async () => {
    const one = fresh('отказ', 1);
    fake.setFaults({ failNext: { status: 401, count: 1_000_000 } });
    const originatesBefore = world.sim.originates().length;
    const run = await runCampaign([{ name: one.names[0], amount: one.amounts[0] }], 4, { templateId });
    const contactId = run.contactIds[0];
    const wait = await waitFor(async () => {
      const { rows } = await world.db.pool.query('SELECT reason, detail FROM contact_wait WHERE contact_id = $1', [contactId]);
      return rows[0]?.reason === 'speech_failure' ? rows[0] : null;
    });
    expect(wait).toEqual({ reason: 'speech_failure', detail: 'SpeechRejectedError 401' });
    // "Why is nothing dialing?" names it.
    const waits = await readCampaignWaits(world.db.pool, run.campaignId);
    expect(waits?.groups).toContainEqual(expect.objectContaining({ group: 'speech_failure', detail: 'SpeechRejectedError 401', contacts: 1 }));
    const handle = world.client.workflow.getHandle(contactWorkflowId(run.campaignId, 'c0'));
    const failed = (await handle.fetchHistory()).events!.find((e) => e.activityTaskFailedEventAttributes);
    expect(failed?.activityTaskFailedEventAttributes?.failure?.cause?.applicationFailureInfo?.type
      ?? failed?.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type).toBe('SpeechRejectedError');
    // The failure's message is encrypted with the payloads (it may quote what the service said).
    const failure = failed?.activityTaskFailedEventAttributes?.failure;
    const message = failure?.encodedAttributes
      ? (JSON.parse(await payloadText(failure.encodedAttributes as Payload)) as { message: string }).message : failure?.message;
    expect(message).toMatch(/401/);
    // Not retried into a call: a moment later, still no originate and no attempt.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(world.sim.originates().length).toBe(originatesBefore);
    expect((await originatesOf(run.campaignId)).rows).toEqual([]);
    const { rows: attempts } = await world.db.pool.query('SELECT count(*)::int AS n FROM attempt WHERE campaign_id = $1', [run.campaignId]);
    expect(attempts[0].n).toBe(0);

    // The key is good again; a change of the campaign wakes the contact before its re-check.
    fake.setFaults({});
    await handle.signal(campaignChangedSignal);
    expect(await finished(run.campaignId)).toMatchObject({ state: 'completed' });
    const { rows } = await world.db.pool.query('SELECT outcome FROM attempt WHERE campaign_id = $1', [run.campaignId]);
    expect(rows).toEqual([{ outcome: 'answered' }]);
  });

  it('a slow server holds no channel: no lease and no originate while prepare waits for it', async () => {
    const one = fresh('медленно', 1);
    const DELAY_MS = 4000;
    fake.setFaults({ delayMs: DELAY_MS });
    const requestsBefore = fake.stats().total;
    const run = await runCampaign([{ name: one.names[0], amount: one.amounts[0] }], 5, { templateId });
    const askedAt = await waitFor(async () => (fake.stats().total > requestsBefore ? Date.now() : null));
    // While the first synthesis is held: no channel taken, nothing originated.
    for (let t = Date.now(); Date.now() - t < DELAY_MS - 1000;) {
      const { rows } = await world.db.pool.query('SELECT count(*)::int AS n FROM channel_lease WHERE campaign_id = $1', [run.campaignId]);
      expect(rows[0].n).toBe(0);
      expect((await originatesOf(run.campaignId)).rows).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await finished(run.campaignId)).toMatchObject({ state: 'completed' });
    const { rows } = await world.db.pool.query('SELECT outcome, started_at FROM attempt WHERE campaign_id = $1', [run.campaignId]);
    expect(rows.map((r) => r.outcome)).toEqual(['answered']);
    expect(rows[0].started_at.getTime()).toBeGreaterThanOrEqual(askedAt + DELAY_MS - 500);
  });
});

async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
