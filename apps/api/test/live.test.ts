import { finish } from '../../../activities/record';
import { createTestCampaign, insertContact } from '../../../test/fixtures';
import { startApiWorld, type ApiWorld } from './apiWorld';
import { failureOf, subscribe, wsClient } from './liveClient';
import { recordAttempt } from './resultsFixtures';

// Live counters: a subscription over a real WebSocket gets a campaign's counters at once and
// again within a second of an attempt committed by the real record step (NOTIFY in its
// transaction, one LISTEN connection in the API, a recount coalesced per campaign). A
// connection without valid credentials is refused.

jest.setTimeout(60_000);

interface Counters { contacts: number; calls: number; finished: number; refusedByRule: { name: string; count: number }[] }
const QUERY = `subscription($c: String!) { campaignCounters(campaignId: $c) { contacts calls finished refusedByRule { name count } } }`;

let world: ApiWorld;
let campaign: string;
let contact: number;
let seq = 0;
beforeAll(async () => {
  world = await startApiWorld();
  campaign = await createTestCampaign(world.db.pool);
  contact = await insertContact(world.db.pool, campaign, 'live-1', ['+79162220001']);
});
afterAll(async () => { await world?.close(); });

const attempt = (outcome: 'busy' | 'refused' = 'busy') => recordAttempt(world.db.pool, {
  campaignId: campaign, contactId: contact, externalId: 'live-1', seq: ++seq, e164: '+79162220001', outcome,
  startedAt: new Date().toISOString(), numberAttempt: seq,
});

test('the counters come at once, then within a second of an attempt committed by the record step', async () => {
  const live = subscribe<{ campaignCounters: Counters }>(wsClient(world.url, `Bearer ${world.keys.viewer}`), QUERY, { c: campaign });
  try {
    const first = await live.next(() => true);
    expect(first.data.campaignCounters).toEqual({ contacts: 1, calls: 0, finished: 0, refusedByRule: [] });

    await attempt();
    const committedAt = Date.now();
    const after = await live.next((d) => d.campaignCounters.calls === 1, 2000);
    expect(after.at - committedAt).toBeLessThan(1000);

    await attempt('refused');
    const refusedAt = Date.now();
    const refused = await live.next((d) => d.campaignCounters.refusedByRule.length > 0, 2000);
    expect(refused.data.campaignCounters.refusedByRule).toEqual([{ name: 'cap_reached', count: 1 }]);
    expect(refused.at - refusedAt).toBeLessThan(1000);

    // The contact's end (finish) is pushed too.
    await finish(world.db.pool, contact, 'failed', 'busy');
    const finishedAt = Date.now();
    const ended = await live.next((d) => d.campaignCounters.finished === 1, 2000);
    expect(ended.at - finishedAt).toBeLessThan(1000);
  } finally {
    await live.close();
  }
});

test('a burst of attempts is counted in a few recounts, not one per attempt, and ends on the right figure', async () => {
  const live = subscribe<{ campaignCounters: Counters }>(wsClient(world.url, `Bearer ${world.keys.erp}`), QUERY, { c: campaign });
  try {
    const first = await live.next(() => true);
    const before = first.data.campaignCounters.calls;
    const start = Date.now();
    for (let i = 0; i < 30; i++) await attempt();
    const last = await live.next((d) => d.campaignCounters.calls === before + 30, 2000, start);
    const during = live.events.filter((e) => e.at >= start && e.at <= last.at).length;
    // At most one recount per campaign per 250 ms (plus the one that starts a quiet spell).
    expect(during).toBeLessThanOrEqual(Math.ceil((last.at - start) / 250) + 2);
    expect(during).toBeLessThan(30);
  } finally {
    await live.close();
  }
});

test('a connection without credentials, or with a made-up token, is refused before any subscription', async () => {
  for (const authorization of [undefined, 'Bearer dk_madeup', 'Basic abc']) {
    const live = subscribe(wsClient(world.url, authorization), QUERY, { c: campaign });
    await failureOf(live);
    expect(live.events.filter((e) => e.data)).toEqual([]);
    await live.close();
  }
});

test('an unknown campaign is refused with the field named', async () => {
  const live = subscribe(wsClient(world.url, `Bearer ${world.keys.viewer}`), QUERY, { c: 'no-such-campaign' });
  const failure = await failureOf(live);
  expect(failure).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  await live.close();
});
