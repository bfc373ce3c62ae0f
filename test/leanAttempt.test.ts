import { gate } from '../activities/gate';
import { recordAndFinish } from '../activities/record';
import { savePreparedMessage } from '../adapters/postgres/preparedMessages';
import type { AttemptRecord, CallResult } from '../domain/types';
import { createTestCampaign, insertContact } from './fixtures';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The lean attempt's steps on a real Postgres ('lean-attempt'): what each combined local
// activity writes, and that running one again (a worker lost after its commit, before the
// workflow heard of it) writes nothing twice.

let db: TestDatabase;

beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

const E164 = '+79160000021';
const ZONES = ['Europe/Moscow'];

/** A running campaign with one contact; a cap slot reserved for its call by the gate's last check, and its prepared message. */
async function calledContact(channelId: string): Promise<{ campaignId: string; contactId: number; preparedId: number; templateId: number }> {
  const campaignId = await createTestCampaign(db.pool, { template: 'Здравствуйте! Это тест.' });
  const contactId = await insertContact(db.pool, campaignId, 'c1', [E164]);
  const decision = await gate(db.pool, { campaignId, contactId, e164: E164, zones: ZONES, nowMs: Date.now(), checkWindow: true, reserve: { channelId } });
  expect(decision.allowed).toBe(true);
  const { rows } = await db.pool.query<{ template_id: string; template_version: number }>(
    'SELECT template_id, template_version FROM campaign WHERE id = $1', [campaignId]);
  const templateId = Number(rows[0].template_id);
  const preparedId = await savePreparedMessage(db.pool, {
    contactId, templateId, templateVersion: rows[0].template_version, text: 'Здравствуйте! Это тест.', audioKey: 'k', durationMs: 1000,
  });
  return { campaignId, contactId, preparedId, templateId };
}

function answeredCall(channelId: string): CallResult {
  const at = new Date().toISOString();
  return {
    outcome: 'answered', gate: { allowed: true, checks: [{ rule: 'campaign_running', passed: true }], checkedAt: at }, channelId,
    hangupCause: 16, dtmf: null, listenedMs: 9000, startedAt: at, answeredAt: at, endedAt: at,
  };
}

const contactRow = async (contactId: number) => (await db.pool.query(
  'SELECT state, outcome, attempts, finished_at FROM contact WHERE id = $1', [contactId])).rows[0];

describe('recordAndFinish, the record and finish steps in one transaction', () => {
  test('writes the attempt (its text from the prepared message), settles the cap slot and finishes the contact; run again, nothing twice', async () => {
    const channelId = 'lean-record-finish-1';
    const { campaignId, contactId, preparedId } = await calledContact(channelId);
    await db.pool.query(
      `INSERT INTO contact_wait (contact_id, campaign_id, reason, detail, until, since) VALUES ($1, $2, 'retry_interval', 'busy', now(), now())`,
      [contactId, campaignId]);
    const row: AttemptRecord = {
      workflowId: `contact/${campaignId}/c1`, seq: 1, campaignId, contactId, phonePosition: 1, e164: E164, numberAttempt: 1,
      result: answeredCall(channelId), messageText: null, preparedId, countUnanswered: false, zones: ZONES,
    };

    const first = await recordAndFinish(db.pool, row, { state: 'done', outcome: 'answered' });
    const afterFirst = await contactRow(contactId);
    expect(afterFirst).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
    expect(afterFirst.finished_at).not.toBeNull();
    const attempts = async () => (await db.pool.query(
      'SELECT id, outcome, message_text, number_attempt FROM attempt WHERE contact_id = $1', [contactId])).rows;
    expect(await attempts()).toEqual([{ id: String(first), outcome: 'answered', message_text: 'Здравствуйте! Это тест.', number_attempt: 1 }]);
    const slot = async () => (await db.pool.query('SELECT state, attempt_id FROM call_reservation WHERE channel_id = $1', [channelId])).rows;
    expect(await slot()).toEqual([{ state: 'counted', attempt_id: String(first) }]);
    expect((await db.pool.query('SELECT 1 FROM contact_wait WHERE contact_id = $1', [contactId])).rowCount).toBe(0);

    // The same step again, as after a worker lost between its commit and its answer.
    const again = await recordAndFinish(db.pool, row, { state: 'done', outcome: 'answered' });
    expect(again).toBe(first);
    expect(await attempts()).toHaveLength(1);
    expect(await slot()).toEqual([{ state: 'counted', attempt_id: String(first) }]);
    const afterAgain = await contactRow(contactId);
    expect(afterAgain).toMatchObject({ state: 'done', outcome: 'answered', attempts: 1 });
    expect(afterAgain.finished_at).toEqual(afterFirst.finished_at);
  });

  test('a failure inside it leaves neither the attempt nor the contact\'s end', async () => {
    const channelId = 'lean-record-finish-2';
    const { campaignId, contactId } = await calledContact(channelId);
    const row: AttemptRecord = {
      workflowId: `contact/${campaignId}/c1`, seq: 1, campaignId, contactId, phonePosition: 1, e164: E164, numberAttempt: 1,
      result: answeredCall(channelId), messageText: null, countUnanswered: false, zones: ZONES,
    };
    // A state the contact cannot have: the finishing statement fails after the attempt's insert.
    await expect(recordAndFinish(db.pool, row, { state: 'no_such_state' as never, outcome: 'answered' })).rejects.toThrow();
    expect((await db.pool.query('SELECT 1 FROM attempt WHERE contact_id = $1', [contactId])).rowCount).toBe(0);
    expect(await contactRow(contactId)).toMatchObject({ state: 'pending', attempts: 0, finished_at: null });
    expect((await db.pool.query('SELECT state FROM call_reservation WHERE channel_id = $1', [channelId])).rows).toEqual([{ state: 'reserved' }]);
  });
});
