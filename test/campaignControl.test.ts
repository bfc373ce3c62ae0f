import { DateTime } from 'luxon';
import { randomBytes, randomUUID } from 'node:crypto';
import { call } from '../activities/call';
import type { CallReport, CallSpec, Telephony } from '../adapters/ari/telephony';
import { holdCampaignAdmissions } from '../adapters/postgres/campaignAdmission';
import { inTransaction } from '../adapters/postgres/transaction';
import {
  changeCampaign, pauseCampaign, resumeCampaign, stopCampaign, type CampaignControlDeps,
} from '../adapters/temporal/campaignControl';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { campaignWorkflowId, contactWorkflowId } from '../domain/ids';
import type { CallRequest } from '../domain/types';
import type { contactWorkflow } from '../workflows/contactWorkflow';
import { contactProgressQuery } from '../workflows/signals';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// Pause, resume, stop and edits of a running campaign (adapters/temporal/campaignControl.ts)
// on real Postgres, the real Temporal dev server and the ARI simulator, whose own record of
// originates (with their arrival times) is the proof that nothing was dialled after a pause or
// a stop returned.

jest.setTimeout(240_000);

let world: StackWorld;
let deps: CampaignControlDeps;
// Calls that last a while: 2 s of ringing and a message of a few seconds, at a quarter speed.
beforeAll(async () => {
  world = await startWorld({ timeScale: 0.25 });
  deps = { pool: world.db.pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE };
});
afterAll(async () => { await world?.close(); });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const newId = (prefix: string): string => `${prefix}-${randomBytes(3).toString('hex')}`;

/** Waits (wall clock) until `check` gives a truthy value; fails naming `what` after `ms`. */
async function until<T>(what: string, check: () => Promise<T>, ms = 60_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The simulator's originates of this campaign's calls (its attempt rows name their channels). */
async function originatesOf(campaignId: string): Promise<{ atMs: number; channelId: string }[]> {
  const { rows } = await world.db.pool.query<{ channel_id: string }>(
    'SELECT channel_id FROM attempt WHERE campaign_id = $1 AND channel_id IS NOT NULL', [campaignId]);
  const ours = new Set(rows.map((r) => r.channel_id));
  return world.sim.originates().filter((o) => ours.has(o.channelId));
}

async function contactStates(campaignId: string): Promise<Record<string, number>> {
  const { rows } = await world.db.pool.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM contact WHERE campaign_id = $1 GROUP BY state', [campaignId]);
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

async function auditOf(campaignId: string): Promise<{ actor: string; action: string; details: unknown }[]> {
  const { rows } = await world.db.pool.query(
    `SELECT actor, action, details FROM audit_log WHERE entity = 'campaign' AND entity_id = $1 ORDER BY id`, [campaignId]);
  return rows;
}

/** Contacts c<from>..; their numbers end in 0<lastDigit>, so the simulator's last-digit rule picks the behaviour. */
async function addContacts(campaignId: string, n: number, lastDigit: string, from = 0): Promise<void> {
  const tag = String(parseInt(randomBytes(2).toString('hex'), 16) % 1000).padStart(3, '0');
  for (let i = from; i < from + n; i++) {
    await insertContact(world.db.pool, campaignId, `c${i}`, [`+7926${tag}${String(i).padStart(3, '0')}0${lastDigit}`]);
  }
}

describe('the pause waits for the originates in flight and lets none after it (the call step alone)', () => {
  /** A telephony whose originate takes `originateMs`; it writes down when each began and ended. */
  function slowTelephony(originateMs: number) {
    const originates: { channelId: string; startedAt: number; endedAt: number }[] = [];
    let began!: () => void;
    const firstBegan = new Promise<void>((r) => { began = r; });
    const telephony: Telephony = {
      async originate(spec: CallSpec) {
        const startedAt = Date.now();
        began();
        await sleep(originateMs);
        originates.push({ channelId: spec.channelId, startedAt, endedAt: Date.now() });
        const now = new Date().toISOString();
        return {
          follow: async (): Promise<CallReport> => ({
            outcome: 'answered', channelId: spec.channelId, hangupCause: 16, dtmf: null, listenedMs: 1000,
            startedAt: now, answeredAt: now, endedAt: new Date().toISOString(),
          }),
        };
      },
      close: async () => undefined,
    };
    return { telephony, originates, firstBegan };
  }

  async function oneContact(): Promise<{ campaignId: string; request: () => CallRequest }> {
    const campaignId = await createTestCampaign(world.db.pool, { id: newId('adm') });
    const contactId = await insertContact(world.db.pool, campaignId, 'one', ['+79261230001']);
    const request = (): CallRequest => ({
      workflowId: `contact/${campaignId}/one`, seq: 1, channelId: randomUUID(), campaignId, contactId, e164: '+79261230001',
      callerId: '+74950000000', ringTimeoutSeconds: 30, media: [], zones: ['Europe/Moscow'],
      handling: { detectMachines: false, machineAction: 'hang_up', operatorKey: null, operatorWaitSeconds: 60, minListenSeconds: null },
    });
    return { campaignId, request };
  }

  const hooks = { heartbeat: () => undefined };
  const callDeps = (telephony: Telephony) => ({ pool: world.db.pool, telephony, clock: async () => Date.now(), holder: 'test' });

  it('pauseCampaign returns only after an originate already admitted has been sent; the next call is refused', async () => {
    const { campaignId, request } = await oneContact();
    const slow = slowTelephony(600);
    const first = call(callDeps(slow.telephony), request(), hooks);
    await slow.firstBegan;
    const pause = await pauseCampaign(deps, campaignId, 'ops@test');
    const pausedAt = Date.now();
    expect(pause).toEqual({ campaignId, state: 'paused', changed: true });
    // The pause waited for the originate in flight...
    expect(slow.originates).toHaveLength(1);
    expect(slow.originates[0].endedAt).toBeLessThanOrEqual(pausedAt);
    expect((await first).outcome).toBe('answered');
    // ...and the next call is refused without an originate.
    const second = await call(callDeps(slow.telephony), request(), hooks);
    expect(second).toMatchObject({ outcome: 'refused', channelId: null, gate: { allowed: false, refusal: 'campaign_paused' } });
    expect(slow.originates).toHaveLength(1);
  });

  it('a call whose last check passed but whose originate waits behind a pause sends nothing and gives its cap slot back', async () => {
    const { campaignId, request } = await oneContact();
    const slow = slowTelephony(0);
    const req = request();
    const result = await inTransaction(world.db.pool, async (db) => {
      // A pause in the middle: it holds the admissions, then changes the state.
      await holdCampaignAdmissions(db, campaignId);
      const pending = call(callDeps(slow.telephony), req, hooks);
      // The gate's last check has reserved the cap slot (committed) and the originate waits.
      await until('the reservation', async () => (await world.db.pool.query(
        `SELECT 1 FROM call_reservation WHERE channel_id = $1 AND state = 'reserved'`, [req.channelId])).rowCount);
      await db.query(`UPDATE campaign SET state = 'paused' WHERE id = $1`, [campaignId]);
      return { pending };
    }).then(({ pending }) => pending);
    expect(slow.originates).toEqual([]);
    expect(result).toMatchObject({ outcome: 'refused', channelId: null, gate: { allowed: false, refusal: 'campaign_paused' } });
    expect(result.gate.checks).toContainEqual({ rule: 'campaign_running_at_originate', passed: false, detail: 'paused' });
    const { rows } = await world.db.pool.query('SELECT state FROM call_reservation WHERE channel_id = $1', [req.channelId]);
    expect(rows).toEqual([{ state: 'released' }]);
    // The channel slot was given back too.
    expect((await world.db.pool.query('SELECT 1 FROM channel_lease WHERE channel_id = $1', [req.channelId])).rowCount).toBe(0);
  });
});

describe('a campaign of 200 contacts paused mid-way, then resumed', () => {
  const campaignId = newId('pause');
  let pausedAt = 0;
  let resumedAt = 0;

  beforeAll(async () => {
    await createTestCampaign(world.db.pool, {
      id: campaignId, state: 'draft', template: 'Ваша задолженность {{BALANCE|money}}.',
      maxAttemptsPerNumber: 1, maxInFlight: 60, maxChannels: 20,
    });
    await addContacts(campaignId, 200, '1'); // every number answers
    await startCampaign(deps, campaignId, 'test', { pollIntervalMs: 200 });
  });

  it('places no call after pauseCampaign returned; calls already up finish', async () => {
    await until('60 calls', async () => (await originatesOf(campaignId)).length >= 60);
    const pause = await pauseCampaign(deps, campaignId, 'ops@test');
    pausedAt = Date.now();
    expect(pause).toEqual({ campaignId, state: 'paused', changed: true });
    // Idempotent: a second pause changes nothing and says so.
    expect(await pauseCampaign(deps, campaignId, 'ops@test')).toEqual({ campaignId, state: 'paused', changed: false });

    // Long enough for every call up at the pause to end and every contact to meet the gate.
    await until('the calls up at the pause to end', async () => world.sim.stats().activeChannels === 0, 30_000);
    await sleep(3000);
    const originates = await originatesOf(campaignId);
    const after = originates.filter((o) => o.atMs > pausedAt);
    expect(after).toEqual([]);
    expect(originates.length).toBeLessThan(200);
    // Every call placed ended with its attempt row, and no cap slot is left reserved.
    const { rows } = await world.db.pool.query(
      `SELECT count(*) FILTER (WHERE outcome = 'answered')::int AS answered,
              (SELECT count(*)::int FROM call_reservation WHERE campaign_id = $1 AND state = 'reserved') AS reserved
         FROM attempt WHERE campaign_id = $1`, [campaignId]);
    expect(rows[0]).toEqual({ answered: originates.length, reserved: 0 });
    expect((await contactStates(campaignId)).pending).toBeGreaterThan(0);
  });

  it('resumes: every contact is called once and the campaign completes', async () => {
    const resume = await resumeCampaign(deps, campaignId, 'ops@test');
    resumedAt = Date.now();
    expect(resume).toEqual({ campaignId, state: 'running', changed: true });
    const summary = await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    expect(summary).toMatchObject({ state: 'completed', contactsStarted: 200 });
    expect(await contactStates(campaignId)).toEqual({ done: 200 });
    const originates = await originatesOf(campaignId);
    expect(originates).toHaveLength(200);
    expect(new Set(originates.map((o) => o.channelId)).size).toBe(200);
    // Paused contacts in flight asked the gate again at once: the first call after the resume
    // came well before the paused contacts' own re-check (5 minutes).
    const firstAfter = Math.min(...originates.filter((o) => o.atMs > resumedAt).map((o) => o.atMs));
    expect(firstAfter - resumedAt).toBeLessThan(10_000);
  });

  it('audited the pause and the resume once each, with the actor', async () => {
    const changes = (await auditOf(campaignId)).filter((a) => a.action === 'campaign.state_changed');
    expect(changes).toEqual([
      { actor: 'test', action: 'campaign.state_changed', details: { from: 'draft', to: 'running' } },
      { actor: 'ops@test', action: 'campaign.state_changed', details: { from: 'running', to: 'paused' } },
      { actor: 'ops@test', action: 'campaign.state_changed', details: { from: 'paused', to: 'running' } },
    ]);
  });
});

describe('a campaign stopped mid-way', () => {
  it('ends every contact cancelled, with no call after stopCampaign returned, and its workflow cancelled', async () => {
    const campaignId = newId('stop');
    // Nobody answers, and a retry waits an hour: the 40 contacts in flight sleep after their
    // first call, and only the stop's wake-up can end them before that hour; the other 60 are
    // never started.
    await createTestCampaign(world.db.pool, {
      id: campaignId, state: 'draft', maxAttemptsPerNumber: 5, retryIntervalSeconds: 3600, ringTimeoutSeconds: 5,
      maxInFlight: 40, maxChannels: 10,
    });
    await addContacts(campaignId, 100, '7');
    await startCampaign(deps, campaignId, 'test', { pollIntervalMs: 200 });
    await until('30 calls', async () => (await originatesOf(campaignId)).length >= 30);

    const stop = await stopCampaign(deps, campaignId, 'ops@test');
    const stoppedAt = Date.now();
    expect(stop).toEqual({ campaignId, state: 'cancelled', changed: true });
    expect(await stopCampaign(deps, campaignId, 'ops@test')).toEqual({ campaignId, state: 'cancelled', changed: false });
    // A stopped campaign stays stopped.
    await expect(resumeCampaign(deps, campaignId, 'ops@test')).rejects.toThrow('is cancelled');

    const summary = await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    expect(summary.state).toBe('cancelled');
    await until('every contact cancelled', async () => (await contactStates(campaignId)).cancelled === 100, 60_000);
    const originates = await originatesOf(campaignId);
    expect(originates.filter((o) => o.atMs > stoppedAt)).toEqual([]);
    expect(originates.length).toBeLessThanOrEqual(40);
    // Woken, not waiting out the hour: the workflows of the contacts that had been called
    // have ended cancelled too.
    const { rows } = await world.db.pool.query<{ external_id: string }>(
      `SELECT external_id FROM contact WHERE campaign_id = $1 AND attempts > 0`, [campaignId]);
    expect(rows.length).toBeGreaterThanOrEqual(30);
    const results = await Promise.all(rows.map((r) =>
      world.client.workflow.getHandle<typeof contactWorkflow>(contactWorkflowId(campaignId, r.external_id)).result()));
    expect(new Set(results.map((r) => r.state))).toEqual(new Set(['cancelled']));
    expect(Date.now() - stoppedAt).toBeLessThan(60_000);
    expect((await auditOf(campaignId)).filter((a) => a.action === 'campaign.state_changed').map((a) => a.details))
      .toEqual([{ from: 'draft', to: 'running' }, { from: 'running', to: 'cancelled' }]);
  });
});

describe('an edit of the calling hours reaches contacts asleep until the old opening', () => {
  it('wakes them: they call under the new hours at once; a contact added meanwhile is started by the paging', async () => {
    const campaignId = newId('edit');
    // A one-hour window two hours from now (Moscow): closed now. Never opening at midnight,
    // where the edit to 00:00–24:00 would leave its start as it was (the test failed from 22:00
    // to 23:00 Moscow time): then three hours from now.
    const inTwoHours = DateTime.now().setZone('Europe/Moscow').startOf('hour').plus({ hours: 2 });
    const opening = inTwoHours.hour === 0 ? inTwoHours.plus({ hours: 1 }) : inTwoHours;
    const hour = (t: DateTime): string => t.toFormat('HH:mm');
    await createTestCampaign(world.db.pool, {
      id: campaignId, state: 'draft', timeZone: 'Europe/Moscow', windowStart: hour(opening),
      windowEnd: opening.hour === 23 ? '24:00' : hour(opening.plus({ hours: 1 })), maxAttemptsPerNumber: 1,
    });
    await addContacts(campaignId, 5, '2');
    await startCampaign(deps, campaignId, 'test', { pollIntervalMs: 200 });

    const progressOf = (externalId: string) =>
      world.client.workflow.getHandle(contactWorkflowId(campaignId, externalId)).query(contactProgressQuery);
    const asleep = async (ids: string[]) => (await Promise.all(ids.map(async (id) => {
      try { return (await progressOf(id)).step === 'wait'; } catch { return false; }
    }))).every(Boolean);
    await until('5 contacts asleep', () => asleep(['c0', 'c1', 'c2', 'c3', 'c4']));
    expect((await progressOf('c0')).sleepingUntil).toBe(opening.toUTC().toISO());

    // Added to the running campaign: its paging starts it too (it sleeps like the others).
    await addContacts(campaignId, 1, '2', 5);
    await until('the added contact asleep', () => asleep(['c5']));

    const edit = await changeCampaign(deps, campaignId, { windowStart: '00:00', windowEnd: '24:00' }, 'ops@test');
    const editedAt = Date.now();
    expect(edit).toEqual({ campaignId, state: 'running', changed: true, changedFields: ['windowStart', 'windowEnd'] });
    // The same edit again changes nothing.
    expect(await changeCampaign(deps, campaignId, { windowStart: '00:00' }, 'ops@test'))
      .toEqual({ campaignId, state: 'running', changed: false, changedFields: [] });

    const summary = await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    expect(summary).toMatchObject({ state: 'completed', contactsStarted: 6 });
    expect(await contactStates(campaignId)).toEqual({ done: 6 });
    const originates = await originatesOf(campaignId);
    expect(originates).toHaveLength(6);
    // Without waiting for the old opening (two hours away): within seconds of the edit.
    expect(Math.max(...originates.map((o) => o.atMs)) - editedAt).toBeLessThan(15_000);
    expect(Math.min(...originates.map((o) => o.atMs))).toBeGreaterThan(editedAt);
    expect((await auditOf(campaignId)).filter((a) => a.action === 'campaign.updated'))
      .toEqual([{ actor: 'ops@test', action: 'campaign.updated', details: { fields: ['windowStart', 'windowEnd'] } }]);
  });
});
