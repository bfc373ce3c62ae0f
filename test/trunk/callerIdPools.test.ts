import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, type CallDeps } from '../../activities/call';
import { record } from '../../activities/record';
import { AriClient } from '../../adapters/ari/ariClient';
import { AriTelephony } from '../../adapters/ari/ariTelephony';
import { createCallerIdPool } from '../../adapters/postgres/callerIdPools';
import { newCallerIdPoolSchema } from '../../domain/callerIdPool';
import type { CallRequest, CallResult } from '../../domain/types';
import { createTestCampaign, insertContact } from '../fixtures';
import { createTestDatabase, type TestDatabase } from '../testDatabase';
import { asteriskCli, carrierNumber, carrierUnavailable, holdCarrier, untilEndpoint } from './carrier';

// Caller-ID pools on the real Asterisk, through the production trunk to SIPp: what the
// subscriber's side sees as the caller ID (the carrier logs each INVITE's P-Asserted-Identity),
// and where a call back to a pool number goes (a SIPp caller dialling in from the carrier's
// address: the operators queue, the pool's message, or cause 21 for any other number).

const unavailable = carrierUnavailable();
const suite = unavailable ? describe.skip : describe;
if (unavailable) test.todo(`caller-ID pools on the real Asterisk: ${unavailable}`);

jest.setTimeout(300_000);

const REPO = path.resolve(__dirname, '../..');
const hooks = { heartbeat: () => undefined };

/** The carrier answering, and the file it writes a line per INVITE to (scripts/sipp.sh). */
function startLoggingCarrier(): { endpointTemplate: string; endpoint: string; inviteLog: string } {
  const out = execFileSync('bash', [path.join(REPO, 'scripts/sipp.sh'), 'start', 'answering'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const value = (key: string): string => {
    const line = out.split('\n').find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`scripts/sipp.sh start printed no ${key}`);
    return line.slice(key.length + 1);
  };
  return { endpointTemplate: value('TRUNK_ENDPOINT_TEMPLATE'), endpoint: value('TRUNK_ENDPOINT'), inviteLog: value('TRUNK_INVITE_LOG') };
}

suite('caller-ID pools on the real Asterisk', () => {
  let db: TestDatabase;
  let client: AriClient;
  let deps: CallDeps;
  let carrier: ReturnType<typeof startLoggingCarrier>;
  let release: (() => void) | undefined;

  beforeAll(async () => {
    release = await holdCarrier();
    carrier = startLoggingCarrier();
    await untilEndpoint(carrier.endpoint, 'online');
    db = await createTestDatabase();
    client = await AriClient.connect({
      url: process.env.ASTERISK_ARI_URL!, username: process.env.ARI_USERNAME!, password: process.env.ARI_PASSWORD!,
      app: `caller-ids-${randomUUID().slice(0, 8)}`,
    });
    const telephony = new AriTelephony(client, { endpointTemplate: 'Local/{number}@sim-carrier/n', dtmfWaitMs: 300, maxMessageMs: 30_000, language: 'en' });
    deps = { pool: db.pool, telephony, clock: async () => Date.now(), holder: 'caller-id-test' };
  });
  afterAll(async () => {
    await client?.close();
    await db?.drop();
    release?.();
  });

  const newPool = (input: object) => createCallerIdPool(db.pool, newCallerIdPoolSchema.parse(input));

  /** A trunk row for the carrier (with its own registered number, or none), and a campaign on it. */
  async function campaignOnTrunk(opts: { trunkCallerId: string | null; callerIdPool?: string }): Promise<string> {
    const trunk = `sipp-${randomBytes(3).toString('hex')}`;
    await db.pool.query('INSERT INTO trunk (name, max_channels, endpoint_template, caller_id) VALUES ($1, 10, $2, $3)',
      [trunk, carrier.endpointTemplate, opts.trunkCallerId]);
    return createTestCampaign(db.pool, { trunk, callerId: '+74950000000', callerIdPool: opts.callerIdPool ?? null });
  }

  /** Calls a fresh subscriber of the carrier who answers, records the attempt, and returns what the carrier saw. */
  async function callOnce(campaignId: string): Promise<{ result: CallResult; invite: string; attemptCallerId: string | null }> {
    const e164 = carrierNumber('200');
    const contactId = await insertContact(db.pool, campaignId, randomUUID(), [e164]);
    const req: CallRequest = {
      workflowId: `contact/${campaignId}/${contactId}`, seq: 1, channelId: randomUUID(), campaignId, contactId, e164,
      callerId: '+74950000000', ringTimeoutSeconds: 10, media: [], zones: ['Europe/Moscow'],
      handling: { detectMachines: false, machineAction: 'hang_up', operatorKey: null, operatorWaitSeconds: 60, minListenSeconds: null },
    };
    const result = await call(deps, req, hooks);
    await record(db.pool, {
      workflowId: req.workflowId, seq: 1, campaignId, contactId, phonePosition: 1, e164, numberAttempt: 1, result,
      messageText: null, countUnanswered: true, zones: req.zones,
    });
    const { rows } = await db.pool.query<{ caller_id: string | null }>('SELECT caller_id FROM attempt WHERE contact_id = $1', [contactId]);
    return { result, invite: await inviteTo(e164.slice(1)), attemptCallerId: rows[0].caller_id };
  }

  /** The carrier's log line of the INVITE to these digits (SIPp writes it as the INVITE arrives). */
  async function inviteTo(digits: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const line = readFileSync(carrier.inviteLog, 'utf8').split('\n').find((l) => l.startsWith(`INVITE sip:${digits} `));
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`the carrier logged no INVITE to ${digits} in ${carrier.inviteLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The number in the INVITE's P-Asserted-Identity: what the subscriber's phone shows. */
  const shownCallerId = (invite: string): string | undefined => /P-Asserted-Identity: .*<sip:(\+?\d+)@/.exec(invite)?.[1];

  it('the subscriber\'s side sees the pool\'s number; two calls in turn present two numbers of the pool, and the attempts keep them', async () => {
    await newPool({ name: 'outbound', numbers: [{ number: '+74951230001' }, { number: '+74951230002' }] });
    // The trunk has a registered number of its own: the pool's still wins.
    const campaignId = await campaignOnTrunk({ trunkCallerId: '+74959990000', callerIdPool: 'outbound' });
    const first = await callOnce(campaignId);
    const second = await callOnce(campaignId);
    expect([first.result.outcome, second.result.outcome]).toEqual(['answered', 'answered']);
    const shown = [shownCallerId(first.invite), shownCallerId(second.invite)];
    expect(new Set(shown)).toEqual(new Set(['+74951230001', '+74951230002']));
    expect([first.result.callerId, second.result.callerId]).toEqual(shown);
    expect([first.attemptCallerId, second.attemptCallerId]).toEqual(shown);
  });

  it('without a pool, the trunk\'s registered number; on a trunk without one, the campaign\'s own', async () => {
    const onTrunkNumber = await callOnce(await campaignOnTrunk({ trunkCallerId: '+74959990001' }));
    expect(shownCallerId(onTrunkNumber.invite)).toBe('+74959990001');
    expect(onTrunkNumber.attemptCallerId).toBe('+74959990001');
    const own = await callOnce(await campaignOnTrunk({ trunkCallerId: null }));
    expect(shownCallerId(own.invite)).toBe('+74950000000');
    expect(own.attemptCallerId).toBe('+74950000000');
  });

  describe('a call back to a pool number', () => {
    let work: string;
    let sipp: string;
    beforeAll(async () => {
      await newPool({ name: 'callback-queue', inbound: 'queue', numbers: [{ number: '+74951240001' }] });
      await newPool({ name: 'callback-message', inbound: 'message', inboundMessage: 'hello-world', numbers: [{ number: '+74951240002' }] });
      // Asterisk learns the pools' numbers from the rendered include (the dialplan is reloaded).
      execFileSync('bash', [path.join(REPO, 'scripts/asterisk.sh'), 'callerids'], { env: { ...process.env, DATABASE_URL: db.url }, stdio: 'pipe' });
      work = mkdtempSync(path.join(os.tmpdir(), 'callback-'));
      sipp = execFileSync('bash', [path.join(REPO, 'scripts/sipp.sh'), 'bin'], { encoding: 'utf8' }).trim();
    });
    afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

    /**
     * A subscriber (`caller`) dials `dialled` through the carrier. While the call lasts, the
     * channels Asterisk shows for it are collected (`core show channels concise`: channel!context!
     * exten!priority!state!application!data!callerid!...). Returns them and what SIPp logged.
     */
    async function callBack(dialled: string, caller: string): Promise<{ outcome: string; seen: string[][] }> {
      const log = path.join(work, `${caller}.log`);
      const port = String(20_000 + Math.floor(Math.random() * 20_000));
      const child = spawn(sipp, [
        '127.0.0.1:5160', '-sf', path.join(REPO, 'test/trunk/scenarios/callback.xml'), '-s', dialled, '-key', 'caller', caller,
        '-i', '127.0.0.1', '-p', port, '-mi', '127.0.0.1', '-mp', String(Number(port) + 2), '-m', '1', '-nostdin', '-timeout', '30s',
        '-trace_logs', '-log_file', log,
      ], { stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      let done = false;
      void exited.then(() => { done = true; });
      const seen: string[][] = [];
      while (!done) {
        for (const line of asteriskCli('core show channels concise').split('\n')) {
          const fields = line.split('!');
          if (fields[7] === caller) seen.push(fields);
        }
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(await exited).toBe(0);
      return { outcome: readFileSync(log, 'utf8').trim(), seen };
    }

    it('reaches the operators queue, and an operator answers', async () => {
      const r = await callBack('74951240001', '79991110001');
      expect(r.outcome).toBe('answered');
      const inQueue = r.seen.find((f) => f[0].startsWith('PJSIP/carrier-') && f[5] === 'Queue');
      expect(inQueue).toBeDefined();
      expect(inQueue!.slice(1, 2)).toEqual(['dialer-callback']);
      expect(inQueue![6]).toMatch(/^operators,/);
      // The operator's side of the bridge: a simulated operator (sim-operators) up with our caller.
      expect(r.seen.some((f) => f[1] === 'sim-operators' && f[4] === 'Up')).toBe(true);
    });

    it('reaches the pool\'s message, in the national forms carriers use too, and Asterisk hangs up after it', async () => {
      for (const [dialled, caller] of [['74951240002', '79991110002'], ['84951240002', '79991110003'], ['+74951240002', '79991110004']]) {
        const r = await callBack(dialled, caller);
        expect(r.outcome).toBe('answered');
        const playing = r.seen.find((f) => f[0].startsWith('PJSIP/carrier-') && f[5] === 'Playback');
        expect(playing?.slice(1, 7)).toEqual(['dialer-callback', 'message', expect.any(String), 'Up', 'Playback', 'hello-world']);
      }
    });

    it('a number of no pool is still refused with cause 21 (403)', async () => {
      const r = await callBack('74951249999', '79991110005');
      expect(r.outcome).toBe('refused');
      expect(r.seen.filter((f) => f[5] === 'Queue' || f[5] === 'Playback')).toEqual([]);
    });
  });
});
