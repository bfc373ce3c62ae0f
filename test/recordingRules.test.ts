import { gateForCall } from '../activities/gate';
import { createCampaign, setCampaignState } from '../adapters/postgres/campaigns';
import type { NewCampaignInput } from '../domain/campaignSettings';
import { insertRecording } from '../adapters/postgres/recordings';
import { insertContact } from './fixtures';
import { at, question } from './gateQuestions';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// What is recorded and for how long follows the campaign's purpose (its rule profile), and a
// campaign may record more than its profile asks (recordCalls), never less.

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const campaign = (id: string, purpose: NewCampaignInput['purpose'], recordCalls: boolean) =>
    createCampaign(db.pool, { id, name: id, callerId: '+74951112233', purpose, recordCalls, windowStart: '00:00', windowEnd: '24:00' }, 'test');
  await campaign('debts', 'debt_collection', false);
  await campaign('service-quiet', 'service', false);
  await campaign('service-recorded', 'service', true);
});
afterAll(async () => { await db?.drop(); });

it('records a debt collector\'s answered calls by its profile, a service campaign only when it asks', async () => {
  // As the call step learns it: from the gate's last check, which allows the call in the same answer.
  const records = async (campaignId: string, phone: string) => {
    await setCampaignState(db.pool, campaignId, 'running', 'test');
    const contactId = await insertContact(db.pool, campaignId, `rec-${campaignId}`, [phone]);
    const { decision, records } = await gateForCall(db.pool, question(campaignId, contactId, phone, at('2026-03-02T10:00'), `ch-${campaignId}`));
    expect(decision.allowed).toBe(true);
    return records;
  };
  expect(await records('debts', '+79160000001')).toBe(true);
  expect(await records('service-quiet', '+79160000002')).toBe(false);
  expect(await records('service-recorded', '+79160000003')).toBe(true);
  // A change of the campaign counts from the next check on.
  await db.pool.query(`UPDATE campaign SET record_calls = true WHERE id = 'service-quiet'`);
  const contactId = await insertContact(db.pool, 'service-quiet', 'rec-again', ['+79160000004']);
  expect((await gateForCall(db.pool, question('service-quiet', contactId, '+79160000004', at('2026-03-02T10:00'), 'ch-again'))).records).toBe(true);
});

it('keeps a recording for the profile\'s days as they are when the call ends', async () => {
  const endedAt = '2026-12-01T10:00:30.000Z';
  const keep = async (campaignId: string, seq: number) => {
    const id = await insertRecording(db.pool, {
      workflowId: `contact/${campaignId}/x`, seq, campaignId, name: `call-test-${campaignId}-${seq}`, format: 'wav',
      startedAt: '2026-12-01T10:00:00.000Z', endedAt, durationMs: 30_000, bytes: 480_044,
    });
    const { rows: [r] } = await db.pool.query<{ days: number }>(
      `SELECT extract(epoch FROM expires_at - ended_at) / 86400 AS days FROM call_recording WHERE id = $1`, [id]);
    return Number(r.days);
  };
  expect(await keep('debts', 1)).toBe(1095);
  expect(await keep('service-recorded', 1)).toBe(90);
  await db.pool.query(`UPDATE rule_profile SET recording_retention_days = 180 WHERE purpose = 'service'`);
  expect(await keep('service-recorded', 2)).toBe(180);
  expect(await keep('debts', 2)).toBe(1095);
});
