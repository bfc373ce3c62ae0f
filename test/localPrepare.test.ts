import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type Payload } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareFromCache, prepareMessage, type PrepareRequest } from '../activities/prepare';
import { warmTemplate } from '../activities/warmTemplate';
import { createAudioStore, type FileAudioStore } from '../adapters/speech/audioStore';
import { createOfflineVoice } from '../adapters/speech/offlineVoice';
import type { SpeechProvider } from '../adapters/speech/speechPort';
import { AesGcmPayloadCodec } from '../adapters/temporal/payloadCodec';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { campaignWorkflowId, contactWorkflowId } from '../domain/ids';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// The lean prepare (patched 'prepare-local-when-cached'): a message whose pieces are all in the
// speech store is prepared by the local activity prepareFromCache, exactly as prepareMessage
// would; anything else is a miss that writes nothing and leaves the work (and the failure
// handling) to the prepareMessage activity. Real Postgres, a real store on disk, the offline voice.

jest.setTimeout(300_000);

let world: StackWorld;
let dir: string;
let store: FileAudioStore;
/** Requests that reached the offline voice: the local step must make none. */
let syntheses = 0;

beforeAll(async () => {
  world = await startWorld();
  dir = mkdtempSync(join(tmpdir(), 'dialer-local-prepare-'));
  const voice = createOfflineVoice();
  const counted: SpeechProvider = {
    name: 'offline',
    synthesize: (req) => {
      syntheses++;
      return voice.synthesize(req);
    },
  };
  store = createAudioStore({ dir, mediaPrefix: dir, maxBytes: 50 * 1024 * 1024, providers: { offline: counted } });
});
afterAll(async () => {
  await world?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const deps = () => ({ pool: world.db.pool, audio: store });

/** A campaign on `body` (offline voice) with one contact, named `name`; the prepare request for it. */
async function oneContact(body: string, name = 'Тестов Тест', variables: Record<string, string> = {}): Promise<PrepareRequest> {
  const campaignId = await createTestCampaign(world.db.pool, { template: body, state: 'draft' });
  const contactId = await insertContact(world.db.pool, campaignId, 'c1', ['+79160000010'], variables, name);
  const { rows } = await world.db.pool.query('SELECT template_id FROM campaign WHERE id = $1', [campaignId]);
  return { campaignId, contactId, templateId: Number(rows[0].template_id), templateVersion: null };
}

const preparedRows = async (contactId: number) => (await world.db.pool.query(
  'SELECT template_id, template_version, text, audio_key, duration_ms FROM prepared_message WHERE contact_id = $1', [contactId])).rows;

const waitRows = async (contactId: number) => (await world.db.pool.query(
  'SELECT reason, detail FROM contact_wait WHERE contact_id = $1', [contactId])).rows;

describe('prepareFromCache, the activity', () => {
  test('a template without personal pieces, warmed, is prepared with the same row and media prepareMessage gives, asking no provider', async () => {
    const q = await oneContact('Здравствуйте! Это тестовый звонок банка «Ромашка».');
    expect(await warmTemplate(deps(), q.campaignId)).toEqual({ spoken: 1, clips: 0 });
    const before = syntheses;

    const local = await prepareFromCache(deps(), q);
    expect(syntheses).toBe(before);
    expect(local).not.toHaveProperty('miss');
    if ('miss' in local) throw new Error('a miss');
    const localRows = await preparedRows(q.contactId);
    expect(localRows).toHaveLength(1);
    expect(localRows[0].audio_key).toMatch(/^[0-9a-f]{64}$/);
    expect(local.media).toEqual([store.media(localRows[0].audio_key)]);
    expect(local.durationMs).toBeGreaterThan(500);
    expect(await store.read(localRows[0].audio_key)).not.toBeNull();

    // The activity's own answer for the same contact: the same row (rewritten in place) and media.
    const remote = await prepareMessage(deps(), q);
    expect(remote).toEqual(local);
    expect(await preparedRows(q.contactId)).toEqual(localRows);
  });

  test('a personal piece not spoken yet is a miss that writes no row and asks no provider; once spoken, a hit', async () => {
    const name = `Локальный ${randomBytes(3).toString('hex')}`;
    const q = await oneContact('Здравствуйте, {{NAME}}. Это тестовый звонок.', name);
    await warmTemplate(deps(), q.campaignId);
    const before = syntheses;

    expect(await prepareFromCache(deps(), q)).toEqual({ miss: true });
    expect(syntheses).toBe(before);
    expect(await preparedRows(q.contactId)).toEqual([]);

    const remote = await prepareMessage(deps(), q);
    expect(syntheses).toBe(before + 1);
    const again = await prepareFromCache(deps(), q);
    expect(syntheses).toBe(before + 1);
    expect(again).toEqual(remote);
  });

  test('a template variable error is a miss with no row and no wait; prepareMessage still raises it', async () => {
    const q = await oneContact('Ваш долг {{DEBT|money}}.', 'Тестов Тест', { BALANCE: '-100.00' });
    await warmTemplate(deps(), q.campaignId);

    expect(await prepareFromCache(deps(), q)).toEqual({ miss: true });
    expect(await preparedRows(q.contactId)).toEqual([]);
    expect(await waitRows(q.contactId)).toEqual([]);

    const failure = await prepareMessage(deps(), q).then(() => null, (err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe('TemplateVariableError');
    expect(await waitRows(q.contactId)).toEqual([{ reason: 'speech_failure', detail: 'TemplateVariableError DEBT' }]);
  });

  test('a deleted contact is a miss (prepareMessage names it)', async () => {
    const q = await oneContact('Здравствуйте! Это тестовый звонок банка «Ромашка».');
    await world.db.pool.query('DELETE FROM contact WHERE id = $1', [q.contactId]);
    expect(await prepareFromCache(deps(), q)).toEqual({ miss: true });
    const failure = await prepareMessage(deps(), q).then(() => null, (err: unknown) => err);
    expect((failure as ApplicationFailure).type).toBe('ContactNotFoundError');
  });
});

describe('the contact workflow on the real worker', () => {
  /** A running campaign on `body` with one answering contact; waits until it completes. */
  async function runOne(body: string, name: string, n: number): Promise<{ campaignId: string; contactId: number; handle: WorkflowHandle }> {
    const { pool } = world.db;
    const campaignId = await createTestCampaign(pool, { template: body, state: 'draft', maxAttemptsPerNumber: 1, ringTimeoutSeconds: 5 });
    const contactId = await insertContact(pool, campaignId, 'c0', [`+7916${n}0000010`], {}, name);
    await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    expect(await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result()).toMatchObject({ state: 'completed' });
    return { campaignId, contactId, handle: world.client.workflow.getHandle(contactWorkflowId(campaignId, 'c0')) };
  }

  const codec = () => new AesGcmPayloadCodec(world.config.DIALER_PAYLOAD_KEYS);

  /** The normal activities the contact's history scheduled, by type, with their decoded inputs. */
  async function scheduled(handle: WorkflowHandle): Promise<{ type: string; input: unknown[] }[]> {
    const history = await handle.fetchHistory();
    const out: { type: string; input: unknown[] }[] = [];
    for (const e of history.events ?? []) {
      const a = e.activityTaskScheduledEventAttributes;
      if (!a) continue;
      const plain = await codec().decode((a.input?.payloads ?? []) as Payload[]);
      out.push({ type: a.activityType?.name ?? '', input: plain.map((p) => JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8'))) });
    }
    return out;
  }

  /** The local activities the history recorded (their markers), by type. */
  async function localTypes(handle: WorkflowHandle): Promise<string[]> {
    const history = await handle.fetchHistory();
    const types: string[] = [];
    for (const e of history.events ?? []) {
      const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0];
      if (!data) continue;
      const [plain] = await codec().decode([data as Payload]);
      const marker = JSON.parse(Buffer.from(plain.data ?? new Uint8Array()).toString('utf8')) as { activity_type?: string };
      if (marker.activity_type) types.push(marker.activity_type);
    }
    return types;
  }

  async function calledMedia(handle: WorkflowHandle): Promise<unknown> {
    const call = (await scheduled(handle)).find((a) => a.type === 'call');
    return (call?.input[0] as { media?: unknown } | undefined)?.media;
  }

  test('a message all in the store (warmed by the campaign) runs no prepareMessage activity and calls with its media', async () => {
    const { contactId, handle } = await runOne('Здравствуйте! Это второй тестовый звонок банка «Ромашка».', 'Тестов Тест', 1);
    expect((await scheduled(handle)).map((a) => a.type)).toEqual(['call']);
    // The cached prepare runs inside the contact's first local step ('lean-attempt').
    expect(await localTypes(handle)).toEqual(['openAndGate', 'recordAndFinish']);
    const [row] = await preparedRows(contactId);
    expect(row.audio_key).toMatch(/^[0-9a-f]{64}$/);
    expect(await calledMedia(handle)).toEqual([`sound:${world.config.SPEECH_MEDIA_PREFIX}/${row.audio_key}`]);
    const { rows } = await world.db.pool.query('SELECT outcome, message_text FROM attempt WHERE contact_id = $1', [contactId]);
    expect(rows).toEqual([{ outcome: 'answered', message_text: 'Здравствуйте! Это второй тестовый звонок банка «Ромашка».' }]);
  });

  test('a personal piece not spoken yet runs the prepareMessage activity, then the call with its media', async () => {
    const name = `Удалённый ${randomBytes(3).toString('hex')}`;
    const { contactId, handle } = await runOne('Здравствуйте, {{NAME}}. Это тестовый звонок.', name, 2);
    expect((await scheduled(handle)).map((a) => a.type)).toEqual(['prepareMessage', 'call']);
    // The cached prepare runs inside the contact's first local step ('lean-attempt').
    expect(await localTypes(handle)).toEqual(['openAndGate', 'recordAndFinish']);
    const [row] = await preparedRows(contactId);
    expect(await calledMedia(handle)).toEqual([`sound:${world.config.SPEECH_MEDIA_PREFIX}/${row.audio_key}`]);
  });
});
