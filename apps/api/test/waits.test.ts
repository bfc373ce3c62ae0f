import { DateTime } from 'luxon';
import { finish } from '../../../activities/record';
import { gate, type GateQuestion } from '../../../activities/gate';
import { setCampaignState } from '../../../adapters/postgres/campaigns';
import { acquireChannel, waitForChannel } from '../../../adapters/postgres/channelLeases';
import { createTestCampaign, insertContact } from '../../../test/fixtures';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';
import { recordAttempt } from './resultsFixtures';

// "Why is nothing dialing?": contacts put in their waits by the real steps (the gate's
// refusals and its look at the hours, the record step's retry interval, the channel wait,
// finish) and by nothing at all (pending rows), grouped by campaignWaits with the next moment
// each group becomes callable.

jest.setTimeout(60_000);

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

// A day ahead of the real clock, so the next moments are in the future (not overdue).
const day = DateTime.utc().plus({ days: 2 }).startOf('day');
const utc = (hhmm: string): number => DateTime.fromISO(`${day.toISODate()}T${hhmm}`, { zone: 'utc' }).toMillis();
const iso = (ms: number): string => new Date(ms).toISOString();

const WAITS = `query($c: String!) { campaignWaits(campaignId: $c) {
  campaignId state hold inFlight busy groups { reason detail contacts nextAt overdue } } }`;

async function contact(campaignId: string, externalId: string, e164: string, personId?: string): Promise<number> {
  const id = await insertContact(world.db.pool, campaignId, externalId, [e164], {}, 'x', personId ? { personId } : {});
  // Its workflow started (the campaign feed's mark).
  await world.db.pool.query(`UPDATE contact SET state = 'in_progress' WHERE id = $1`, [id]);
  return id;
}

function ask(campaignId: string, contactId: number, e164: string, zones: string[], nowMs: number, extra: Partial<GateQuestion> = {}): GateQuestion {
  return { campaignId, contactId, e164, zones, nowMs, checkWindow: false, ...extra };
}

test('contacts grouped by calling hours per zone, a cap per rule, a retry, a channel, pending rows and no number left', async () => {
  const pool = world.db.pool;
  const c = await createTestCampaign(pool, { windowStart: '09:00', windowEnd: '20:00', caps: { person: { day: 1 } }, maxChannels: 1 });

  // Calling hours: 00:30 UTC is 03:30 in Moscow and 05:30 in Yekaterinburg (closed), 10:30 in
  // Vladivostok (open: that contact goes on to call and waits for nothing recorded).
  const night = utc('00:30');
  for (const [ext, e164, zone] of [['h-msk', '+79163330001', 'Europe/Moscow'], ['h-ekb', '+79163330002', 'Asia/Yekaterinburg'],
    ['h-vvo', '+79163330003', 'Asia/Vladivostok']]) {
    const id = await contact(c, ext, e164);
    expect((await gate(pool, ask(c, id, e164, [zone], night))).allowed).toBe(true);
  }

  // A cap: the person's one call of the day is reserved by the call's last check; the next gate refuses.
  const capped = await contact(c, 'cap-1', '+79163330004', 'debtor-cap');
  const noon = utc('09:00');
  expect((await gate(pool, ask(c, capped, '+79163330004', ['Europe/Moscow'], noon, { checkWindow: true, reserve: { channelId: 'cap-call' } }))).allowed).toBe(true);
  const refused = await gate(pool, ask(c, capped, '+79163330004', ['Europe/Moscow'], noon + 60_000));
  expect(refused).toMatchObject({ allowed: false, refusal: 'cap_reached' });

  // A retry interval: a busy call recorded by the record step (the campaign's interval is an hour).
  const retried = await contact(c, 'retry-1', '+79163330005');
  await recordAttempt(pool, { campaignId: c, contactId: retried, externalId: 'retry-1', seq: 1, e164: '+79163330005', outcome: 'busy', startedAt: iso(night) });

  // The blacklist: the gate refuses the number (the workflow moves on; no wait), then the contact ends blacklisted.
  await pool.query(`INSERT INTO blacklist (kind, e164, reason, source, created_by) VALUES ('exact', '+79163330006', 'asked not to call', 'manual', 'test')`);
  const listed = await contact(c, 'bl-1', '+79163330006');
  expect(await gate(pool, ask(c, listed, '+79163330006', ['Europe/Moscow'], noon))).toMatchObject({ allowed: false, refusal: 'blacklisted' });
  expect((await pool.query('SELECT 1 FROM contact_wait WHERE contact_id = $1', [listed])).rowCount).toBe(0);
  await finish(pool, listed, 'blacklisted', null);
  const expired = await contact(c, 'exp-1', '+79163330007');
  await finish(pool, expired, 'expired', null);

  // Not started: pending rows.
  await insertContact(pool, c, 'p-1', ['+79163330008']);
  await insertContact(pool, c, 'p-2', ['+79163330009']);

  // A channel: the campaign's one channel is held; a call waits for it.
  const held = await acquireChannel(pool, { campaignId: c, channelId: 'held-call', holder: 'test', ttlMs: 60_000 });
  expect(held.acquired).toBe(true);
  const waiting = waitForChannel(pool, { campaignId: c, channelId: 'waiting-call', holder: 'test', ttlMs: 60_000 }, { deadlineMs: Date.now() + 20_000 });
  for (let i = 0; i < 100 && (await pool.query(`SELECT 1 FROM channel_wait WHERE channel_id = 'waiting-call'`)).rowCount === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }

  const answer = await graphql(world.url, WAITS, { c }, world.keys.viewer);
  expect(answer.errors).toBeUndefined();
  const nextMidnightMsk = DateTime.fromMillis(noon, { zone: 'Europe/Moscow' }).plus({ days: 1 }).startOf('day').toMillis();
  expect(answer.data!.campaignWaits).toEqual({
    campaignId: c, state: 'running', hold: null,
    // h-msk, h-ekb, h-vvo, cap-1, retry-1 run; all but h-vvo wait on a row of their own, and one call waits for a channel.
    inFlight: 5, busy: 0,
    groups: [
      { reason: 'not_started', detail: 'the next page is being started', contacts: 2, nextAt: null, overdue: 0 },
      { reason: 'calling_hours', detail: 'Asia/Yekaterinburg', contacts: 1, nextAt: iso(utc('04:00')), overdue: 0 },
      { reason: 'calling_hours', detail: 'Europe/Moscow', contacts: 1, nextAt: iso(utc('06:00')), overdue: 0 },
      { reason: 'cap', detail: 'cap_person_day', contacts: 1, nextAt: iso(nextMidnightMsk), overdue: 0 },
      { reason: 'channel', detail: 'campaign_channels_full', contacts: 1, nextAt: null, overdue: 0 },
      { reason: 'no_callable_number', detail: 'blacklisted', contacts: 1, nextAt: null, overdue: 0 },
      { reason: 'no_callable_number', detail: 'expired', contacts: 1, nextAt: null, overdue: 0 },
      { reason: 'retry_interval', detail: 'busy', contacts: 1, nextAt: iso(night + 20_000 + 3_600_000), overdue: 0 },
    ],
  });

  // The channel comes free: the waiting call takes it and its wait is gone.
  await pool.query(`DELETE FROM channel_lease WHERE channel_id = 'held-call'`);
  expect((await waiting).acquired).toBe(true);
  const after = await graphql(world.url, WAITS, { c }, world.keys.viewer);
  expect(after.data!.campaignWaits.groups.map((g: { reason: string }) => g.reason)).not.toContain('channel');

  // The Moscow contact's hours open: its next gate clears the wait (it goes on to call).
  const msk = (await pool.query<{ id: string }>(`SELECT id FROM contact WHERE campaign_id = $1 AND external_id = 'h-msk'`, [c])).rows[0].id;
  expect((await gate(pool, ask(c, Number(msk), '+79163330001', ['Europe/Moscow'], utc('07:00')))).allowed).toBe(true);
  expect((await pool.query('SELECT 1 FROM contact_wait WHERE contact_id = $1', [msk])).rowCount).toBe(0);
});

test('a paused campaign: the hold says so, and the contacts its gate refused wait for the resume', async () => {
  const pool = world.db.pool;
  const c = await createTestCampaign(pool);
  const a = await contact(c, 'a', '+79163340001');
  const b = await contact(c, 'b', '+79163340002');
  await insertContact(pool, c, 'later', ['+79163340003']);
  await setCampaignState(pool, c, 'paused', 'test');
  for (const [id, e164] of [[a, '+79163340001'], [b, '+79163340002']] as const) {
    expect(await gate(pool, ask(c, id, e164, ['Europe/Moscow'], Date.now()))).toMatchObject({ allowed: false, refusal: 'campaign_paused' });
  }
  const answer = await graphql(world.url, WAITS, { c }, world.keys.erp);
  expect(answer.data!.campaignWaits).toEqual({
    campaignId: c, state: 'paused', hold: 'paused', inFlight: 2, busy: 0,
    groups: [
      { reason: 'paused', detail: null, contacts: 2, nextAt: null, overdue: 0 },
      { reason: 'not_started', detail: 'the campaign is paused', contacts: 1, nextAt: null, overdue: 0 },
    ],
  });

  // Resumed: the next gate lets them through and their waits are gone.
  await setCampaignState(pool, c, 'running', 'test');
  expect((await gate(pool, ask(c, a, '+79163340001', ['Europe/Moscow'], Date.now()))).allowed).toBe(true);
  const resumed = await graphql(world.url, WAITS, { c }, world.keys.erp);
  expect(resumed.data!.campaignWaits.groups).toContainEqual({ reason: 'paused', detail: null, contacts: 1, nextAt: null, overdue: 0 });
  expect(resumed.data!.campaignWaits.hold).toBeNull();
});

test('an unknown campaign is bad input naming the field', async () => {
  const answer = await graphql(world.url, WAITS, { c: 'nope' }, world.keys.viewer);
  expect(answer.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'campaignId' }] });
});
