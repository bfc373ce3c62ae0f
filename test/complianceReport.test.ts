import { DateTime } from 'luxon';
import { gate } from '../activities/gate';
import { record } from '../activities/record';
import { complianceReport, type ComplianceReport } from '../adapters/postgres/complianceReport';
import { addMassCallRefusals } from '../adapters/postgres/massCallRefusals';
import type { NewCampaignInput } from '../domain/campaignSettings';
import type { CallOutcome } from '../domain/outcomes';
import type { CallResult } from '../domain/types';
import { createTestCampaign, insertContact } from './fixtures';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The compliance report on real Postgres. Calls go through the product's own gate (with its cap
// reservation) and record step; the violations a working gate never lets through are inserted
// as attempt rows directly, to show the report finds them from the rows, not from the gate.

let db: TestDatabase;
const msk = 'Europe/Moscow';
const at = (local: string): number => DateTime.fromISO(local, { zone: msk }).toMillis();
const iso = (ms: number): string => new Date(ms).toISOString();
let seq = 0;

// 230-FZ's hours; messages' caps (2 a day, 4 a week, 16 a month) so a person may get two calls a day.
const RU: Partial<NewCampaignInput> = { legalPolicy: 'ru_230fz', policyOptions: { callKind: 'message' } };

beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

/** A call through the gate's last check and the record step, as the call activity makes one. */
async function dial(campaignId: string, contactId: number, e164: string, local: string, outcome: CallOutcome, countUnanswered = false): Promise<number> {
  const nowMs = at(local);
  const channelId = `cr-${++seq}`;
  const decision = await gate(db.pool, { campaignId, contactId, e164, zones: [msk], nowMs, checkWindow: true, reserve: { channelId } });
  const answered = ['answered', 'answered_short', 'operator', 'machine'].includes(outcome);
  const result: CallResult = decision.allowed
    ? {
      outcome, gate: decision, channelId, hangupCause: 16, dtmf: null, listenedMs: answered ? 5000 : null, callerId: '+74950000000',
      startedAt: iso(nowMs + 100), answeredAt: answered ? iso(nowMs + 5000) : null, endedAt: iso(nowMs + 30_000),
    }
    : { outcome: 'refused', gate: decision, channelId: null, hangupCause: null, dtmf: null, listenedMs: null, startedAt: decision.checkedAt, answeredAt: null, endedAt: decision.checkedAt };
  return record(db.pool, {
    workflowId: `contact/${campaignId}/${contactId}`, seq, campaignId, contactId, phonePosition: 1, e164, numberAttempt: 1,
    result, messageText: null, countUnanswered, zones: [msk],
  });
}

/** A row the gate would never have written: a call at `local`, with the proof of attempt `proofOf` (edited by `edit`). */
async function insertDirectly(contactId: number, e164: string, local: string, proofOf: number, edit = 'gate'): Promise<number> {
  const startedAt = iso(at(local));
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO attempt (campaign_id, contact_id, workflow_id, seq, phone_position, e164, number_attempt, outcome, gate,
                          started_at, answered_at, ended_at, time_zones)
     SELECT c.campaign_id, c.id, 'direct/' || $5::int, $5::int, 1, $2, 1, 'answered', ${edit}, $3::timestamptz, $3::timestamptz, $3::timestamptz + interval '30 seconds', ARRAY['${msk}']
       FROM contact c, attempt p WHERE c.id = $1 AND p.id = $4
     RETURNING id`,
    [contactId, e164, startedAt, proofOf, ++seq]);
  return Number(rows[0].id);
}

const report = (campaignId: string | null, from: string, to: string): Promise<ComplianceReport> =>
  complianceReport(db.pool, { campaignId, from: new Date(at(from)), to: new Date(at(to)) });

const DAY = ['2026-11-24T00:00', '2026-11-25T00:00'] as const; // a Tuesday

describe('a campaign whose calls broke no rule', () => {
  let id: string;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    id = await createTestCampaign(db.pool, { id: 'cr-clean', ...RU });
    const p1 = await insertContact(db.pool, id, 'p1', ['+79163000001'], {}, 'x', { personId: 'person-1' });
    const p2 = await insertContact(db.pool, id, 'p2', ['+79163000002'], {}, 'x', { personId: 'person-2' });
    const p3 = await insertContact(db.pool, id, 'p3', ['+79163000003'], {}, 'x', { personId: 'person-3' });
    const p4 = await insertContact(db.pool, id, 'p4', ['+79163000004'], {}, 'x', { personId: 'person-4' });
    const p5 = await insertContact(db.pool, id, 'p5', ['+79163000005'], {}, 'x', { personId: 'person-5' });
    await db.pool.query(`INSERT INTO blacklist (kind, e164, reason, source, created_by) VALUES ('exact', '+79163000003', 'asked not to call', 'manual', 'test')`);
    await addMassCallRefusals(db.pool, [{ e164: '+79163000004', refusedAt: null, operator: 'МТС' }], 'api', 'test');

    ids.first = await dial(id, p1, '+79163000001', '2026-11-24T10:00', 'answered');
    ids.second = await dial(id, p1, '+79163000001', '2026-11-24T11:00', 'answered');
    ids.third = await dial(id, p1, '+79163000001', '2026-11-24T12:00', 'answered'); // the cap of 2 refuses it
    ids.early = await dial(id, p2, '+79163000002', '2026-11-24T07:00', 'answered'); // before 08:00
    ids.blacklisted = await dial(id, p3, '+79163000003', '2026-11-24T12:00', 'answered');
    ids.massRefused = await dial(id, p4, '+79163000004', '2026-11-24T12:00', 'answered');
    // A busy call is no conversation: 230-FZ's preset gives its slot back, so two answered calls follow.
    await dial(id, p5, '+79163000005', '2026-11-24T10:00', 'busy');
    await dial(id, p5, '+79163000005', '2026-11-24T10:30', 'answered');
    await dial(id, p5, '+79163000005', '2026-11-24T10:45', 'answered');
  });

  it('the product refused what it had to', async () => {
    const { rows } = await db.pool.query(`SELECT id::int, outcome, gate ->> 'refusal' AS refusal FROM attempt WHERE campaign_id = $1 ORDER BY id`, [id]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(ids.third)).toMatchObject({ outcome: 'refused', refusal: 'cap_reached' });
    expect(byId.get(ids.early)).toMatchObject({ outcome: 'refused', refusal: 'outside_window' });
    expect(byId.get(ids.blacklisted)).toMatchObject({ outcome: 'refused', refusal: 'blacklisted' });
    expect(byId.get(ids.massRefused)).toMatchObject({ outcome: 'refused', refusal: 'mass_call_refused' });
  });

  it('shows every section passed, with its figures', async () => {
    const r = await report(id, ...DAY);
    expect(r.passed).toBe(true);

    expect(r.hours).toMatchObject({
      passed: true, dialled: 5,
      windows: [{ campaignId: id, policy: 'ru_230fz', workingDayHours: ['08:00', '22:00'], restDayHours: ['09:00', '20:00'] }],
      outsideLegal: { count: 0, attemptIds: [] }, outsideCampaign: { count: 0, attemptIds: [] },
    });
    expect(r.hours.byHour).toEqual([
      { hour: 10, calls: 4, workingDayCalls: 4, restDayCalls: 0, outsideLegal: 0, outsideCampaign: 0 },
      { hour: 11, calls: 1, workingDayCalls: 1, restDayCalls: 0, outsideLegal: 0, outsideCampaign: 0 },
    ]);

    expect(r.caps).toEqual({
      passed: true, personsOver: 0, overCap: [],
      campaigns: [{
        campaignId: id, policy: 'ru_230fz', period: 'calendar', countUnanswered: false, caps: { day: 2, week: 4, month: 16 },
        // person-1's two calls, person-5's two answered ones (the busy one does not count)
        max: { day: 2, week: 2, month: 2 }, countedCalls: 4, personsOver: 0,
      }],
    });

    expect(r.refusals).toEqual({
      passed: true, total: 4, unexplained: { count: 0, attemptIds: [] },
      byReason: [
        { reason: 'blacklisted', count: 1, rules: [{ rule: 'not_blacklisted', count: 1 }] },
        { reason: 'cap_reached', count: 1, rules: [{ rule: 'cap_person_day', count: 1 }] },
        { reason: 'mass_call_refused', count: 1, rules: [{ rule: 'not_mass_call_refused', count: 1 }] },
        { reason: 'outside_window', count: 1, rules: [{ rule: 'calling_hours', count: 1 }] },
      ],
    });

    expect(r.proofs).toEqual({ passed: true, dialled: 5, complete: 5, incomplete: { count: 0, attemptIds: [] }, notAllowed: 0, byRule: [] });
  });

  it('covers only the period asked for', async () => {
    const r = await report(id, '2026-11-25T00:00', '2026-11-26T00:00');
    expect(r).toMatchObject({ passed: true, hours: { dialled: 0, byHour: [] }, refusals: { total: 0, byReason: [] }, proofs: { dialled: 0 } });
  });
});

describe('a campaign with rows no working gate would have written', () => {
  let id: string;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    id = await createTestCampaign(db.pool, { id: 'cr-dirty', ...RU });
    const q1 = await insertContact(db.pool, id, 'q1', ['+79164000001'], {}, 'x', { personId: 'person-q1' });
    const q2 = await insertContact(db.pool, id, 'q2', ['+79164000002'], {}, 'x', { personId: 'person-q2' });
    const q3 = await insertContact(db.pool, id, 'q3', ['+79164000003'], {}, 'x', { personId: 'person-q3' });
    ids.first = await dial(id, q1, '+79164000001', '2026-11-24T10:00', 'answered');
    ids.second = await dial(id, q1, '+79164000001', '2026-11-24T11:00', 'answered');
    // A third call the same day, over the cap of 2, with a proof that says it was allowed.
    ids.overCap = await insertDirectly(q1, '+79164000001', '2026-11-24T12:00', ids.second);
    // A call at 23:30 on a working day, after the legal 22:00.
    ids.late = await insertDirectly(q2, '+79164000002', '2026-11-24T23:30', ids.first);
    // A call whose proof lacks the consent check.
    ids.noConsentCheck = await insertDirectly(q3, '+79164000003', '2026-11-24T13:00', ids.first,
      `jsonb_set(p.gate, '{checks}', (SELECT jsonb_agg(ch) FROM jsonb_array_elements(p.gate -> 'checks') ch WHERE ch ->> 'rule' <> 'consent'))`);
    // A refusal whose proof holds no failed check.
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO attempt (campaign_id, contact_id, workflow_id, seq, phone_position, e164, number_attempt, outcome, gate, started_at, ended_at, time_zones)
       VALUES ($1, $2, 'direct/x', 1, 1, '+79164000003', 0, 'refused', $3, $4, $4, ARRAY['${msk}']) RETURNING id`,
      [id, q3, JSON.stringify({ allowed: false, refusal: 'outside_window', checks: [{ rule: 'calling_hours', passed: true }], checkedAt: iso(at('2026-11-24T14:00')) }),
        iso(at('2026-11-24T14:00'))]);
    ids.unexplained = Number(rows[0].id);
  });

  it('fails each section with the rows that broke its rule', async () => {
    const r = await report(id, ...DAY);
    expect(r.passed).toBe(false);

    expect(r.hours).toMatchObject({ passed: false, dialled: 5, outsideLegal: { count: 1, attemptIds: [ids.late] }, outsideCampaign: { count: 0 } });
    expect(r.hours.byHour.find((h) => h.hour === 23)).toEqual({ hour: 23, calls: 1, workingDayCalls: 1, restDayCalls: 0, outsideLegal: 1, outsideCampaign: 0 });

    expect(r.caps.passed).toBe(false);
    expect(r.caps.campaigns[0]).toMatchObject({ caps: { day: 2, week: 4, month: 16 }, max: { day: 3, week: 3, month: 3 }, personsOver: 1 });
    expect(r.caps.personsOver).toBe(1);
    expect(r.caps.overCap).toEqual([{ personId: 'person-q1', campaignId: id, period: 'day', calls: 3, cap: 2, attemptIds: [ids.overCap] }]);

    expect(r.refusals).toMatchObject({ passed: false, total: 1, unexplained: { count: 1, attemptIds: [ids.unexplained] } });
    expect(r.refusals.byReason).toEqual([{ reason: 'outside_window', count: 1, rules: [] }]);

    expect(r.proofs).toEqual({
      passed: false, dialled: 5, complete: 4, incomplete: { count: 1, attemptIds: [ids.noConsentCheck] }, notAllowed: 0,
      byRule: [{ rule: 'consent', missing: 1, failed: 0 }],
    });
  });

  it('every campaign at once holds both campaigns', async () => {
    const r = await report(null, ...DAY);
    expect(r.passed).toBe(false);
    expect(r.hours.dialled).toBe(10);
    expect(r.caps.campaigns.map((c) => c.campaignId).sort()).toEqual(['cr-clean', 'cr-dirty']);
    expect(r.refusals.total).toBe(5);
    expect(r.proofs.incomplete.attemptIds).toEqual([ids.noConsentCheck]);
  });
});

describe('rolling periods', () => {
  it('counts the 24 hours before each call, across the calendar day', async () => {
    const id = await createTestCampaign(db.pool, { id: 'cr-rolling', policyOptions: { period: 'rolling' }, caps: { person: { day: 1 } } });
    const c = await insertContact(db.pool, id, 'r1', ['+79165000001'], {}, 'x', { personId: 'person-r1' });
    const evening = await dial(id, c, '+79165000001', '2026-11-24T20:00', 'answered', true);
    // The gate refuses a call 14 hours later (one in the last 24 hours); a row made anyway is found.
    expect((await gate(db.pool, { campaignId: id, contactId: c, e164: '+79165000001', zones: [msk], nowMs: at('2026-11-25T10:00'), checkWindow: true })).allowed).toBe(false);
    const morning = await insertDirectly(c, '+79165000001', '2026-11-25T10:00', evening);
    const r = await report(id, '2026-11-24T00:00', '2026-11-26T00:00');
    expect(r.caps).toMatchObject({
      passed: false,
      campaigns: [{ period: 'rolling', countUnanswered: true, caps: { day: 1, week: null, month: null }, max: { day: 2, week: 2, month: 2 } }],
      overCap: [{ personId: 'person-r1', period: 'day', calls: 2, cap: 1, attemptIds: [morning] }],
    });
    // The same rows by calendar days: one call each day, no cap broken.
    await db.pool.query(`UPDATE campaign SET policy_options = '{"period": "calendar"}' WHERE id = $1`, [id]);
    expect((await report(id, '2026-11-24T00:00', '2026-11-26T00:00')).caps).toMatchObject({ passed: true, campaigns: [{ period: 'calendar', max: { day: 1 } }] });
  });
});

describe('a campaign that dialled nothing in the period', () => {
  it('still shows its legal window, and passes with nothing to judge', async () => {
    const id = await createTestCampaign(db.pool, { id: 'cr-idle', ...RU });
    const r = await report(id, ...DAY);
    expect(r).toMatchObject({ passed: true, hours: { dialled: 0, windows: [{ campaignId: id, workingDayHours: ['08:00', '22:00'] }] }, caps: { campaigns: [] } });
  });
});
