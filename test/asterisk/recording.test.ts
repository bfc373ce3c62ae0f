import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AriClient } from '../../adapters/ari/ariClient';
import { recordingName, wavLayout } from '../../adapters/ari/callRecording';
import { ensureRecordingRetentionSchedule } from '../../adapters/temporal/schedules';
import { startCampaign } from '../../adapters/temporal/workflowStarters';
import { campaignWorkflowId } from '../../domain/ids';
import { createTestCampaign, insertContact } from '../fixtures';
import { startWorld, type StackWorld } from '../stackWorker';

// Issue 19's recording on the real Asterisk (docs/recording.md): an answered call of a campaign
// that records leaves a WAV in Asterisk's recording folder as long as the call (the message,
// then the short wait for a key: the world's dtmfWaitMs of 200 ms), named from the attempt's
// key, with a row that finds its attempt; a busy call leaves none, and a campaign that does not
// record leaves none. The retention schedule deletes an expired recording from Asterisk and
// marks its row, with an audit row. The API's access to recordings: apps/api/test/recordingAccess.test.ts.

const ARI_URL = process.env.ASTERISK_ARI_URL;
const suite = ARI_URL && process.env.SPEECH_CACHE_DIR ? describe : describe.skip;
if (!suite) test.todo('recordings on the real Asterisk: npm test starts Asterisk and sets ASTERISK_ARI_URL and SPEECH_CACHE_DIR');

jest.setTimeout(120_000);

const TEMPLATE = 'Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}. Пожалуйста, оплатите её.';
/** The recording begins a moment after the answer and ends a moment after our hangup, which
 * follows the message by the world's 200 ms wait for a key: it lasts the message and that
 * wait, within this much either way (3 ms off when measured on an idle machine). */
const TOLERANCE_MS = 400;
const DTMF_WAIT_MS = 200;

const phone = (ending: string): string => `+7916${String(randomInt(1_000_000, 9_999_999))}${ending}`;

suite('call recording (real Asterisk)', () => {
  let world: StackWorld;
  let ari: AriClient;
  const recording = `rec-${randomInt(100000, 999999)}`;
  const plain = `norec-${randomInt(100000, 999999)}`;
  const answered = phone('01');
  const busy = phone('06');
  const notRecorded = phone('01');

  beforeAll(async () => {
    world = await startWorld({}, { asterisk: true });
    ari = AriClient.restOnly({ url: ARI_URL!, username: process.env.ARI_USERNAME ?? 'dialer', password: process.env.ARI_PASSWORD ?? '', app: 'recording-test' });
    await createTestCampaign(world.db.pool, { id: recording, maxAttemptsPerNumber: 1, ringTimeoutSeconds: 10, template: TEMPLATE, recordCalls: true });
    await createTestCampaign(world.db.pool, { id: plain, maxAttemptsPerNumber: 1, ringTimeoutSeconds: 10, template: TEMPLATE });
    await insertContact(world.db.pool, recording, 'answers', [answered], { BALANCE: '-12345.50' }, 'Иван Петрович');
    await insertContact(world.db.pool, recording, 'busy', [busy]);
    await insertContact(world.db.pool, plain, 'answers', [notRecorded], { BALANCE: '-12345.50' }, 'Иван Петрович');
    const deps = { pool: world.db.pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE };
    for (const id of [recording, plain]) await startCampaign(deps, id, 'test', { pollIntervalMs: 200 });
    for (const id of [recording, plain]) await world.client.workflow.getHandle(campaignWorkflowId(id)).result();
  });
  afterAll(async () => { await ari?.close(); await world?.close(); });

  const attemptOf = async (e164: string) => (await world.db.pool.query(
    `SELECT a.id, a.outcome, a.workflow_id, a.seq, p.duration_ms AS message_ms, p.audio_key
       FROM attempt a LEFT JOIN prepared_message p ON p.contact_id = a.contact_id WHERE a.e164 = $1`, [e164])).rows[0];
  const recordingRowOf = async (a: { workflow_id: string; seq: number }) => (await world.db.pool.query(
    'SELECT * FROM call_recording WHERE workflow_id = $1 AND seq = $2', [a.workflow_id, a.seq])).rows[0];

  /** The stored file as Asterisk serves it; null when it has none of that name. */
  const storedFile = async (name: string): Promise<Buffer | null> => {
    const res = await ari.storedRecordingFile(name);
    return res ? Buffer.from(await res.arrayBuffer()) : null;
  };

  it('an answered call leaves a recording as long as the message, named from its attempt, and a row linked to the attempt', async () => {
    const attempt = await attemptOf(answered);
    expect(attempt.outcome).toBe('answered');
    const row = await recordingRowOf(attempt);
    expect(row).toBeDefined();
    expect(row).toMatchObject({ campaign_id: recording, format: 'wav', deleted_at: null, name: recordingName(attempt.workflow_id, attempt.seq) });
    // No digit of the number, no part of the contact's id in the name.
    expect(row.name).toMatch(/^call-[0-9a-f]{32}-\d+$/);
    expect(row.name).not.toContain(answered.slice(-7));

    const wav = await storedFile(row.name);
    expect(wav).not.toBeNull();
    expect(wav!.length).toBe(Number(row.bytes));
    const layout = wavLayout(wav!);
    expect(layout).toMatchObject({ byteRate: 16000 }); // 8 kHz 16-bit mono
    const fileMs = ((wav!.length - layout!.dataOffset) / layout!.byteRate) * 1000;
    expect(Math.abs(fileMs - row.duration_ms)).toBeLessThan(5);

    // About the message's length: the played media's duration (the prepared message) plus the wait for a key.
    expect(attempt.message_ms).toBeGreaterThan(6000);
    expect(Math.abs(row.duration_ms - (attempt.message_ms + DTMF_WAIT_MS))).toBeLessThan(TOLERANCE_MS);

    // Both directions: the subscriber's "hello" (0.8 s, at the answer) and the message are in it,
    // so it is loud from its start to the message's end.
    const samples = new Int16Array(wav!.buffer.slice(wav!.byteOffset + layout!.dataOffset, wav!.byteOffset + wav!.length));
    const loud = loudFrames(samples);
    expect(loud.indexOf(true) * 20).toBeLessThan(300);
    const pcm = await readFile(join(process.env.SPEECH_CACHE_DIR!, `${attempt.audio_key}.sln`));
    const played = loudFrames(new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2));
    expect(Math.abs(loud.lastIndexOf(true) - played.lastIndexOf(true)) * 20).toBeLessThan(200);

    // Its expiry is the campaign's retention after the call.
    const { rows: [k] } = await world.db.pool.query('SELECT recording_retention_days FROM campaign WHERE id = $1', [recording]);
    expect(new Date(row.expires_at).getTime() - new Date(row.ended_at).getTime()).toBe(k.recording_retention_days * 86_400_000);
  });

  it('a busy call leaves no recording', async () => {
    const attempt = await attemptOf(busy);
    expect(attempt.outcome).toBe('busy');
    expect(await recordingRowOf(attempt)).toBeUndefined();
    expect(await storedFile(recordingName(attempt.workflow_id, attempt.seq))).toBeNull();
  });

  it('an answered call of a campaign that does not record leaves no recording', async () => {
    const attempt = await attemptOf(notRecorded);
    expect(attempt.outcome).toBe('answered');
    expect(await recordingRowOf(attempt)).toBeUndefined();
    expect(await storedFile(recordingName(attempt.workflow_id, attempt.seq))).toBeNull();
  });

  it('the retention schedule deletes an expired recording from Asterisk and marks its row, audited', async () => {
    const row = await recordingRowOf(await attemptOf(answered));
    await world.db.pool.query(`UPDATE call_recording SET expires_at = now() - interval '1 minute' WHERE id = $1`, [row.id]);
    const scheduleId = `recording-retention-${world.config.TEMPORAL_TASK_QUEUE}`;
    // Made twice: the second finds it and brings it up to date.
    expect(await ensureRecordingRetentionSchedule(world.client, { taskQueue: world.config.TEMPORAL_TASK_QUEUE, scheduleId, every: '1 day' })).toBe('created');
    expect(await ensureRecordingRetentionSchedule(world.client, { taskQueue: world.config.TEMPORAL_TASK_QUEUE, scheduleId, every: '1 day' })).toBe('updated');
    const schedule = world.client.schedule.getHandle(scheduleId);
    try {
      await schedule.trigger();
      const deadline = Date.now() + 30_000;
      let marked = null;
      while (!marked && Date.now() < deadline) {
        marked = (await world.db.pool.query('SELECT deleted_at FROM call_recording WHERE id = $1', [row.id])).rows[0].deleted_at;
        if (!marked) await new Promise((r) => setTimeout(r, 200));
      }
      expect(marked).not.toBeNull();
    } finally {
      await schedule.delete();
    }
    expect(await storedFile(row.name)).toBeNull();
    const { rows: audit } = await world.db.pool.query(
      `SELECT actor, details FROM audit_log WHERE entity = 'call_recording' AND entity_id = $1 AND action = 'recording.deleted'`, [String(row.id)]);
    expect(audit).toEqual([{ actor: 'system:retention', details: expect.objectContaining({ name: row.name, reason: 'retention', fileExisted: true }) }]);
  });
});

/** Whether each 20 ms frame of 8 kHz samples is louder than a quiet line (RMS 300 of 32767). */
function loudFrames(samples: Int16Array): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i + 160 <= samples.length; i += 160) {
    let sum = 0;
    for (let j = i; j < i + 160; j++) sum += samples[j] * samples[j];
    out.push(Math.sqrt(sum / 160) > 300);
  }
  return out;
}
