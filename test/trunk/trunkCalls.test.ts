import { ApplicationFailure } from '@temporalio/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { call, type CallDeps } from '../../activities/call';
import { record } from '../../activities/record';
import { AriClient } from '../../adapters/ari/ariClient';
import { AriTelephony } from '../../adapters/ari/ariTelephony';
import { readSuspendedTrunkOfCampaign, readTrunkBlacklistStatus } from '../../adapters/postgres/autoBlacklist';
import { registry } from '../../adapters/metrics/registry';
import type { CallRequest, CallResult } from '../../domain/types';
import { createTestCampaign, insertContact } from '../fixtures';
import { createTestDatabase, type TestDatabase } from '../testDatabase';
import { carrierNumber, carrierUnavailable, holdCarrier, startCarrier, untilEndpoint, type Carrier } from './carrier';

// The call and record steps through the production trunk to SIPp: what a carrier's answer
// charges a contact (an attempt, a cap slot) and what it does to the blacklist, per trunk.

const unavailable = carrierUnavailable();
const suite = unavailable ? describe.skip : describe;
if (unavailable) test.todo(`the call step through the SIP trunk: ${unavailable}`);

// A file waits for another to give the carrier back (holdCarrier) before its own work.
jest.setTimeout(300_000);

const hooks = { heartbeat: () => undefined };

suite('the call and record steps through the SIP trunk', () => {
  let db: TestDatabase;
  let client: AriClient;
  let carrier: Carrier;
  let deps: CallDeps;

  let release: (() => void) | undefined;

  beforeAll(async () => {
    release = await holdCarrier();
    carrier = startCarrier('answering');
    await untilEndpoint(carrier.endpoint, 'online');
    db = await createTestDatabase();
    client = await AriClient.connect({
      url: process.env.ASTERISK_ARI_URL!, username: process.env.ARI_USERNAME!, password: process.env.ARI_PASSWORD!,
      app: `trunk-calls-${randomUUID().slice(0, 8)}`,
    });
    const telephony = new AriTelephony(client, { endpointTemplate: 'Local/{number}@sim-carrier/n', dtmfWaitMs: 300, maxMessageMs: 30_000, language: 'en' });
    deps = { pool: db.pool, telephony, clock: async () => Date.now(), holder: 'trunk-test' };
  });
  afterAll(async () => {
    await client?.close();
    await db?.drop();
    release?.();
  });

  /** A trunk row for the carrier, and a campaign on it. */
  async function campaignOnTrunk(autoBlacklist: object = {}): Promise<{ campaignId: string; trunk: string }> {
    const trunk = `sipp-${randomBytes(3).toString('hex')}`;
    await db.pool.query('INSERT INTO trunk (name, max_channels, endpoint_template, auto_blacklist) VALUES ($1, 10, $2, $3)',
      [trunk, carrier.endpointTemplate, JSON.stringify(autoBlacklist)]);
    const campaignId = await createTestCampaign(db.pool, { trunk, maxAttemptsPerNumber: 3 });
    return { campaignId, trunk };
  }

  /** Calls `e164` for a new contact of the campaign and records the attempt, as the workflow does. */
  async function callAndRecord(campaignId: string, e164: string): Promise<{ contactId: number; channelId: string; result: CallResult | null; error: unknown }> {
    const contactId = await insertContact(db.pool, campaignId, randomUUID(), [e164]);
    const channelId = randomUUID();
    const req: CallRequest = {
      workflowId: `contact/${campaignId}/${contactId}`, seq: 1, channelId, campaignId, contactId, e164,
      callerId: '+74950000000', ringTimeoutSeconds: 5, media: [], zones: ['Europe/Moscow'],
      handling: { detectMachines: false, machineAction: 'hang_up', operatorKey: null, operatorWaitSeconds: 60, minListenSeconds: null },
    };
    try {
      const result = await call(deps, req, hooks);
      await record(db.pool, {
        workflowId: req.workflowId, seq: 1, campaignId, contactId, phonePosition: 1, e164, numberAttempt: 1, result,
        messageText: null, countUnanswered: true, zones: req.zones,
      });
      return { contactId, channelId, result, error: null };
    } catch (error) {
      return { contactId, channelId, result: null, error };
    }
  }

  const attemptsOf = async (contactId: number): Promise<number> =>
    (await db.pool.query<{ attempts: number }>('SELECT attempts FROM contact WHERE id = $1', [contactId])).rows[0].attempts;
  const reservationOf = async (channelId: string): Promise<string | undefined> =>
    (await db.pool.query<{ state: string }>('SELECT state FROM call_reservation WHERE channel_id = $1', [channelId])).rows[0]?.state;

  it('603: the subscriber declined: an attempt that counts, with its cap slot', async () => {
    const { campaignId } = await campaignOnTrunk();
    const r = await callAndRecord(campaignId, carrierNumber('603'));
    expect(r.error).toBeNull();
    expect(r.result).toMatchObject({ outcome: 'declined', hangupCause: 21, sipCode: 603 });
    expect(await attemptsOf(r.contactId)).toBe(1);
    expect(await reservationOf(r.channelId)).toBe('counted');
    const { rows } = await db.pool.query('SELECT outcome FROM attempt WHERE contact_id = $1', [r.contactId]);
    expect(rows).toEqual([{ outcome: 'declined' }]);
  });

  it('403: the carrier refused us: no attempt, the cap slot given back, the contact waits for the trunk', async () => {
    const { campaignId } = await campaignOnTrunk();
    const r = await callAndRecord(campaignId, carrierNumber('403'));
    expect(r.result).toBeNull();
    expect(r.error).toBeInstanceOf(ApplicationFailure);
    expect(r.error).toMatchObject({ type: 'TrunkDownError', nonRetryable: true, details: [{ trunk: carrier.endpoint, reason: 'refused', sipCode: 403 }] });
    expect(await attemptsOf(r.contactId)).toBe(0);
    expect(await reservationOf(r.channelId)).toBe('released');
    expect((await db.pool.query('SELECT 1 FROM attempt WHERE contact_id = $1', [r.contactId])).rowCount).toBe(0);
    expect((await db.pool.query('SELECT 1 FROM channel_lease WHERE channel_id = $1', [r.channelId])).rowCount).toBe(0);
    const wait = await db.pool.query('SELECT reason, detail FROM contact_wait WHERE contact_id = $1', [r.contactId]);
    expect(wait.rows).toEqual([{ reason: 'trunk_down', detail: `${carrier.endpoint}: refused` }]);
  });

  it('a burst of 404s from one trunk suspends its automatic blacklisting, and says so', async () => {
    const { campaignId, trunk } = await campaignOnTrunk({ breaker: { minInvalid: 5 } });
    // The trunk's usual week: 1 % of its calls invalid.
    await db.pool.query(
      `INSERT INTO trunk_result_hour (trunk, hour, calls, invalid)
       SELECT $1, date_trunc('hour', now()) - make_interval(hours => h), 20, CASE WHEN h % 5 = 0 THEN 1 ELSE 0 END
         FROM generate_series(3, 100) h`, [trunk]);
    for (let i = 0; i < 10; i++) expect((await callAndRecord(campaignId, carrierNumber('486'))).result?.outcome).toBe('busy');
    const burst: string[] = [];
    for (let i = 0; i < 12; i++) {
      const e164 = carrierNumber('404');
      burst.push(e164);
      expect((await callAndRecord(campaignId, e164)).result).toMatchObject({ outcome: 'invalid_number', sipCode: 404 });
    }
    const { rows: listed } = await db.pool.query<{ e164: string; reason: string }>(
      `SELECT e164, reason FROM blacklist WHERE source = 'automatic' AND e164 = ANY ($1::text[]) ORDER BY id`, [burst]);
    // 4 of 14 calls invalid is under the trunk's threshold (20 %: 5 × its usual 1 %, at least 20 %) with
    // fewer than 5 results; the 5th (5 of 15) opens the breaker: it and the rest are held.
    expect(listed.map((r) => r.e164)).toEqual(burst.slice(0, 4));
    expect(listed[0].reason).toBe(`invalid number: hangup cause 1, SIP 404 (trunk ${trunk})`);
    const status = (await readTrunkBlacklistStatus(db.pool, Date.now())).find((s) => s.trunk === trunk);
    expect(status).toMatchObject({ suspended: true, addedToday: 4, heldToday: 8 });
    expect(status!.rateUsual).toBeCloseTo(20 / 1960, 3);
    const fates = await db.pool.query<{ fate: string; n: number }>(
      'SELECT fate, count(*)::int AS n FROM trunk_invalid_result WHERE trunk = $1 GROUP BY fate ORDER BY fate', [trunk]);
    expect(fates.rows).toEqual([{ fate: 'added', n: 4 }, { fate: 'held', n: 8 }]);
    // The campaign's "why" view (GraphQL campaignWaits.autoBlacklistSuspended) names the trunk.
    expect(await readSuspendedTrunkOfCampaign(db.pool, campaignId)).toBe(trunk);
    const metrics = await registry.metrics();
    expect(metrics).toContain(`dialer_auto_blacklist_suspended{trunk="${trunk}"} 1`);
    expect(metrics).toContain(`dialer_auto_blacklist_results_total{trunk="${trunk}",fate="held"} 8`);
  });

  it('a trunk that wants two results on different days: one 404 adds nothing, a second one on another day does', async () => {
    const { campaignId, trunk } = await campaignOnTrunk({ after: 'two_days' });
    const e164 = carrierNumber('404');
    const first = await callAndRecord(campaignId, e164);
    expect(first.result?.outcome).toBe('invalid_number');
    expect((await db.pool.query(`SELECT 1 FROM blacklist WHERE e164 = $1`, [e164])).rowCount).toBe(0);
    // The same day again proves nothing new.
    await callAndRecord(campaignId, e164);
    expect((await db.pool.query(`SELECT 1 FROM blacklist WHERE e164 = $1`, [e164])).rowCount).toBe(0);
    // Yesterday's result (moved back a day) and today's: two days.
    await db.pool.query(`UPDATE trunk_invalid_result SET day = day - 1 WHERE trunk = $1 AND e164 = $2`, [trunk, e164]);
    await callAndRecord(campaignId, e164);
    const { rows } = await db.pool.query(`SELECT source FROM blacklist WHERE e164 = $1`, [e164]);
    expect(rows).toEqual([{ source: 'automatic' }]);
  });

  it('a trunk that lets only some causes blacklist: 484 (its routing faults) is counted, 410 adds', async () => {
    const { campaignId } = await campaignOnTrunk({ causes: [410, 604] });
    const incomplete = carrierNumber('484');
    const gone = carrierNumber('410');
    expect((await callAndRecord(campaignId, incomplete)).result?.outcome).toBe('invalid_number');
    expect((await callAndRecord(campaignId, gone)).result?.outcome).toBe('invalid_number');
    const { rows } = await db.pool.query<{ e164: string }>(`SELECT e164 FROM blacklist WHERE e164 = ANY ($1::text[])`, [[incomplete, gone]]);
    expect(rows.map((r) => r.e164)).toEqual([gone]);
  });
});
