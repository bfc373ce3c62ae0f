import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { stopCampaign, type CampaignControlDeps } from '../adapters/temporal/campaignControl';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { campaignWorkflowId, contactWorkflowId } from '../domain/ids';
import type { ContactResult } from '../domain/types';
import { contactProgressQuery } from '../workflows/signals';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// The example strategy workflow (workflows/strategies/mobileThenHome) run by a campaign that
// names it, end to end: the real feed starts it, the real worker runs it on Temporal, Postgres
// and the ARI simulator (a number's last digit is its subscriber: 0-3 answer, 6 busy, 7 no answer).

jest.setTimeout(240_000);

let world: StackWorld;
let deps: CampaignControlDeps;
beforeAll(async () => {
  world = await startWorld();
  deps = { pool: world.db.pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE };
});
afterAll(async () => { await world?.close(); });

/** A zone (Etc/GMT-3 is UTC+3) where the local time is now `hour` o'clock. */
function zoneAtHour(hour: number): string {
  let offset = (((hour - new Date().getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

async function attemptRows(contactId: number): Promise<[string, string][]> {
  const { rows } = await world.db.pool.query(`SELECT e164, outcome::text FROM attempt WHERE contact_id = $1 ORDER BY seq`, [contactId]);
  return rows.map((r) => [r.e164, r.outcome]);
}

describe('a campaign with workflowType mobileThenHome, in the subscribers\' evening', () => {
  // 20:xx where the subscribers are: the evening has begun, so busy twice goes home at once.
  const zone = zoneAtHour(20);
  const campaignId = `t-${randomBytes(3).toString('hex')}`;
  const cases: { id: string; phones: string[]; state: ContactResult['state']; outcome: string | null; attempts: [string, string][] }[] = [
    { id: 'busy-twice-home-answers', phones: ['+79160000206', '+74950000201'], state: 'done', outcome: 'answered',
      attempts: [['+79160000206', 'busy'], ['+79160000206', 'busy'], ['+74950000201', 'answered']] },
    { id: 'mobile-answers', phones: ['+79160000210', '+74950000212'], state: 'done', outcome: 'answered',
      attempts: [['+79160000210', 'answered']] },
    { id: 'mobile-no-answer', phones: ['+79160000227', '+74950000223'], state: 'done', outcome: 'answered',
      attempts: [['+79160000227', 'no_answer'], ['+79160000227', 'no_answer'], ['+74950000223', 'answered']] },
    { id: 'mobile-blacklisted', phones: ['+79160000231', '+74950000232'], state: 'done', outcome: 'answered',
      attempts: [['+79160000231', 'refused'], ['+74950000232', 'answered']] },
    { id: 'both-busy', phones: ['+79160000246', '+74950000246'], state: 'failed', outcome: 'busy',
      attempts: [['+79160000246', 'busy'], ['+79160000246', 'busy'], ['+74950000246', 'busy'], ['+74950000246', 'busy']] },
  ];
  const ids = new Map<string, number>();

  beforeAll(async () => {
    const { pool } = world.db;
    await createTestCampaign(pool, {
      id: campaignId, state: 'draft', workflowType: 'mobileThenHome',
      maxAttemptsPerNumber: 2, retryIntervalSeconds: 1, ringTimeoutSeconds: 5, maxInFlight: 3,
    });
    for (const c of cases) ids.set(c.id, await insertContact(pool, campaignId, c.id, c.phones, {}, 'Тестов Тест', { timeZone: zone }));
    await pool.query(`INSERT INTO blacklist (e164, reason, source, created_by) VALUES ('+79160000231', 'asked not to call', 'manual', 'test')`);
    await startCampaign(deps, campaignId, 'test', { pollIntervalMs: 200 });
    const summary = await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    expect(summary).toMatchObject({ state: 'completed', contactsStarted: cases.length });
  });

  it('started every contact as the campaign\'s workflow type, under the usual workflow ids', async () => {
    for (const c of cases) {
      const described = await world.client.workflow.getHandle(contactWorkflowId(campaignId, c.id)).describe();
      expect({ id: c.id, type: described.type }).toEqual({ id: c.id, type: 'mobileThenHome' });
    }
  });

  it('left each contact\'s attempt rows with the numbers and outcomes the strategy calls for', async () => {
    for (const c of cases) {
      const id = ids.get(c.id)!;
      const { rows } = await world.db.pool.query(`SELECT state, outcome FROM contact WHERE id = $1`, [id]);
      expect({ id: c.id, ...rows[0], attempts: await attemptRows(id) })
        .toEqual({ id: c.id, state: c.state, outcome: c.outcome, attempts: c.attempts });
    }
  });

  it('put the gate\'s decision on every attempt row, and called home in the subscriber\'s evening', async () => {
    const { rows } = await world.db.pool.query(
      `SELECT e164, outcome, gate, started_at FROM attempt WHERE campaign_id = $1 ORDER BY contact_id, seq`, [campaignId]);
    expect(rows).toHaveLength(cases.reduce((n, c) => n + c.attempts.length, 0));
    for (const r of rows) {
      expect(r.gate.allowed).toBe(r.outcome !== 'refused');
      if (r.outcome === 'refused') expect(r.gate.refusal).toBe('blacklisted');
    }
    const home = rows.find((r) => r.e164 === '+74950000201');
    expect(DateTime.fromJSDate(home.started_at, { zone }).hour).toBeGreaterThanOrEqual(18);
  });
});

describe('a campaign with workflowType mobileThenHome, in the subscriber\'s morning', () => {
  it('waits for 18:00 the subscriber\'s time after busy twice, until the campaign is stopped', async () => {
    const zone = zoneAtHour(10);
    const { pool } = world.db;
    const campaignId = await createTestCampaign(pool, {
      workflowType: 'mobileThenHome', maxAttemptsPerNumber: 2, retryIntervalSeconds: 1, ringTimeoutSeconds: 5,
    });
    const contactId = await insertContact(pool, campaignId, 'busy-by-day', ['+79160000256', '+74950000251'], {}, 'Тестов Тест', { timeZone: zone });
    await startCampaign(deps, campaignId, 'test', { pollIntervalMs: 200 });
    const contact = world.client.workflow.getHandle(contactWorkflowId(campaignId, 'busy-by-day'));
    let progress = null;
    for (let i = 0; i < 600; i++) {
      progress = await contact.query(contactProgressQuery).catch(() => null);
      if (progress?.attempts === 2 && progress.sleepingUntil !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(progress).toMatchObject({ step: 'wait', phonePosition: 2, attempts: 2, lastOutcome: 'busy' });
    const until = DateTime.fromISO(progress!.sleepingUntil!, { zone });
    expect(until.toFormat('HH:mm')).toBe('18:00');
    expect(until.toMillis() - Date.now()).toBeLessThan(9 * 3600_000);
    expect(await attemptRows(contactId)).toEqual([['+79160000256', 'busy'], ['+79160000256', 'busy']]);

    // The stop wakes the wait; the gate ends the contact before any call of the home number
    // (its refusal is the proof row).
    await stopCampaign(deps, campaignId, 'test');
    expect(await contact.result()).toMatchObject({ state: 'cancelled', attempts: 2 });
    expect(await attemptRows(contactId)).toEqual([['+79160000256', 'busy'], ['+79160000256', 'busy'], ['+74950000251', 'refused']]);
    const { rows } = await pool.query(`SELECT gate->>'refusal' AS refusal FROM attempt WHERE contact_id = $1 AND outcome = 'refused'`, [contactId]);
    expect(rows).toEqual([{ refusal: 'campaign_stopped' }]);
  });
});
