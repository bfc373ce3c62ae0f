import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { gate, gateForCall } from '../activities/gate';
import { gateAndPrepare, openAndGate } from '../activities/leanAttempt';
import { plan } from '../activities/plan';
import { prepareFromCache } from '../activities/prepare';
import { finish, record, recordAndFinish } from '../activities/record';
import { warmTemplate } from '../activities/warmTemplate';
import { createAudioStore, type FileAudioStore } from '../adapters/speech/audioStore';
import { createOfflineVoice } from '../adapters/speech/offlineVoice';
import type { AttemptRecord } from '../domain/types';
import { createTestCampaign, insertContact } from './fixtures';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// What one attempt costs Postgres, step by step, before and under 'lean-attempt': the round
// trips (statements, BEGIN and COMMIT included) and the transactions (a statement outside one
// is its own) of the steps around the call, on a real Postgres, a warmed template and a real
// speech store. The call activity's own statements (the channel slot, the gate's last check
// with the reservation, the originate's admission) are the same in both shapes and not counted.
// BENCHMARKS.md ("Where the time goes") gives the figures this prints with LEAN_COUNTS=1.

jest.setTimeout(120_000);

let db: TestDatabase;
let dir: string;
let store: FileAudioStore;

/** Every statement sent, and whether it went through a checked-out client (inside BEGIN … COMMIT) or the pool. */
const sent: { text: string; pooled: boolean }[] = [];
const textOf = (q: unknown): string => (typeof q === 'string' ? q : (q as { text?: string }).text ?? '');
const wrapped = new WeakSet<PoolClient>();
/** Pool queries under way (the steps send one statement at a time). */
let pooledQueries = 0;

/** The pool as the steps see it, counting what they send. */
function counting(pool: Pool): Pool {
  return new Proxy(pool, {
    get(target, key) {
      if (key === 'query') {
        return async (...args: unknown[]) => {
          sent.push({ text: textOf(args[0]), pooled: true });
          // The pool runs it on a client, perhaps one counted below: not counted twice.
          pooledQueries++;
          try {
            return await (target.query as (...a: unknown[]) => Promise<unknown>)(...args);
          } finally {
            pooledQueries--;
          }
        };
      }
      if (key === 'connect') {
        return async () => {
          const client = await target.connect();
          if (!wrapped.has(client)) {
            wrapped.add(client);
            const query = client.query.bind(client) as (...a: unknown[]) => unknown;
            (client as { query: unknown }).query = (...args: unknown[]) => {
              if (pooledQueries === 0) sent.push({ text: textOf(args[0]), pooled: false });
              return query(...args);
            };
          }
          return client;
        };
      }
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Round trips and transactions of what `work` sent. */
async function cost(work: () => Promise<unknown>): Promise<{ roundTrips: number; transactions: number }> {
  sent.length = 0;
  await work();
  const roundTrips = sent.length;
  const transactions = sent.filter((s) => s.pooled).length + sent.filter((s) => !s.pooled && /^\s*BEGIN/i.test(s.text)).length;
  return { roundTrips, transactions };
}

const BODY = 'Здравствуйте! Это тестовый звонок банка «Ромашка».';
let campaignId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'dialer-lean-counts-'));
  store = createAudioStore({ dir, mediaPrefix: dir, maxBytes: 50 * 1024 * 1024, providers: { offline: createOfflineVoice() } });
  campaignId = await createTestCampaign(db.pool, { template: BODY });
  await warmTemplate({ pool: db.pool, audio: store }, campaignId);
});
afterAll(async () => {
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** A new contact of the campaign, the gate's kept rules warm (as on a worker that has called the campaign before). */
async function newContact(): Promise<{ contactId: number; e164: string; templateId: number; templateVersion: number }> {
  n++;
  const e164 = `+7916400${String(n).padStart(4, '0')}`;
  const contactId = await insertContact(db.pool, campaignId, `c${n}`, [e164]);
  await gate(db.pool, { campaignId, contactId, e164, zones: ['Europe/Moscow'], nowMs: Date.now(), checkWindow: false });
  const { rows } = await db.pool.query('SELECT template_id, template_version FROM campaign WHERE id = $1', [campaignId]);
  return { contactId, e164, templateId: Number(rows[0].template_id), templateVersion: Number(rows[0].template_version) };
}

/** The call activity's reservation (not counted) and the attempt row of an answered call. */
async function answeredCall(c: { contactId: number; e164: string }, preparedId: number | null, seq: number): Promise<AttemptRecord> {
  const channelId = `lean-counts-${c.contactId}-${seq}`;
  const nowMs = Date.now();
  const { decision } = await gateForCall(db.pool, {
    campaignId, contactId: c.contactId, e164: c.e164, zones: ['Europe/Moscow'], nowMs, checkWindow: true, reserve: { channelId },
  });
  const at = new Date(nowMs).toISOString();
  return {
    workflowId: `contact/${campaignId}/${c.contactId}`, seq, campaignId, contactId: c.contactId, phonePosition: 1, e164: c.e164,
    numberAttempt: seq, messageText: null, preparedId, countUnanswered: false, zones: ['Europe/Moscow'],
    result: { outcome: 'answered', gate: decision, channelId, hangupCause: 16, dtmf: null, listenedMs: 9000, startedAt: at, answeredAt: at, endedAt: at },
  };
}

test('a contact answered at once: plan, gate, prepare, record, finish before; openAndGate and recordAndFinish under the lean attempt', async () => {
  const pool = counting(db.pool);
  const deps = { pool, audio: store };
  const zones = ['Europe/Moscow'];

  const a = await newContact();
  const request = { campaignId, contactId: a.contactId, templateId: a.templateId, templateVersion: a.templateVersion };
  let preparedId: number | null = null;
  const before = {
    plan: await cost(() => plan(pool, a.contactId)),
    gate: await cost(() => gate(pool, { campaignId, contactId: a.contactId, e164: a.e164, zones, nowMs: Date.now(), checkWindow: false })),
    prepareFromCache: await cost(async () => {
      const p = await prepareFromCache(deps, request);
      if ('miss' in p) throw new Error('a miss');
      preparedId = p.preparedId;
    }),
    record: { roundTrips: 0, transactions: 0 },
    finish: { roundTrips: 0, transactions: 0 },
  };
  const rowA = await answeredCall(a, preparedId, 1);
  before.record = await cost(() => record(pool, rowA));
  before.finish = await cost(() => finish(pool, a.contactId, 'done', 'answered'));

  const b = await newContact();
  let leanPrepared: number | null = null;
  const lean = {
    openAndGate: await cost(async () => {
      const o = await openAndGate(deps, Date.now(), b.contactId);
      const p = o.first?.prepared;
      if (!o.first?.gate.allowed || !p || 'miss' in p) throw new Error(`not allowed and prepared: ${JSON.stringify(o.first)}`);
      leanPrepared = p.preparedId;
    }),
    recordAndFinish: { roundTrips: 0, transactions: 0 },
  };
  const rowB = await answeredCall(b, leanPrepared, 1);
  lean.recordAndFinish = await cost(() => recordAndFinish(pool, rowB, { state: 'done', outcome: 'answered' }));

  // A later attempt of a contact (a retry): gate, prepare, record before; gateAndPrepare and record under it.
  const retryBefore = {
    gate: await cost(() => gate(pool, { campaignId, contactId: a.contactId, e164: a.e164, zones, nowMs: Date.now(), checkWindow: false })),
    prepareFromCache: await cost(() => prepareFromCache(deps, request)),
    record: await cost(async () => record(pool, await answeredCall(a, preparedId, 2))),
  };
  const retryLean = {
    gateBeforeTheWait: await cost(() => gateAndPrepare(deps, Date.now(), { campaignId, contactId: b.contactId, e164: b.e164, zones, prepare: null })),
    gateAndPrepare: await cost(() => gateAndPrepare(deps, Date.now(), {
      campaignId, contactId: b.contactId, e164: b.e164, zones,
      prepare: { campaignId, contactId: b.contactId, templateId: b.templateId, templateVersion: b.templateVersion },
    })),
  };

  const sum = (o: Record<string, { roundTrips: number; transactions: number }>) => Object.values(o).reduce(
    (t, c) => ({ roundTrips: t.roundTrips + c.roundTrips, transactions: t.transactions + c.transactions }), { roundTrips: 0, transactions: 0 });
  if (process.env.LEAN_COUNTS) {
    process.stdout.write(`${JSON.stringify({ before, lean, retryBefore, retryLean, totals: { before: sum(before), lean: sum(lean) } }, null, 1)}\n`);
  }

  // One transaction for each lean step, and fewer round trips than the steps it folds.
  expect(lean.openAndGate.transactions).toBe(1);
  expect(lean.recordAndFinish.transactions).toBe(1);
  expect(retryLean.gateAndPrepare.transactions).toBe(1);
  expect(retryLean.gateBeforeTheWait).toEqual(retryBefore.gate);
  expect(sum(lean).transactions).toBeLessThan(sum(before).transactions);
  expect(sum(lean).roundTrips).toBeLessThan(sum(before).roundTrips);
  expect(lean.recordAndFinish.roundTrips).toBeLessThan(before.record.roundTrips + before.finish.roundTrips);
});
