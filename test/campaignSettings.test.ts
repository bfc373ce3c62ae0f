import {
  createCampaign, readCampaignSettings, setCampaignState, updateCampaign, upsertTemplate, CampaignInputError,
} from '../adapters/postgres/campaigns';
import { parseNewCampaign, type NewCampaignInput } from '../domain/campaignSettings';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// Every campaign setting through Postgres and back: what createCampaign and updateCampaign
// store is what was given, column by column, and a refused change leaves the row as it was.

let db: TestDatabase;
let templateA: number;
let templateB: number;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(
    `INSERT INTO trunk (name, max_channels, endpoint_template) VALUES ('carrier-a', 10, 'PJSIP/{number}@a'), ('carrier-b', 10, 'PJSIP/{number}@b')`);
  templateA = await upsertTemplate(db.pool, 'settings-a', 'A {{BALANCE|money}}');
  templateB = await upsertTemplate(db.pool, 'settings-b', 'B');
});
afterAll(async () => { await db?.drop(); });

/** The row as stored, read with this test's own list of columns (not the adapter's mapping). */
async function storedRow(id: string): Promise<Record<string, unknown>> {
  const { rows } = await db.pool.query(
    `SELECT name, state, caller_id, time_zone, to_char(window_start, 'HH24:MI:SS') AS window_start,
            to_char(window_end, 'HH24:MI:SS') AS window_end, weekly_hours, to_char(start_date, 'YYYY-MM-DD') AS start_date,
            to_char(end_date, 'YYYY-MM-DD') AS end_date, calendar_country, legal_policy, policy_options, caps,
            ignored_blacklist_groups, blacklist_after_unreachable, max_channels, trunk, detect_machines, machine_action,
            operator_key, operator_wait_seconds, min_listen_seconds, ring_timeout_seconds, max_attempts_per_number,
            retry_interval_seconds, max_in_flight, template_id::int AS template_id, strategy, record_calls
       FROM campaign WHERE id = $1`, [id]);
  return rows[0];
}

async function auditActions(id: string): Promise<{ action: string; details: unknown }[]> {
  return (await db.pool.query(
    `SELECT action, details FROM audit_log WHERE entity = 'campaign' AND entity_id = $1 ORDER BY id`, [id])).rows;
}

const everySetting = (): NewCampaignInput => ({
  id: 'every-setting', name: 'Every setting', callerId: '+74951112233', timeZone: 'Asia/Yekaterinburg',
  windowStart: '08:30', windowEnd: '21:15:30', weeklyHours: { 6: ['10:00', '14:00'], 7: null },
  startDate: '2026-03-01', endDate: '2026-05-31', calendarCountry: 'KZ', legalPolicy: 'ru_230fz',
  policyOptions: { period: 'rolling', countUnanswered: true, callKind: 'message' },
  caps: { person: { day: 1, week: null }, number: { month: 12 } }, ignoredBlacklistGroups: ['staff', 'vip'],
  blacklistAfterUnreachable: 3, maxChannels: 7, trunk: 'carrier-a', detectMachines: true, machineAction: 'leave_message',
  operatorKey: '*', operatorWaitSeconds: 90, minListenSeconds: 4, ringTimeoutSeconds: 25, maxAttemptsPerNumber: 4,
  retryIntervalSeconds: 600, maxInFlight: 40, templateId: templateA, recordCalls: true,
});

describe('createCampaign', () => {
  it('stores every setting in its column and reads it back as given', async () => {
    const input = everySetting();
    await createCampaign(db.pool, input, 'test');
    expect(await storedRow(input.id)).toEqual({
      name: 'Every setting', state: 'draft', caller_id: '+74951112233', time_zone: 'Asia/Yekaterinburg',
      window_start: '08:30:00', window_end: '21:15:30', weekly_hours: { 6: ['10:00', '14:00'], 7: null },
      start_date: '2026-03-01', end_date: '2026-05-31', calendar_country: 'KZ', legal_policy: 'ru_230fz',
      policy_options: { period: 'rolling', countUnanswered: true, callKind: 'message' },
      caps: { person: { day: 1, week: null }, number: { month: 12 } }, ignored_blacklist_groups: ['staff', 'vip'],
      blacklist_after_unreachable: 3, max_channels: 7, trunk: 'carrier-a', detect_machines: true,
      machine_action: 'leave_message', operator_key: '*', operator_wait_seconds: 90, min_listen_seconds: 4,
      ring_timeout_seconds: 25, max_attempts_per_number: 4, retry_interval_seconds: 600, max_in_flight: 40,
      template_id: templateA, strategy: { name: 'simple', version: 1, params: {} }, record_calls: true,
    });
    const { id: _id, ...given } = parseNewCampaign(input);
    expect(await readCampaignSettings(db.pool, input.id)).toEqual(given);
    expect(await auditActions(input.id)).toEqual([{ action: 'campaign.created', details: { name: 'Every setting' } }]);
  });

  it('gives a setting left out the same default as the table', async () => {
    await createCampaign(db.pool, { id: 'defaults', name: 'defaults', callerId: '+74950000000' }, 'test');
    await db.pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ('table-defaults', 'defaults', '+74950000000')`);
    expect(await storedRow('defaults')).toEqual(await storedRow('table-defaults'));
  });

  it('names the setting a reference or the id is wrong in, and stores nothing', async () => {
    await expect(createCampaign(db.pool, { id: 'no-trunk', name: 'x', callerId: '+74950000000', trunk: 'nowhere' }, 'test'))
      .rejects.toThrow(new CampaignInputError('trunk: no trunk of this name'));
    await expect(createCampaign(db.pool, { id: 'no-template', name: 'x', callerId: '+74950000000', templateId: 999999 }, 'test'))
      .rejects.toThrow('templateId: no template with this id');
    await expect(createCampaign(db.pool, { id: 'defaults', name: 'again', callerId: '+74950000000' }, 'test'))
      .rejects.toThrow('id: a campaign with this id exists');
    await expect(createCampaign(db.pool, { id: 'bad-caps', name: 'x', callerId: '+74950000000', caps: { person: { day: -1 } } }, 'test'))
      .rejects.toThrow('caps.person.day: ');
    const { rows } = await db.pool.query(
      `SELECT id FROM campaign WHERE id IN ('no-trunk', 'no-template', 'bad-caps') UNION ALL
       SELECT entity_id FROM audit_log WHERE entity_id IN ('no-trunk', 'no-template', 'bad-caps')`);
    expect(rows).toEqual([]);
    expect((await storedRow('defaults')).name).toBe('defaults');
  });
});

describe('updateCampaign', () => {
  const id = 'updated';
  beforeAll(async () => { await createCampaign(db.pool, { ...everySetting(), id }, 'test'); });

  it('changes every setting, stores each in its column, and audits the names of the fields it changed', async () => {
    const patch = {
      name: 'Renamed', callerId: '+74959998877', timeZone: 'Europe/Kaliningrad', windowStart: '07:00', windowEnd: '24:00',
      weeklyHours: { 1: ['09:00', '12:00'] as [string, string] }, startDate: null, endDate: '2026-12-31', calendarCountry: 'RU',
      legalPolicy: 'none' as const, policyOptions: {}, caps: { number: { day: 2 } }, ignoredBlacklistGroups: [],
      blacklistAfterUnreachable: null, maxChannels: null, trunk: 'carrier-b', detectMachines: false, machineAction: 'hang_up' as const,
      operatorKey: null, operatorWaitSeconds: 5, minListenSeconds: null, ringTimeoutSeconds: 120, maxAttemptsPerNumber: 50,
      retryIntervalSeconds: 0, maxInFlight: 10000, templateId: templateB, recordCalls: false,
      strategy: { name: 'byOutcome', version: 1, params: { busy: { retries: 3, intervalSeconds: 120 } } },
    };
    const changed = await updateCampaign(db.pool, id, patch, 'operator-7');
    expect([...changed].sort()).toEqual(Object.keys(patch).sort());
    expect(await storedRow(id)).toEqual({
      name: 'Renamed', state: 'draft', caller_id: '+74959998877', time_zone: 'Europe/Kaliningrad',
      window_start: '07:00:00', window_end: '24:00:00', weekly_hours: { 1: ['09:00', '12:00'] },
      start_date: null, end_date: '2026-12-31', calendar_country: 'RU', legal_policy: 'none', policy_options: {},
      caps: { number: { day: 2 } }, ignored_blacklist_groups: [], blacklist_after_unreachable: null, max_channels: null,
      trunk: 'carrier-b', detect_machines: false, machine_action: 'hang_up', operator_key: null, operator_wait_seconds: 5,
      min_listen_seconds: null, ring_timeout_seconds: 120, max_attempts_per_number: 50, retry_interval_seconds: 0,
      max_in_flight: 10000, template_id: templateB, record_calls: false,
      strategy: { name: 'byOutcome', version: 1, params: expect.objectContaining({ busy: { retries: 3, intervalSeconds: 120, nextNumber: true } }) },
    });
    const { id: _id, ...expected } = parseNewCampaign({ ...everySetting(), ...patch });
    expect(await readCampaignSettings(db.pool, id)).toEqual(expected);
    const audit = await db.pool.query(
      `SELECT actor, details FROM audit_log WHERE entity_id = $1 AND action = 'campaign.updated'`, [id]);
    expect(audit.rows).toEqual([{ actor: 'operator-7', details: { fields: changed } }]);
    // Names only: no value of the patch is in the audit row.
    expect(JSON.stringify(audit.rows[0].details)).not.toContain('+74959998877');
  });

  it('writes and audits nothing when no value changes', async () => {
    const before = await auditActions(id);
    expect(await updateCampaign(db.pool, id, { name: 'Renamed', caps: { number: { day: 2 } } }, 'test')).toEqual([]);
    expect(await auditActions(id)).toEqual(before);
  });

  it.each([
    ['a bad field', { maxChannels: 0, name: 'Should not be stored' }, 'maxChannels: '],
    ['a rule between fields broken against the stored values', { windowStart: '23:00', name: 'Should not be stored' }, 'windowEnd: must be after windowStart (23:00)'],
    ['a field that is not a setting', { state: 'running', name: 'Should not be stored' }, 'state'],
    ['a trunk that does not exist', { trunk: 'nowhere', name: 'Should not be stored' }, 'trunk: no trunk of this name'],
    ['a hand-over to a channel the dialer does not have', {
      strategy: { name: 'byOutcome', version: 1, params: { busy: { then: 'handover_sms' } } }, name: 'Should not be stored',
    }, 'strategy.params.busy.then: hand-over to sms is not available'],
    ['a retry that can never fall inside the campaign\'s hours', {
      startDate: '2026-03-02', endDate: '2026-03-02', name: 'Should not be stored',
      strategy: { name: 'byOutcome', version: 1, params: { no_answer: { intervalSeconds: 86_400 } } },
    }, 'strategy.params.no_answer.intervalSeconds: a retry 86400 s after a call can never fall inside the campaign\'s hours'],
  ])('changes nothing on %s', async (_case, patch, message) => {
    await updateCampaign(db.pool, id, { windowEnd: '22:00' }, 'test');
    const row = await storedRow(id);
    const audit = await auditActions(id);
    await expect(updateCampaign(db.pool, id, patch as never, 'test')).rejects.toThrow(CampaignInputError);
    await expect(updateCampaign(db.pool, id, patch as never, 'test')).rejects.toThrow(message);
    expect(await storedRow(id)).toEqual(row);
    expect(await auditActions(id)).toEqual(audit);
  });

  it('refuses a campaign that does not exist', async () => {
    await expect(updateCampaign(db.pool, 'missing', { name: 'x' }, 'test')).rejects.toThrow('campaign missing does not exist');
  });

  it('still reads a campaign stored before a rule between fields that it breaks, and names the rule at its next change', async () => {
    const old = 'stored-before-the-rule';
    await createCampaign(db.pool, { ...everySetting(), id: old, startDate: '2026-03-02', endDate: '2026-03-02' }, 'test');
    // What an older release could store: a retry wait longer than the campaign's only day.
    await db.pool.query(
      `UPDATE campaign SET strategy = '{"name":"byOutcome","version":1,"params":{"no_answer":{"intervalSeconds":86400}}}' WHERE id = $1`, [old]);
    const settings = await readCampaignSettings(db.pool, old);
    expect(settings?.strategy).toMatchObject({ name: 'byOutcome', params: { no_answer: { intervalSeconds: 86_400 } } });
    await expect(updateCampaign(db.pool, old, { name: 'Renamed' }, 'test'))
      .rejects.toThrow('strategy.params.no_answer.intervalSeconds: a retry 86400 s after a call can never fall inside');
    await updateCampaign(db.pool, old, { endDate: '2026-03-31', name: 'Renamed' }, 'test');
    expect((await readCampaignSettings(db.pool, old))?.name).toBe('Renamed');
  });
});

describe('setCampaignState', () => {
  it('sets a draft running once, pauses it, and audits each change', async () => {
    await createCampaign(db.pool, { id: 'states', name: 'states', callerId: '+74950000000' }, 'test');
    expect(await setCampaignState(db.pool, 'states', 'running', 'test')).toBe('draft');
    const started = (await db.pool.query(`SELECT started_at FROM campaign WHERE id = 'states'`)).rows[0].started_at;
    expect(started).toBeInstanceOf(Date);
    expect(await setCampaignState(db.pool, 'states', 'running', 'test')).toBe('running');
    expect(await setCampaignState(db.pool, 'states', 'paused', 'test')).toBe('running');
    expect(await setCampaignState(db.pool, 'states', 'running', 'test')).toBe('paused');
    const { rows } = await db.pool.query(`SELECT state, started_at FROM campaign WHERE id = 'states'`);
    expect(rows[0]).toEqual({ state: 'running', started_at: started });
    expect((await auditActions('states')).map((a) => a.details)).toEqual([
      { name: 'states' }, { from: 'draft', to: 'running' }, { from: 'running', to: 'paused' }, { from: 'paused', to: 'running' },
    ]);
    await expect(setCampaignState(db.pool, 'missing', 'running', 'test')).rejects.toThrow('campaign missing does not exist');
  });
});
