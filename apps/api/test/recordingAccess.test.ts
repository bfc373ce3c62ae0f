import { randomInt } from 'node:crypto';
import { startCampaign } from '../../../adapters/temporal/workflowStarters';
import { campaignWorkflowId } from '../../../domain/ids';
import { createTestCampaign, insertContact } from '../../../test/fixtures';
import { startWorld, type StackWorld } from '../../../test/stackWorker';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// Who may find and hear a recorded call (docs/recording.md), on the real Asterisk: one answered
// call of a campaign that records, then the API beside the worker. A supervisor finds it by
// campaign, number and outcome and plays or downloads it (streamed from ARI), each access
// audited; the ERP and viewer keys get 403, no key 401, and nothing of theirs is audited.

const ARI_URL = process.env.ASTERISK_ARI_URL;
const suite = ARI_URL && process.env.SPEECH_CACHE_DIR ? describe : describe.skip;
if (!suite) test.todo('recording access on the real Asterisk: npm test starts Asterisk and sets ASTERISK_ARI_URL and SPEECH_CACHE_DIR');

jest.setTimeout(120_000);

const SEARCH = `query($f: RecordingFilter) { recordings(filter: $f) { items { id campaignId attemptId number outcome durationMs bytes audioPath } hasNextPage } }`;

suite('recordings through the API (real Asterisk)', () => {
  let world: StackWorld;
  let api: ApiWorld;
  let base: string;
  const campaignId = `recapi-${randomInt(100000, 999999)}`;
  const number = `+7916${String(randomInt(1_000_000, 9_999_999))}01`;

  beforeAll(async () => {
    world = await startWorld({}, { asterisk: true });
    await createTestCampaign(world.db.pool, { id: campaignId, maxAttemptsPerNumber: 1, ringTimeoutSeconds: 10, template: 'Добрый день, {{NAME}}.', recordCalls: true });
    await insertContact(world.db.pool, campaignId, 'answers', [number]);
    await startCampaign({ pool: world.db.pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    api = await startApiWorld({ db: world.db, taskQueue: world.config.TEMPORAL_TASK_QUEUE });
    base = api.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => { await api?.close(); await world?.close(); });

  const audits = async () => (await world.db.pool.query(
    `SELECT actor, action, entity_id FROM audit_log WHERE entity = 'call_recording' ORDER BY id`)).rows;
  const get = (path: string, key?: string) => fetch(`${base}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('a supervisor finds the recording by campaign, number and outcome', async () => {
    const all = await graphql(api.url, SEARCH, { f: { campaignId } }, api.keys.supervisor);
    expect(all.errors).toBeUndefined();
    const items = all.data!.recordings.items;
    expect(items).toHaveLength(1);
    const { rows: [attempt] } = await world.db.pool.query('SELECT id FROM attempt WHERE e164 = $1', [number]);
    expect(items[0]).toMatchObject({ campaignId, number, outcome: 'answered', attemptId: String(attempt.id), audioPath: `/recordings/${items[0].id}/audio.wav` });
    expect(items[0].durationMs).toBeGreaterThan(1000);

    expect((await graphql(api.url, SEARCH, { f: { number } }, api.keys.admin)).data!.recordings.items).toHaveLength(1);
    expect((await graphql(api.url, SEARCH, { f: { campaignId, outcome: 'busy' } }, api.keys.supervisor)).data!.recordings.items).toHaveLength(0);
    expect((await graphql(api.url, SEARCH, { f: { from: '2100-01-01T00:00:00Z' } }, api.keys.supervisor)).data!.recordings.items).toHaveLength(0);
    const bad = await graphql(api.url, SEARCH, { f: { number: '8916' } }, api.keys.supervisor);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    // Every search that returned numbers is in the access log: who, the attempts, never the number.
    const { rows: reads } = await world.db.pool.query(
      `SELECT actor, details FROM audit_log WHERE action = 'personal_data.read' AND details->>'what' = 'recordings' ORDER BY id`);
    expect(reads.slice(0, 2)).toEqual([
      { actor: 'key:test-supervisor', details: expect.objectContaining({ attemptIds: [Number(attempt.id)], rows: 1, filter: expect.objectContaining({ campaignId, byNumber: false }) }) },
      { actor: 'key:test-admin', details: expect.objectContaining({ attemptIds: [Number(attempt.id)], rows: 1, filter: expect.objectContaining({ byNumber: true }) }) },
    ]);
    expect(JSON.stringify(reads)).not.toContain(number.slice(1));
  });

  it('the ERP and viewer roles may not search recordings', async () => {
    for (const role of ['erp', 'viewer'] as const) {
      const answer = await graphql(api.url, SEARCH, { f: { campaignId } }, api.keys[role]);
      expect(answer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('a supervisor plays and downloads it, streamed from Asterisk, and each access is audited', async () => {
    const [item] = (await graphql(api.url, SEARCH, { f: { campaignId } }, api.keys.supervisor)).data!.recordings.items;
    const before = (await audits()).length;

    const played = await get(item.audioPath, api.keys.supervisor);
    expect(played.status).toBe(200);
    expect(played.headers.get('content-type')).toBe('audio/wav');
    expect(played.headers.get('content-disposition')).toMatch(/^inline/);
    const body = Buffer.from(await played.arrayBuffer());
    expect(body.length).toBe(item.bytes);
    expect(body.toString('ascii', 0, 4)).toBe('RIFF');

    const downloaded = await get(`${item.audioPath}?download=1`, api.keys.supervisor);
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(Buffer.from(await downloaded.arrayBuffer()).length).toBe(item.bytes);

    const rows = (await audits()).slice(before);
    expect(rows).toEqual([
      { actor: expect.stringContaining('test-supervisor'), action: 'recording.played', entity_id: item.id },
      { actor: expect.stringContaining('test-supervisor'), action: 'recording.downloaded', entity_id: item.id },
    ]);
  });

  it('refuses the ERP and viewer keys (403) and a missing key (401), auditing no access', async () => {
    const [item] = (await graphql(api.url, SEARCH, { f: { campaignId } }, api.keys.supervisor)).data!.recordings.items;
    const before = (await audits()).length;
    expect((await get(item.audioPath, api.keys.erp)).status).toBe(403);
    expect((await get(item.audioPath, api.keys.viewer)).status).toBe(403);
    expect((await get(item.audioPath)).status).toBe(401);
    expect((await get('/recordings/999999999/audio.wav', api.keys.admin)).status).toBe(404);
    expect((await audits()).length).toBe(before);
  });
});
