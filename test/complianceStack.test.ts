import { randomBytes } from 'node:crypto';
import { addMassCallRefusals } from '../adapters/postgres/massCallRefusals';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { campaignWorkflowId } from '../domain/ids';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// Who may be called, on the real stack: real Temporal, real Postgres, the worker and the ARI
// simulator. A third party without consent and a number on the refusal list are never
// originated (the simulator's log of every originate it accepted names no channel of theirs),
// while the debtor, a third party with consent and the number after a refused one are called;
// each refusal is an attempt row whose proof says why.

jest.setTimeout(180_000);

let world: StackWorld;
beforeAll(async () => { world = await startWorld(); });
afterAll(async () => { await world?.close(); });

// The simulator answers numbers ending in 0-3 (apps/ari-simulator's default rules).
const DEBTOR = '+79170000010';
const THIRD_NO_CONSENT = '+79170000021';
const THIRD_WITH_CONSENT = '+79170000032';
const REFUSED = '+79170000040';
const AFTER_REFUSED = '+79170000051';

it('never originates a third party without consent nor a refused number; calls the others', async () => {
  const { pool } = world.db;
  const campaignId = `cs-${randomBytes(3).toString('hex')}`;
  await createTestCampaign(pool, { id: campaignId, state: 'draft', purpose: 'debt_collection', maxAttemptsPerNumber: 1, ringTimeoutSeconds: 5 });
  // Debt collection applies 230-FZ's hours whatever the campaign says: the test runs in the
  // subscriber's zone where it is inside them now.
  const zone = hourZone();
  await insertContact(pool, campaignId, 'debtor', [DEBTOR], undefined, undefined, { personId: 'p-debtor', timeZone: zone });
  const third = async (externalId: string, phone: string): Promise<number> => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO contact (campaign_id, external_id, role, debtor_external_id, time_zone) VALUES ($1, $2, 'third_party', 'debtor', $3) RETURNING id`,
      [campaignId, externalId, zone]);
    await pool.query('INSERT INTO contact_phone (contact_id, position, e164, raw) VALUES ($1, 1, $2, $2)', [rows[0].id, phone]);
    await pool.query(`INSERT INTO contact_variable (contact_id, name, value) VALUES ($1, 'BALANCE', '-100.00')`, [rows[0].id]);
    return Number(rows[0].id);
  };
  await third('third-no-consent', THIRD_NO_CONSENT);
  const withConsent = await third('third-consent', THIRD_WITH_CONSENT);
  await pool.query(`INSERT INTO contact_consent (contact_id, e164, source, given_at, channel, created_by)
                    VALUES ($1, $2, 'form 12', now() - interval '1 day', 'written', 'test')`, [withConsent, THIRD_WITH_CONSENT]);
  await insertContact(pool, campaignId, 'refused', [REFUSED], undefined, undefined, { personId: 'p-refused', timeZone: zone });
  await insertContact(pool, campaignId, 'refused-then-second', [REFUSED, AFTER_REFUSED], undefined, undefined, { personId: 'p-second', timeZone: zone });
  await addMassCallRefusals(pool, [{ e164: REFUSED, refusedAt: null, operator: 'МТС' }], 'api', 'test');

  world.sim.resetStats();
  await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
  const summary = await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
  expect(summary).toMatchObject({ state: 'completed', contactsStarted: 5 });

  const { rows: attempts } = await pool.query<{ external_id: string; e164: string; outcome: string; channel_id: string | null; gate: { refusal?: string } }>(
    `SELECT c.external_id, a.e164, a.outcome::text, a.channel_id, a.gate FROM attempt a JOIN contact c ON c.id = a.contact_id
      WHERE a.campaign_id = $1 ORDER BY c.external_id, a.seq`, [campaignId]);
  const byNumber = new Map(attempts.filter((a) => a.channel_id !== null).map((a) => [a.channel_id, a.e164]));
  // Every originate the simulator accepted is one of the campaign's calls, and none went to them.
  const originated = world.sim.originates().map((o) => byNumber.get(o.channelId));
  expect(originated).not.toContain(undefined);
  expect(new Set(originated)).toEqual(new Set([DEBTOR, THIRD_WITH_CONSENT, AFTER_REFUSED]));

  expect(attempts.map((a) => [a.external_id, a.e164, a.outcome, a.gate.refusal ?? null])).toEqual([
    ['debtor', DEBTOR, 'answered', null],
    ['refused', REFUSED, 'refused', 'mass_call_refused'],
    ['refused-then-second', REFUSED, 'refused', 'mass_call_refused'],
    ['refused-then-second', AFTER_REFUSED, 'answered', null],
    ['third-consent', THIRD_WITH_CONSENT, 'answered', null],
    ['third-no-consent', THIRD_NO_CONSENT, 'refused', 'no_consent'],
  ]);
  const { rows: states } = await pool.query(`SELECT external_id, state FROM contact WHERE campaign_id = $1 ORDER BY external_id`, [campaignId]);
  expect(states.map((s) => [s.external_id, s.state])).toEqual([
    ['debtor', 'done'], ['refused', 'refused'], ['refused-then-second', 'done'], ['third-consent', 'done'], ['third-no-consent', 'refused'],
  ]);
});

/** A zone whose local hour now is 12 (inside 230-FZ's hours on any day). */
function hourZone(): string {
  const utcHour = new Date().getUTCHours();
  const offset = ((12 - utcHour + 36) % 24) - 12; // -12..+11
  // Etc/GMT signs are inverted: Etc/GMT-3 is UTC+3.
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
