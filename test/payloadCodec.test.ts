import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { randomBytes } from 'node:crypto';
import { insertApiKey, type ApiRole } from '../adapters/postgres/apiAccess';
import { AesGcmPayloadCodec } from '../adapters/temporal/payloadCodec';
import { connectClient, connectWorker, dataConverter } from '../adapters/temporal/connections';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { startCodecServer, type CodecServer } from '../apps/codec-server/codecServer';
import { newSecret } from '../common/apiSecrets';
import { readEnv, temporalEnv, type PayloadKey } from '../common/config';
import { campaignWorkflowId, contactWorkflowId } from '../domain/ids';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// Personal data in Temporal: a campaign runs on the real dev server through the product's
// worker and client with a payload key of this file's own (k1); the raw histories, read by a
// client without the codec, hold neither the number, nor the name, nor the amount. The codec
// server opens them for an admin only, and after a rotation to k2 (k1 kept) they still open.

jest.setTimeout(180_000);

const keyText = (id: string): string => `${id}:${randomBytes(32).toString('base64')}`;
const K1 = keyText('k1');
const K2 = keyText('k2');
const keysOf = (setting: string): PayloadKey[] => readEnv(temporalEnv, { DIALER_PAYLOAD_KEYS: setting }).DIALER_PAYLOAD_KEYS;

// Numbers the simulator answers (last digit 0), names and amounts of this run's own.
const RUN = randomBytes(3).toString('hex');
const digits = String(parseInt(RUN, 16) % 1_000_000).padStart(6, '0');
const PHONE = `+7916${digits}0`;
const NAME = `Шифрова Ирина ${RUN}`;
const AMOUNT = '-98765.43';
const UI = 'http://127.0.0.1:8233';

let world: StackWorld;
let plain: { connection: Connection; client: Client };
let server: CodecServer;
const keys = {} as Record<ApiRole, string>;
const campaignId = `pc-${RUN}`;
const externalId = 'secret-1';
const IDLE = `payload-codec-idle/${RUN}`;

beforeAll(async () => {
  world = await startWorld({}, { env: { DIALER_PAYLOAD_KEYS: K1 } });
  const connection = await Connection.connect({ address: world.config.TEMPORAL_ADDRESS });
  plain = { connection, client: new Client({ connection, namespace: world.config.TEMPORAL_NAMESPACE }) };
  for (const role of ['admin', 'viewer'] as ApiRole[]) {
    const key = newSecret('key');
    await insertApiKey(world.db.pool, { name: `codec-${role}`, role, prefix: key.prefix, sha256: key.sha256, createdBy: 'test' });
    keys[role] = key.secret;
  }
  server = await startCodecServer({
    codec: new AesGcmPayloadCodec(world.config.DIALER_PAYLOAD_KEYS), pool: world.db.pool,
    namespace: world.config.TEMPORAL_NAMESPACE, origins: [UI], host: '127.0.0.1', port: 0,
  });

  const { pool } = world.db;
  await createTestCampaign(pool, {
    id: campaignId, state: 'draft', template: 'Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}.',
    maxAttemptsPerNumber: 1, retryIntervalSeconds: 1, ringTimeoutSeconds: 5,
  });
  await insertContact(pool, campaignId, externalId, [PHONE], { BALANCE: AMOUNT }, NAME);
  await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
  await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
  // The contact workflow now carries ids where it can (the prepared message is an id): a name
  // still reaches a history through any start whose input or memo holds one, as this one's do.
  // No worker polls its queue; it is ended after the file.
  await world.client.workflow.start('contactWorkflow', {
    taskQueue: `pc-idle-${RUN}`, workflowId: IDLE, args: [{ campaignId, contactId: 0, fullName: NAME, phone: PHONE, balance: AMOUNT }],
    memo: { fullName: NAME },
  });
});

afterAll(async () => {
  await world?.client.workflow.getHandle(IDLE).terminate('test over').catch(() => undefined);
  await server?.close();
  await plain?.connection.close();
  await world?.close();
});

/** The personal data of the contact, in every form it could be stored in. */
const secrets = (): string[] => [PHONE, PHONE.slice(1), digits + '0', NAME, 'Шифрова', '98765', '98 765'];

/** A workflow's history as the server stores it, read without the codec, and its payloads with where they sit. */
async function rawHistory(workflowId: string): Promise<{ bytes: Buffer; payloads: Payload[]; paths: string[] }> {
  const history = await plain.client.workflow.getHandle(workflowId).fetchHistory();
  const payloads: Payload[] = [];
  const paths: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return;
    const o = node as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && Object.values(o.metadata).every((v) => v instanceof Uint8Array)) {
      payloads.push(o as Payload);
      paths.push(path);
      return;
    }
    for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
  };
  walk(history, '');
  return { bytes: Buffer.from(temporal.api.history.v1.History.encode(history).finish()), payloads, paths };
}

const asJson = (payloads: Payload[]) => ({
  payloads: payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
    data: Buffer.from(p.data ?? []).toString('base64'),
  })),
});

async function codecCall(url: string, path: '/decode' | '/encode', payloads: Payload[], headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': world.config.TEMPORAL_NAMESPACE, ...headers },
    body: JSON.stringify(asJson(payloads)),
  });
  return { status: res.status, headers: res.headers, body: await res.json() as { payloads?: { metadata: Record<string, string>; data: string }[]; error?: string } };
}

/** What the decoded payloads say, as text. */
const textOf = (body: { payloads?: { data: string }[] }): string =>
  (body.payloads ?? []).map((p) => Buffer.from(p.data, 'base64').toString('utf8')).join('\n');

describe('Temporal histories of a campaign run', () => {
  it('hold no number, name or amount in clear, only payloads encrypted with k1', async () => {
    for (const id of [contactWorkflowId(campaignId, externalId), campaignWorkflowId(campaignId), IDLE]) {
      const { bytes, payloads, paths } = await rawHistory(id);
      for (const secret of secrets()) expect({ id, secret, found: bytes.includes(Buffer.from(secret, 'utf8')) }).toEqual({ id, secret, found: false });
      const encrypted = payloads.filter((p) => Buffer.from(p.metadata!.encoding!).toString() === 'binary/encrypted');
      expect(encrypted.length).toBeGreaterThanOrEqual(1);
      for (const p of encrypted) expect(Buffer.from(p.metadata!['encryption-key-id']!).toString()).toBe('k1');
      // In clear: only what the SDK's core writes itself and no codec sees, none of it ours: the
      // local activities' and patches' markers (ids, times) and the patch search attribute.
      const clear = paths.filter((_, i) => !encrypted.includes(payloads[i]));
      for (const path of clear) expect(path).toMatch(/\.markerRecordedEventAttributes\.details\.(data|patch-data)\.payloads\.\d+$|\.searchAttributes\.indexedFields\.TemporalChangeVersion$/);
    }
  });

  it('cannot be read by a client without the codec, and are by the product client', async () => {
    const handle = contactWorkflowId(campaignId, externalId);
    await expect(plain.client.workflow.getHandle(handle).result()).rejects.toThrow(/binary\/encrypted/);
    await expect(world.client.workflow.getHandle(handle).result()).resolves.toMatchObject({ state: 'done' });
  });
});

describe('a failure quoting a number', () => {
  it("is kept encrypted (message and stack trace), and the product client reads it", async () => {
    const taskQueue = `pc-fail-${RUN}`;
    const connection = await connectWorker(world.config);
    const worker = await Worker.create({
      connection, namespace: world.config.TEMPORAL_NAMESPACE, taskQueue, dataConverter: dataConverter(world.config),
      workflowsPath: require.resolve('./payloadCodecWorkflows'),
      activities: { failLoudly: async (e164: string) => { throw new Error(`originate PJSIP/${e164.slice(1)}@carrier: no route to ${e164}`); } },
    });
    const workflowId = `payload-codec-fail/${RUN}`;
    const err = await worker.runUntil(world.client.workflow.execute('failingCall', { taskQueue, workflowId, args: [PHONE] }).catch((e: unknown) => e));
    await connection.close();
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const activityFailure = (err as WorkflowFailedError).cause as Error & { cause?: Error };
    expect(activityFailure.cause?.message).toContain(`no route to ${PHONE}`);
    const { bytes } = await rawHistory(workflowId);
    expect(bytes.includes(Buffer.from(PHONE.slice(1)))).toBe(false);
    expect(bytes.includes(Buffer.from('no route'))).toBe(false);
  });
});

describe('the codec server', () => {
  let payloads: Payload[];
  beforeAll(async () => {
    payloads = [...(await rawHistory(contactWorkflowId(campaignId, externalId))).payloads, ...(await rawHistory(IDLE)).payloads];
  });

  it("decodes a history's payloads for an admin key: the number, the name and the amount are in them", async () => {
    const answer = await codecCall(server.url, '/decode', payloads, { authorization: `Bearer ${keys.admin}` });
    expect(answer.status).toBe(200);
    const text = textOf(answer.body);
    expect(text).toContain(PHONE);
    expect(text).toContain(NAME);
    expect(text).toMatch(/98765/);
    // The CLI (temporal workflow show --codec-endpoint … --codec-auth 'Bearer …') sends the namespace header empty.
    expect((await codecCall(server.url, '/decode', payloads, { authorization: `Bearer ${keys.admin}`, 'x-namespace': '' })).status).toBe(200);
    const { rows } = await world.db.pool.query(
      `SELECT actor, action, entity_id, details FROM audit_log WHERE action = 'codec.decode' ORDER BY id LIMIT 1`);
    expect(rows[0]).toEqual({ actor: 'key:codec-admin', action: 'codec.decode', entity_id: world.config.TEMPORAL_NAMESPACE, details: { payloads: payloads.length } });
  });

  it('refuses everyone else: no credentials or an unknown key 401, a viewer 403, another namespace 403', async () => {
    expect((await codecCall(server.url, '/decode', payloads)).status).toBe(401);
    expect((await codecCall(server.url, '/decode', payloads, { authorization: `Bearer ${newSecret('key').secret}` })).status).toBe(401);
    const viewer = await codecCall(server.url, '/decode', payloads, { authorization: `Bearer ${keys.viewer}` });
    expect(viewer.status).toBe(403);
    expect(viewer.body.payloads).toBeUndefined();
    expect(JSON.stringify(viewer.body)).not.toContain(NAME);
    const otherNs = await codecCall(server.url, '/decode', payloads, { authorization: `Bearer ${keys.admin}`, 'x-namespace': 'elsewhere' });
    expect(otherNs.status).toBe(403);
  });

  it("answers the Temporal UI's origin with CORS and credentials, and refuses any other origin", async () => {
    const preflight = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS', headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const evil = await codecCall(server.url, '/decode', payloads, { authorization: `Bearer ${keys.admin}`, origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('signs an admin in for the browser: the cookie it sets is what the UI then sends; a viewer is not signed in', async () => {
    const signIn = (token: string) => fetch(`${server.url}/login`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString(),
    });
    const refused = await signIn(keys.viewer);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();
    const ok = await signIn(keys.admin);
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const answer = await codecCall(server.url, '/decode', payloads, { cookie: cookie.split(';')[0], origin: UI });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(UI);
    expect(textOf(answer.body)).toContain(NAME);
  });

  it('names what is wrong with a bad request, after checking who sent it', async () => {
    const post = (path: string, body: string, auth = keys.admin) => fetch(`${server.url}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body,
    });
    const notJson = await post('/decode', '{"payloads": [');
    expect([notJson.status, ((await notJson.json()) as { error?: string }).error]).toEqual([400, 'the body is not JSON: { "payloads": [...] }']);
    const badData = await post('/decode', JSON.stringify({ payloads: [{ metadata: {}, data: 'not base64!' }] }));
    expect([badData.status, ((await badData.json()) as { error?: string }).error]).toEqual([400, 'payloads.0.data: base64']);
    expect((await post('/decode', '{"payloads": [', keys.viewer)).status).toBe(403);
    expect((await fetch(`${server.url}/decode`)).status).toBe(405);
    expect((await post('/other', '{}')).status).toBe(404);
  });

  it('encodes for an admin (the UI signalling a workflow), with the first key', async () => {
    const input = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ note: NAME })) };
    const answer = await codecCall(server.url, '/encode', [input], { authorization: `Bearer ${keys.admin}` });
    expect(answer.status).toBe(200);
    expect(Buffer.from(answer.body.payloads![0].metadata['encryption-key-id'], 'base64').toString()).toBe('k1');
    expect(textOf(answer.body)).not.toContain(NAME);
  });
});

describe('a rotation of the payload keys', () => {
  it('still reads what k1 wrote once k2 is first and k1 kept, through the product client and the codec server', async () => {
    const rotated = await connectClient({ ...world.config, DIALER_PAYLOAD_KEYS: keysOf(`${K2},${K1}`) });
    const rotatedServer = await startCodecServer({
      codec: new AesGcmPayloadCodec(keysOf(`${K2},${K1}`)), pool: world.db.pool,
      namespace: world.config.TEMPORAL_NAMESPACE, origins: [UI], host: '127.0.0.1', port: 0,
    });
    try {
      const id = contactWorkflowId(campaignId, externalId);
      expect(await rotated.client.workflow.getHandle(id).result()).toEqual(await world.client.workflow.getHandle(id).result());
      const { payloads } = await rawHistory(id);
      const answer = await codecCall(rotatedServer.url, '/decode', payloads, { authorization: `Bearer ${keys.admin}` });
      expect(answer.status).toBe(200);
      expect(textOf(answer.body)).toContain(PHONE);
    } finally {
      await rotatedServer.close();
      await rotated.close();
    }
  });

  it('fails clearly, naming k1 and never a key, once k1 is dropped', async () => {
    const dropped = await connectClient({ ...world.config, DIALER_PAYLOAD_KEYS: keysOf(K2) });
    const droppedServer = await startCodecServer({
      codec: new AesGcmPayloadCodec(keysOf(K2)), pool: world.db.pool,
      namespace: world.config.TEMPORAL_NAMESPACE, origins: [UI], host: '127.0.0.1', port: 0,
    });
    try {
      const id = contactWorkflowId(campaignId, externalId);
      const err = await dropped.client.workflow.getHandle(id).result().catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(WorkflowFailedError);
      expect(String((err as Error).message)).toMatch(/key id "k1", which DIALER_PAYLOAD_KEYS does not hold \(it holds: k2\)/);
      const { payloads } = await rawHistory(id);
      const answer = await codecCall(droppedServer.url, '/decode', payloads, { authorization: `Bearer ${keys.admin}` });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(/key id "k1"/);
      for (const key of [K1, K2]) expect(answer.body.error).not.toContain(key.slice(3));
    } finally {
      await droppedServer.close();
      await dropped.close();
    }
  });
});
