import { randomBytes } from 'node:crypto';
import { startCampaign } from '../adapters/temporal/workflowStarters';
import { contactWorkflowId, campaignWorkflowId } from '../domain/ids';
import type { ContactResult } from '../domain/types';
import { createTestCampaign, insertContact } from './fixtures';
import { startWorld, type StackWorld } from './stackWorker';

// A whole campaign on the real Temporal server, real Postgres and the ARI simulator (default
// rules: the number's last digit picks the subscriber's behaviour, see apps/ari-simulator).

jest.setTimeout(180_000);

let world: StackWorld;
beforeAll(async () => { world = await startWorld(); });
afterAll(async () => { await world?.close(); });

interface Case {
  id: string;
  phones: string[];
  state: ContactResult['state'];
  outcome: string | null;
  /** Outcomes of the attempt rows, in order. */
  attempts: string[];
  dtmf?: string;
}

// max 2 attempts per number in this campaign
const cases: Case[] = [
  ...['0', '1', '2', '3'].map((d, i) => ({ id: `answer-${i}`, phones: [`+7916000001${d}`], state: 'done' as const, outcome: 'answered', attempts: ['answered'] })),
  { id: 'press-1', phones: ['+79160000024'], state: 'done', outcome: 'answered', attempts: ['answered'], dtmf: '1' },
  { id: 'press-1-b', phones: ['+79160000034'], state: 'done', outcome: 'answered', attempts: ['answered'], dtmf: '1' },
  { id: 'busy-then-answer', phones: ['+79160000045'], state: 'done', outcome: 'answered', attempts: ['busy', 'answered'] },
  { id: 'busy-then-answer-b', phones: ['+79160000055'], state: 'done', outcome: 'answered', attempts: ['busy', 'answered'] },
  { id: 'busy', phones: ['+79160000066'], state: 'failed', outcome: 'busy', attempts: ['busy', 'busy'] },
  { id: 'no-answer', phones: ['+79160000077'], state: 'failed', outcome: 'no_answer', attempts: ['no_answer', 'no_answer'] },
  { id: 'early-hangup', phones: ['+79160000088'], state: 'failed', outcome: 'answered_short', attempts: ['answered_short', 'answered_short'] },
  { id: 'invalid', phones: ['+79160000099'], state: 'failed', outcome: 'invalid_number', attempts: ['invalid_number'] },
  { id: 'congestion', phones: ['+79160000198'], state: 'failed', outcome: 'congestion', attempts: ['congestion', 'congestion'] },
  { id: 'invalid-then-second', phones: ['+79160000109', '+79160000111'], state: 'done', outcome: 'answered', attempts: ['invalid_number', 'answered'] },
  { id: 'busy-then-second', phones: ['+79160000126', '+79160000121'], state: 'done', outcome: 'answered', attempts: ['busy', 'busy', 'answered'] },
  { id: 'no-answer-then-second', phones: ['+79160000137', '+79160000134'], state: 'done', outcome: 'answered', attempts: ['no_answer', 'no_answer', 'answered'], dtmf: '1' },
  { id: 'blacklisted', phones: ['+79160000141'], state: 'blacklisted', outcome: null, attempts: ['refused'] },
  { id: 'blacklisted-then-second', phones: ['+79160000151', '+79160000152'], state: 'done', outcome: 'answered', attempts: ['refused', 'answered'] },
  ...['0', '1', '2'].map((d, i) => ({ id: `more-${i}`, phones: [`+7926000016${d}`], state: 'done' as const, outcome: 'answered', attempts: ['answered'] })),
  { id: 'machine', phones: ['+79160000197'], state: 'done', outcome: 'answered', attempts: ['answered'] },
];

describe('a campaign end to end', () => {
  const campaignId = `t-${randomBytes(3).toString('hex')}`;
  const ids = new Map<string, number>();

  beforeAll(async () => {
    const { pool } = world.db;
    // A draft, as a user leaves it: startCampaign sets it running.
    await createTestCampaign(pool, {
      id: campaignId, name: 'integration', state: 'draft', timeZone: 'Europe/Moscow',
      template: 'Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}. Спасибо.',
      maxAttemptsPerNumber: 2, retryIntervalSeconds: 1, ringTimeoutSeconds: 5, maxInFlight: 7,
    });
    for (const c of cases) ids.set(c.id, await insertContact(pool, campaignId, c.id, c.phones));
    await pool.query(
      `INSERT INTO blacklist (e164, reason, source, created_by) VALUES ('+79160000141', 'asked not to call', 'manual', 'test'), ('+79160000151', 'asked not to call', 'manual', 'test')`,
    );
    const started = await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    expect(started.alreadyRunning).toBe(false);
    const summary = await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    expect(summary).toMatchObject({ campaignId, state: 'completed', contactsStarted: cases.length });
  });

  it('audited the start: draft to running, then the workflow started', async () => {
    const { rows } = await world.db.pool.query(
      `SELECT action, details FROM audit_log WHERE entity = 'campaign' AND entity_id = $1 AND action <> 'campaign.completed'
        ORDER BY id`, [campaignId]);
    expect(rows.slice(0, 3)).toEqual([
      { action: 'campaign.created', details: { name: 'integration' } },
      { action: 'campaign.state_changed', details: { from: 'draft', to: 'running' } },
      { action: 'campaign.started', details: {} },
    ]);
  });

  it('leaves every contact in its final state with the right attempts in Postgres', async () => {
    const { rows } = await world.db.pool.query(
      `SELECT c.external_id, c.state, c.outcome, c.attempts,
              array_agg(a.outcome::text ORDER BY a.seq) AS outcomes,
              string_agg(a.dtmf, '' ORDER BY a.seq) AS dtmf
         FROM contact c LEFT JOIN attempt a ON a.contact_id = c.id
        WHERE c.campaign_id = $1 GROUP BY c.id`,
      [campaignId],
    );
    const byId = new Map(rows.map((r) => [r.external_id, r]));
    for (const c of cases) {
      const row = byId.get(c.id);
      expect({ id: c.id, state: row.state, outcome: row.outcome, outcomes: row.outcomes })
        .toEqual({ id: c.id, state: c.state, outcome: c.outcome, outcomes: c.attempts });
      expect(row.attempts).toBe(c.attempts.filter((o) => o !== 'refused').length);
      if (c.dtmf) expect(row.dtmf).toBe(c.dtmf);
    }
  });

  it('returns the same results from the contact workflows in Temporal', async () => {
    for (const c of cases) {
      const result: ContactResult = await world.client.workflow.getHandle(contactWorkflowId(campaignId, c.id)).result();
      expect({ id: c.id, state: result.state, outcome: result.outcome, attempts: result.attempts })
        .toEqual({ id: c.id, state: c.state, outcome: c.outcome, attempts: c.attempts.filter((o) => o !== 'refused').length });
    }
  });

  it('records the gate decision and the message text on every attempt', async () => {
    const { rows } = await world.db.pool.query(
      `SELECT outcome, gate, message_text FROM attempt WHERE campaign_id = $1`, [campaignId]);
    for (const r of rows) {
      if (r.outcome === 'refused') {
        expect(r.gate).toMatchObject({ allowed: false, refusal: 'blacklisted' });
        expect(r.message_text).toBeNull();
      } else {
        expect(r.gate.allowed).toBe(true);
        expect(r.gate.checks.map((c: { rule: string }) => c.rule)).toEqual(['campaign_running', 'not_blacklisted', 'rule_profile', 'not_mass_call_refused', 'consent', 'calling_hours']);
        expect(r.message_text).toBe('Здравствуйте, Тестов Тест! Ваша задолженность 100 рублей. Спасибо.');
      }
    }
  });

  it('puts numbers proven invalid on the blacklist, citing the attempt', async () => {
    const { rows } = await world.db.pool.query(
      `SELECT b.e164, b.source, a.outcome, a.hangup_cause FROM blacklist b JOIN attempt a ON a.id = b.attempt_id
        WHERE a.campaign_id = $1 ORDER BY b.e164`, [campaignId]);
    expect(rows).toEqual([
      { e164: '+79160000099', source: 'automatic', outcome: 'invalid_number', hangup_cause: 1 },
      { e164: '+79160000109', source: 'automatic', outcome: 'invalid_number', hangup_cause: 1 },
    ]);
  });

  it('never had more contacts in flight than the campaign allows', async () => {
    // Every attempt's interval overlaps at most max_in_flight contacts' lifetimes: count the
    // contacts whose first attempt started before another contact finished.
    const { rows } = await world.db.pool.query(
      `WITH life AS (SELECT contact_id, min(started_at) AS s, max(ended_at) AS e FROM attempt
                      WHERE campaign_id = $1 GROUP BY contact_id)
       SELECT max((SELECT count(*) FROM life l2 WHERE l2.s <= l1.s AND l2.e >= l1.s))::int AS peak FROM life l1`,
      [campaignId]);
    expect(rows[0].peak).toBeLessThanOrEqual(7);
    expect(world.sim.stats().maxActiveChannels).toBeLessThanOrEqual(7);
  });

  it('starts no contact twice when the campaign is started again', async () => {
    const before = world.sim.stats().originates;
    const again = await startCampaign({ pool: world.db.pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    expect(again.alreadyRunning).toBe(false);
    const summary = await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    expect(summary.state).toBe('completed');
    expect(world.sim.stats().originates).toBe(before);
    const { rows } = await world.db.pool.query('SELECT count(*)::int AS n FROM attempt WHERE campaign_id = $1', [campaignId]);
    expect(rows[0].n).toBe(cases.reduce((n, c) => n + c.attempts.length, 0));
  });
});

describe('a campaign larger than one run of its workflow', () => {
  it('continues-as-new, keeps its cursor and starts every contact once', async () => {
    const { pool } = world.db;
    const campaignId = `t-${randomBytes(3).toString('hex')}`;
    await createTestCampaign(pool, { id: campaignId, maxAttemptsPerNumber: 1, maxInFlight: 3 });
    for (let i = 0; i < 12; i++) await insertContact(pool, campaignId, `p${i}`, [`+7926100${String(i).padStart(2, '0')}01`]);
    const before = world.sim.stats().originates;
    // Pages of 2 and 3 loop iterations per run: the campaign needs several runs.
    await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test',
      { pollIntervalMs: 100, pageSize: 2, iterationsPerRun: 3 });
    const summary = await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    expect(summary).toMatchObject({ state: 'completed', contactsStarted: 12 });
    expect(summary.runs).toBeGreaterThan(1);
    expect(world.sim.stats().originates - before).toBe(12);
    const { rows } = await pool.query(`SELECT count(DISTINCT contact_id)::int AS n, count(*)::int AS calls FROM attempt WHERE campaign_id = $1`, [campaignId]);
    expect(rows[0]).toEqual({ n: 12, calls: 12 });
  });
});
