import { randomInt } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { startCampaign } from '../../../adapters/temporal/workflowStarters';
import { campaignWorkflowId, contactWorkflowId } from '../../../domain/ids';
import { createTestCampaign, insertContact } from '../../../test/fixtures';
import { startWorld, type StackWorld } from '../../../test/stackWorker';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// An ERP deletes its contact (docs/personalData.md) after a recorded call on the real Asterisk:
// the recording is gone from Asterisk's store (ARI answers 404), its row is marked deleted, the
// contact's workflow history is gone, and the attempt stays, answered, without its number.

const ARI_URL = process.env.ASTERISK_ARI_URL;
const suite = ARI_URL && process.env.SPEECH_CACHE_DIR ? describe : describe.skip;
if (!suite) test.todo('recordings of deleted contacts on the real Asterisk: npm test starts Asterisk and sets ASTERISK_ARI_URL and SPEECH_CACHE_DIR');

jest.setTimeout(180_000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

suite('deleting a recorded contact (real Asterisk)', () => {
  let world: StackWorld;
  let api: ApiWorld;
  const campaignId = `pdrec-${randomInt(100000, 999999)}`;
  const number = `+7916${String(randomInt(1_000_000, 9_999_999))}01`;
  const stored = (name: string) => fetch(`${ARI_URL}/ari/recordings/stored/${encodeURIComponent(name)}`, {
    headers: { authorization: `Basic ${Buffer.from(`${process.env.ARI_USERNAME}:${process.env.ARI_PASSWORD}`).toString('base64')}` },
  });

  beforeAll(async () => {
    world = await startWorld({}, { asterisk: true });
    await createTestCampaign(world.db.pool, { id: campaignId, maxAttemptsPerNumber: 1, ringTimeoutSeconds: 10, template: 'Добрый день, {{NAME}}.', recordCalls: true });
    await insertContact(world.db.pool, campaignId, 'recorded', [number], { BALANCE: '-10.00' }, 'Записанный Абонент');
    await startCampaign({ pool: world.db.pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    api = await startApiWorld({ db: world.db, taskQueue: world.config.TEMPORAL_TASK_QUEUE });
  });
  afterAll(async () => { await api?.close(); await world?.close(); });

  it('deletes the recording from Asterisk, the history from Temporal, and keeps the answered attempt', async () => {
    const { rows: [rec] } = await world.db.pool.query<{ id: string; name: string }>('SELECT id, name FROM call_recording WHERE campaign_id = $1', [campaignId]);
    expect(rec).toBeDefined();
    expect((await stored(rec.name)).status).toBe(200);

    const answer = await graphql<{ deletePersonalData: { jobId: string } }>(api.url,
      'mutation ($f: PersonalDataFilter!) { deletePersonalData(filter: $f) { jobId } }', { f: { campaignId, externalIds: ['recorded'] } }, api.keys.erp);
    expect(answer.errors).toBeUndefined();
    let job: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      job = (await graphql<{ personalDataDeletion: Record<string, unknown> }>(api.url,
        'query ($j: ID!) { personalDataDeletion(jobId: $j) { state contacts recordings histories } }', { j: answer.data!.deletePersonalData.jobId }, api.keys.erp)).data!.personalDataDeletion;
      if (job.state !== 'running') break;
      await sleep(500);
    }
    expect(job).toEqual({ state: 'completed', contacts: 1, recordings: 1, histories: 1 });

    expect((await stored(rec.name)).status).toBe(404);
    const { rows: [row] } = await world.db.pool.query('SELECT deleted_at FROM call_recording WHERE id = $1', [rec.id]);
    expect(row.deleted_at).not.toBeNull();
    const { rows: attempts } = await world.db.pool.query('SELECT outcome, e164, message_text FROM attempt WHERE campaign_id = $1', [campaignId]);
    expect(attempts).toEqual([{ outcome: 'answered', e164: null, message_text: null }]);
    // The server deletes a history asynchronously after it accepted the request: seconds, more on a busy machine.
    let gone = false;
    for (let i = 0; i < 240 && !gone; i++) {
      try {
        await world.client.workflow.getHandle(contactWorkflowId(campaignId, 'recorded')).describe();
        await sleep(250);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        gone = true;
      }
    }
    expect(gone).toBe(true);
  });
});
