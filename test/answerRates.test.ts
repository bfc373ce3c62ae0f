import { countAnswerHistory } from '../adapters/postgres/answerRates';
import type { CallOutcome } from '../domain/outcomes';
import { createTestCampaign, insertContact } from './fixtures';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The answer counts bestHour decides on, from real attempt rows: by the local hour the call
// started, per number, prefix and campaign, inside the look-back window.

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

const NOW = Date.parse('2026-03-10T12:00:00Z');
let seq = 0;

async function attempt(campaignId: string, contactId: number, e164: string, outcome: CallOutcome, startedAt: string, zones: string[] | null = ['Europe/Moscow']): Promise<void> {
  seq++;
  await db.pool.query(
    `INSERT INTO attempt (campaign_id, contact_id, workflow_id, seq, phone_position, e164, number_attempt, outcome, gate, started_at, ended_at, time_zones)
     VALUES ($1, $2, 'wf', $3, 1, $4, 1, $5, '{}', $6, $6, $7)`,
    [campaignId, contactId, seq, e164, outcome, startedAt, zones],
  );
}

test('counts calls and answers by local hour for the number, its prefix and the campaign, within the window', async () => {
  const campaign = await createTestCampaign(db.pool);
  const other = await createTestCampaign(db.pool);
  const number = '+79161234567';
  const neighbour = '+79169999999';
  const stranger = '+74951111111';
  const c1 = await insertContact(db.pool, campaign, 'a', [number]);
  const c2 = await insertContact(db.pool, campaign, 'b', [neighbour, stranger]);
  const c3 = await insertContact(db.pool, other, 'c', [number, neighbour]);
  // 19:xx in Moscow (16:xx UTC).
  await attempt(campaign, c1, number, 'no_answer', '2026-03-09T16:05:00Z');
  await attempt(campaign, c1, number, 'answered', '2026-03-08T16:40:00Z');
  await attempt(other, c3, number, 'answered_short', '2026-03-07T16:10:00Z'); // the number in another campaign
  await attempt(other, c3, neighbour, 'answered', '2026-03-07T16:10:00Z'); // not this campaign: not counted
  await attempt(campaign, c2, neighbour, 'operator', '2026-03-09T16:30:00Z');
  await attempt(campaign, c2, stranger, 'busy', '2026-03-09T16:30:00Z');
  // 10:xx in Vladivostok (00:xx UTC): the row's own zone reads its hour.
  await attempt(campaign, c2, stranger, 'answered', '2026-03-09T00:30:00Z', ['Asia/Vladivostok']);
  // No zone recorded: the question's zone reads it (09:xx in Moscow).
  await attempt(campaign, c2, stranger, 'machine', '2026-03-09T06:30:00Z', null);
  // Not counted: says nothing about the subscriber, too old, or after now.
  await attempt(campaign, c1, number, 'congestion', '2026-03-09T16:05:00Z');
  await attempt(campaign, c1, number, 'refused', '2026-03-09T16:05:00Z');
  await attempt(campaign, c1, number, 'answered', '2026-01-01T16:05:00Z');
  await attempt(campaign, c1, number, 'answered', '2026-03-10T16:05:00Z');

  const h = await countAnswerHistory(db.pool, {
    campaignId: campaign, position: 2, e164: number, zone: 'Europe/Moscow', nowMs: NOW, lookbackDays: 30, prefixDigits: 4,
  });
  expect(h.position).toBe(2);
  const only = (entries: Record<number, number>): number[] => Array.from({ length: 24 }, (_, i) => entries[i] ?? 0);
  expect(h.number).toEqual({ attempts: only({ 19: 3 }), answered: only({ 19: 2 }) });
  expect(h.prefix).toEqual({ attempts: only({ 19: 3 }), answered: only({ 19: 2 }) });
  expect(h.campaign).toEqual({ attempts: only({ 19: 4, 10: 1, 9: 1 }), answered: only({ 19: 2, 10: 1 }) });

  // A shorter window leaves out the older calls.
  const recent = await countAnswerHistory(db.pool, {
    campaignId: campaign, position: 1, e164: number, zone: 'Europe/Moscow', nowMs: NOW, lookbackDays: 1, prefixDigits: 4,
  });
  expect(recent.number).toEqual({ attempts: only({ 19: 1 }), answered: only({}) });
});
