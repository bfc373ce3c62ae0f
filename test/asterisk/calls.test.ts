import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { startCampaign } from '../../adapters/temporal/workflowStarters';
import { campaignWorkflowId } from '../../domain/ids';
import { createTestCampaign, insertContact } from '../fixtures';
import { startWorld, type StackWorld } from '../stackWorker';
import { RECORDINGS_DIR, recordingOf, voicedSeconds, waitForWav } from './wavRecording';

// A campaign through the real Asterisk 22 of scripts/asterisk.sh: every behaviour of the
// sandbox's simulated carrier (asterisk/README.md) must reach the contact's attempt row with
// the right outcome, and the subscriber's side must have heard the message.

const ARI_URL = process.env.ASTERISK_ARI_URL;
const suite = ARI_URL ? describe : describe.skip;
if (!ARI_URL) test.todo('calls on the real Asterisk: set ASTERISK_ARI_URL (npm test starts Asterisk and sets it)');

jest.setTimeout(180_000);

// Fresh numbers each run (the sandbox remembers which numbers were busy once), ending in
// "0<digit>" so that they never end in 96-98, which the sandbox reads as other behaviours.
const fresh = (last: string): string => `+7916${String(randomInt(1_000_000, 9_999_999))}${last}`;

suite('calls on the real Asterisk 22', () => {
  let world: StackWorld;
  const campaignId = `ast-${randomInt(100000, 999999)}`;
  const cases = [
    { id: 'answers', phone: fresh('01'), outcome: 'answered', state: 'done' },
    { id: 'presses-1', phone: fresh('04'), outcome: 'answered', state: 'done', dtmf: '1' },
    { id: 'hangs-up-early', phone: fresh('08'), outcome: 'answered_short', state: 'failed' },
    { id: 'busy', phone: fresh('06'), outcome: 'busy', state: 'failed' },
    { id: 'no-answer', phone: fresh('07'), outcome: 'no_answer', state: 'failed' },
    { id: 'unallocated', phone: fresh('09'), outcome: 'invalid_number', state: 'failed' },
    { id: 'congestion', phone: `+7916${String(randomInt(1_000_000, 9_999_999))}98`, outcome: 'congestion', state: 'failed' },
  ];

  beforeAll(async () => {
    world = await startWorld({}, { asterisk: true });
    const { pool } = world.db;
    // A long amount, so the message outlasts the early hang-up (1 s after the answer).
    await createTestCampaign(pool, {
      id: campaignId, name: 'asterisk e2e', template: '{{BALANCE|money}}', maxAttemptsPerNumber: 1, ringTimeoutSeconds: 5,
    });
    for (const c of cases) await insertContact(pool, campaignId, c.id, [c.phone], { BALANCE: '-1919919.19' });
    await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
  });
  afterAll(async () => { await world?.close(); });

  it('records every behaviour with the right outcome', async () => {
    const { rows } = await world.db.pool.query(
      `SELECT c.external_id, c.state, a.outcome, a.dtmf, a.hangup_cause FROM contact c JOIN attempt a ON a.contact_id = c.id
        WHERE c.campaign_id = $1`, [campaignId]);
    const byId = new Map(rows.map((r) => [r.external_id, r]));
    for (const c of cases) {
      const r = byId.get(c.id);
      expect({ id: c.id, outcome: r?.outcome, state: r?.state }).toEqual({ id: c.id, outcome: c.outcome, state: c.state });
      if (c.dtmf) expect(r.dtmf).toBe(c.dtmf);
    }
    const { rows: bl } = await world.db.pool.query(`SELECT e164 FROM blacklist WHERE source = 'automatic' AND e164 = $1`,
      [cases.find((c) => c.id === 'unallocated')!.phone]);
    expect(bl).toHaveLength(1);
  });

  (existsSync(RECORDINGS_DIR) ? it : it.skip)('played the message to the subscriber: audio of about its length, not silence', async () => {
    const answered = cases.find((c) => c.id === 'answers')!;
    const { rows } = await world.db.pool.query(
      `SELECT a.channel_id, a.listened_ms FROM attempt a JOIN contact c ON c.id = a.contact_id
        WHERE c.campaign_id = $1 AND c.external_id = 'answers'`, [campaignId]);
    const wav = await waitForWav(recordingOf(answered.phone.slice(1), rows[0].channel_id), 10_000);
    // The message the prepare step made (the amount in words, in the offline voice) and played
    // from the speech folder Asterisk reads.
    const { rows: [prepared] } = await world.db.pool.query(
      `SELECT p.duration_ms FROM prepared_message p JOIN contact c ON c.id = p.contact_id
        WHERE c.campaign_id = $1 AND c.external_id = 'answers'`, [campaignId]);
    const expected = prepared.duration_ms / 1000;
    expect(expected).toBeGreaterThan(2);
    const voiced = voicedSeconds(wav.samples, wav.sampleRate);
    // Speech has pauses between words (the synthesised prompts more than the recorded ones):
    // well above silence, not the whole length.
    expect(voiced).toBeGreaterThan(expected * 0.4);
    expect(wav.seconds).toBeGreaterThan(expected * 0.9);
    expect(rows[0].listened_ms).toBeGreaterThan(expected * 1000 * 0.9);
  });

  describe('a campaign with operators and answering-machine detection', () => {
    const id = `ops-${randomInt(100000, 999999)}`;
    const callerId = `+7495${randomInt(1_000_000, 9_999_999)}`;
    let operatorConnectedMs = 0;
    let sharedBridge: string[] | null = null;
    const cases2 = [
      { id: 'person', phone: fresh('01'), outcome: 'answered', state: 'done' },
      { id: 'wants-operator', phone: fresh('04'), outcome: 'operator', state: 'done' },
      { id: 'machine', phone: `+7916${String(randomInt(1_000_000, 9_999_999))}97`, outcome: 'machine', state: 'failed' },
      // Rings 20 s, inside this campaign's 30 s ring timeout, then answers.
      { id: 'slow-answer', phone: `+7916${String(randomInt(1_000_000, 9_999_999))}96`, outcome: 'answered', state: 'done' },
    ];

    beforeAll(async () => {
      const { pool } = world.db;
      await createTestCampaign(pool, {
        id, name: 'operators', callerId, template: '{{BALANCE|money}}', maxAttemptsPerNumber: 1, ringTimeoutSeconds: 30,
        operatorKey: '1', operatorWaitSeconds: 20, detectMachines: true, machineAction: 'hang_up',
      });
      for (const c of cases2) await insertContact(pool, id, c.id, [c.phone], { BALANCE: '-21.00' });
      await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, id, 'test', { pollIntervalMs: 200 });
      const done = world.client.workflow.getHandle(campaignWorkflowId(id)).result();
      let finished = false;
      void done.finally(() => { finished = true; });
      // The simulated subscriber and operator would talk for minutes: once they have been
      // connected for 3 s, the subscriber hangs up (the test does it through ARI).
      const auth = `Basic ${Buffer.from(`${process.env.ARI_USERNAME}:${process.env.ARI_PASSWORD}`).toString('base64')}`;
      let connectedSince = 0;
      while (!finished) {
        const channels = (await (await fetch(`${ARI_URL}/ari/channels`, { headers: { authorization: auth } })).json()) as
          { id: string; name: string; state: string; caller: { number: string } }[];
        const operatorUp = channels.some((c) => /^Local\/[12]@sim-operators/.test(c.name) && c.state === 'Up');
        if (operatorUp && !connectedSince) connectedSince = Date.now();
        if (operatorUp && !sharedBridge) {
          const ours = channels.filter((c) => c.caller.number === callerId && !c.id.endsWith(';2')).map((c) => c.id);
          const bridges = (await (await fetch(`${ARI_URL}/ari/bridges`, { headers: { authorization: auth } })).json()) as
            { channels: string[] }[];
          sharedBridge = bridges.find((b) => b.channels.some((id) => ours.includes(id)))?.channels ?? null;
        }
        if (connectedSince && sharedBridge && Date.now() - connectedSince > 3000) {
          // Only the call that talks to the operator: the others go on by themselves.
          for (const c of channels.filter((x) => x.caller.number === callerId && sharedBridge!.includes(x.id))) {
            await fetch(`${ARI_URL}/ari/channels/${encodeURIComponent(c.id)}`, { method: 'DELETE', headers: { authorization: auth } });
          }
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      await done;
      operatorConnectedMs = connectedSince ? Date.now() - connectedSince : 0;
    });

    it('puts a subscriber who presses 1 through to an operator, and tells a machine from a person', async () => {
      const { rows } = await world.db.pool.query(
        `SELECT c.external_id, c.state, a.outcome, a.dtmf FROM contact c JOIN attempt a ON a.contact_id = c.id
          WHERE c.campaign_id = $1`, [id]);
      const byId = new Map(rows.map((r) => [r.external_id, r]));
      for (const c of cases2) {
        const r = byId.get(c.id);
        expect({ id: c.id, outcome: r?.outcome, state: r?.state }).toEqual({ id: c.id, outcome: c.outcome, state: c.state });
      }
      expect(byId.get('wants-operator').dtmf).toBe('1');
    });

    it('bridged the subscriber with an operator, and kept the call until they were done talking', async () => {
      // One bridge (Asterisk's Queue() bridge, listed by GET /bridges) holding our call and
      // exactly one other channel: the operator's.
      expect(sharedBridge).toHaveLength(2);
      expect(operatorConnectedMs).toBeGreaterThan(3000);
      const { rows } = await world.db.pool.query(
        `SELECT a.answered_at, a.ended_at FROM attempt a JOIN contact c ON c.id = a.contact_id
          WHERE c.campaign_id = $1 AND c.external_id = 'wants-operator'`, [id]);
      expect(rows[0].ended_at.getTime() - rows[0].answered_at.getTime()).toBeGreaterThan(3000);
    });
  });
});
